using Emix.Statistics;

namespace Emix.Families.Gaussian;

/// <summary>
/// The Gaussian family's statistics: [Σ log p(x_i)], nk (k), Σ r·(x − c) (k×d), then the structure's
/// second moments, all centred on c (k×d: the E-step's means; the data mean at initialisation).
/// With <see cref="HasTails"/> (the Student-t family) the moments are weighted by r·u instead of r,
/// and two k-vectors follow: Σ r·u (the moments' weight) and Σ r·(log u − u) (the degrees-of-freedom equation's).
/// </summary>
internal sealed class GaussianStatisticsLayout : StatisticsLayout
{
    public GaussianStatisticsLayout(CovarianceStructure structure, int k, int d, bool tails = false)
        : base(k, 1 + k + (k * d) + structure.SecondMomentLength(k, d) + (tails ? 2 * k : 0), k * d)
    {
        Structure = structure;
        FeatureCount = d;
        HasTails = tails;
    }

    public CovarianceStructure Structure { get; }
    public int FeatureCount { get; }

    /// <summary>Student-t statistics: moments weighted by r·u, and the two tail sums after the second moments.</summary>
    public bool HasTails { get; }

    public int FirstMomentOffset => 1 + ComponentCount;
    public int SecondMomentOffset => 1 + ComponentCount + (ComponentCount * FeatureCount);
    private int TailOffset => SecondMomentOffset + Structure.SecondMomentLength(ComponentCount, FeatureCount);

    public Span<double> FirstMoment(Span<double> buffer) => buffer.Slice(FirstMomentOffset, ComponentCount * FeatureCount);
    public Span<double> SecondMoment(Span<double> buffer) => buffer.Slice(SecondMomentOffset, Structure.SecondMomentLength(ComponentCount, FeatureCount));

    /// <summary>The weight of the moments per component: Σ r·u with tails, else nk.</summary>
    public Span<double> MomentWeights(Span<double> buffer) => HasTails ? buffer.Slice(TailOffset, ComponentCount) : Nk(buffer);

    /// <summary>Σ r·(log u − u) per component (tails only).</summary>
    public Span<double> TailTerms(Span<double> buffer) => buffer.Slice(TailOffset + ComponentCount, ComponentCount);

    /// <summary>
    /// With e' = x − c' = e + Δ, Δ = c − c': S1' = S1 + nk·Δ and S2' = S2 + S1·Δᵀ + Δ·S1ᵀ + nk·ΔΔᵀ
    /// (in the part of it the structure keeps). S2 is updated from the old S1, so S1 last.
    /// </summary>
    public override void Recentre(Span<double> buffer, ReadOnlySpan<double> from, ReadOnlySpan<double> to)
    {
        int k = ComponentCount, d = FeatureCount;
        var nk = MomentWeights(buffer);
        var s1 = FirstMoment(buffer);
        var second = SecondMoment(buffer);
        Span<double> delta = d <= 256 ? stackalloc double[d] : new double[d];
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
                delta[a] = from[(j * d) + a] - to[(j * d) + a];
            var s1j = s1.Slice(j * d, d);
            Structure.RecentreSecondMoment(j, d, s1j, nk[j], delta, second);
            for (int a = 0; a < d; a++)
                s1j[a] += nk[j] * delta[a];
        }
    }

    public override bool SameAs(StatisticsLayout other) =>
        other is GaussianStatisticsLayout g && g.Structure == Structure && g.HasTails == HasTails && g.ComponentCount == ComponentCount && g.FeatureCount == FeatureCount;
}
