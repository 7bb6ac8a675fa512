using Emix.Statistics;

namespace Emix.Families.Poisson;

/// <summary>The Poisson family's statistics: [Σ log p(x_i)], nk (k), Σ r·x (k×d). Not centred: counts sit near the origin.</summary>
internal sealed class PoissonStatisticsLayout(int k, int d) : StatisticsLayout(k, 1 + k + (k * d), 0)
{
    public int FeatureCount { get; } = d;

    public int SumOffset => 1 + ComponentCount;

    public Span<double> Sums(Span<double> buffer) => buffer.Slice(SumOffset, ComponentCount * FeatureCount);

    public override bool SameAs(StatisticsLayout other) =>
        other is PoissonStatisticsLayout p && p.ComponentCount == ComponentCount && p.FeatureCount == FeatureCount;
}
