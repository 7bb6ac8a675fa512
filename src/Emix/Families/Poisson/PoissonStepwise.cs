using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Poisson;

/// <summary>The Poisson family for stepwise EM: s₀ = (w_j, w_j·λ_j) from given parameters, and the batch M-step.</summary>
internal sealed class PoissonStepwise : IStepwiseEstimation<PoissonParameters>
{
    public static readonly PoissonStepwise Instance = new();

    public IMixtureFamily<PoissonParameters> Family => PoissonFamily.Instance;

    public MixtureStatistics StatisticsOf(PoissonParameters p)
    {
        var layout = p.StatisticsLayout;
        var values = new double[layout.Length];
        p.Weights.CopyTo(layout.Nk(values));
        var sums = layout.Sums(values);
        for (int j = 0; j < p.ComponentCount; j++)
            for (int a = 0; a < p.FeatureCount; a++)
                sums[(j * p.FeatureCount) + a] = p.Weights[j] * p.Rates[(j * p.FeatureCount) + a];
        return MixtureStatistics.Wrap(layout, values, default);
    }

    public PoissonParameters MStep(MixtureStatistics statistics, PoissonParameters previous) =>
        PoissonEstimation.Estimate(previous.StatisticsLayout, statistics.Values, null);
}
