using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Bernoulli;

/// <summary>The Bernoulli family for stepwise EM: s₀ = (w_j, w_j·p_j) from given parameters, and the batch M-step.</summary>
internal sealed class BernoulliStepwise : IStepwiseEstimation<BernoulliParameters>
{
    public static readonly BernoulliStepwise Instance = new();

    public IMixtureFamily<BernoulliParameters> Family => BernoulliFamily.Instance;

    public MixtureStatistics StatisticsOf(BernoulliParameters p)
    {
        var layout = p.StatisticsLayout;
        var values = new double[layout.Length];
        p.Weights.CopyTo(layout.Nk(values));
        var sums = layout.Sums(values);
        for (int i = 0; i < p.Probabilities.Length; i++)
            sums[i] = p.Weights[i / p.FeatureCount] * p.Probabilities[i];
        return MixtureStatistics.Wrap(layout, values, default);
    }

    public BernoulliParameters MStep(MixtureStatistics statistics, BernoulliParameters previous) =>
        BernoulliEstimation.Estimate(previous.StatisticsLayout, statistics.Values, null);
}
