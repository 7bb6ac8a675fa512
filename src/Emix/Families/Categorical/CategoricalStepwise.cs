using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Categorical;

/// <summary>The categorical family for stepwise EM: s₀ = (w_j, w_j·π_ja[ℓ]) from given parameters, and the batch M-step with the pseudo-count.</summary>
internal sealed class CategoricalStepwise(double pseudoCount) : IStepwiseEstimation<CategoricalParameters>
{
    public IMixtureFamily<CategoricalParameters> Family => CategoricalFamily.Instance;

    public MixtureStatistics StatisticsOf(CategoricalParameters p)
    {
        var layout = p.StatisticsLayout;
        var values = new double[layout.Length];
        p.Weights.CopyTo(layout.Nk(values));
        var counts = layout.Counts(values);
        for (int i = 0; i < p.Probabilities.Length; i++)
            counts[i] = p.Weights[i / p.LevelTotal] * p.Probabilities[i];
        return MixtureStatistics.Wrap(layout, values, default);
    }

    public CategoricalParameters MStep(MixtureStatistics statistics, CategoricalParameters previous) =>
        CategoricalEstimation.Estimate(previous, statistics.Values, null, pseudoCount);
}
