namespace Emix.Families.Gaussian;

/// <summary>
/// Layout of the mergeable statistics buffer of one E-step: [Σ log p(x_i)], nk (k),
/// Σ r·(x − c) (k×d), then the structure's second moments. Buffers merge by addition, which is
/// what makes chunks, threads, out-of-core passes and processes interchangeable.
/// </summary>
internal readonly struct SufficientStatistics
{
    public SufficientStatistics(CovarianceStructure structure, int k, int d)
    {
        ComponentCount = k;
        FeatureCount = d;
        Length = 1 + k + (k * d) + structure.SecondMomentLength(k, d);
    }

    public int ComponentCount { get; }
    public int FeatureCount { get; }
    public int Length { get; }

    public const int LogLikelihoodOffset = 0;
    public const int NkOffset = 1;
    public int FirstMomentOffset => 1 + ComponentCount;
    public int SecondMomentOffset => 1 + ComponentCount + (ComponentCount * FeatureCount);

    public Span<double> Nk(Span<double> buffer) => buffer.Slice(NkOffset, ComponentCount);
    public Span<double> FirstMoment(Span<double> buffer) => buffer.Slice(FirstMomentOffset, ComponentCount * FeatureCount);
    public Span<double> SecondMoment(Span<double> buffer) => buffer[SecondMomentOffset..];
}
