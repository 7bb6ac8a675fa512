namespace Emix.Statistics;

/// <summary>
/// Where a family's sufficient statistics sit in one flat buffer of doubles. Every family's buffer
/// starts the same way — [0] Σ wᵢ·log p(xᵢ), then nk (k) — and continues with what its M-step reads.
/// Buffers of one layout merge by element-wise addition, which is what makes chunks, threads,
/// out-of-core passes and processes interchangeable.
/// </summary>
/// <remarks>
/// A family may gather its statistics around centres (the Gaussian family: moments of x − c around
/// the E-step's means, which keeps the covariance free of cancellation far from the origin).
/// <see cref="CentreLength"/> says how many centre values that takes (0: not centred), and
/// <see cref="Recentre"/> re-expresses a buffer around other centres, exactly in algebra, so that
/// statistics gathered around different centres (stepwise EM, warm-started distributed fits) combine.
/// </remarks>
internal abstract class StatisticsLayout(int componentCount, int length, int centreLength)
{
    /// <summary>Index of Σ wᵢ·log p(xᵢ).</summary>
    public const int LogLikelihoodOffset = 0;

    /// <summary>Index of nk₀.</summary>
    public const int NkOffset = 1;

    /// <summary>Added to every nk in an M-step (scikit-learn's 10·eps), so that an empty component does not divide by zero.</summary>
    public const double NkGuard = 10 * 2.220446049250313e-16;

    /// <summary>Components k.</summary>
    public int ComponentCount { get; } = componentCount;

    /// <summary>Doubles in a buffer.</summary>
    public int Length { get; } = length;

    /// <summary>Centre values the statistics are gathered around (0 when they are not centred).</summary>
    public int CentreLength { get; } = centreLength;

    /// <summary>Σ r (k values) of a buffer.</summary>
    public Span<double> Nk(Span<double> buffer) => buffer.Slice(NkOffset, ComponentCount);

    /// <summary>
    /// Rewrites <paramref name="buffer"/>, gathered around <paramref name="from"/>, as gathered around
    /// <paramref name="to"/>. The default has nothing to do (statistics that are not centred).
    /// </summary>
    public virtual void Recentre(Span<double> buffer, ReadOnlySpan<double> from, ReadOnlySpan<double> to)
    {
    }

    /// <summary>Whether <paramref name="other"/> lays out the same statistics (same family, shape and structure).</summary>
    public abstract bool SameAs(StatisticsLayout other);
}
