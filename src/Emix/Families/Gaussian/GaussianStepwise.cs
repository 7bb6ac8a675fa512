using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Gaussian;

/// <summary>The Gaussian family for stepwise EM: s₀ from given parameters, and the batch M-step with reg_covar (no frozen parts; a collapse fails).</summary>
internal sealed class GaussianStepwise(IMixtureFamily<GaussianParameters> family, double regCovar) : IStepwiseEstimation<GaussianParameters>
{
    public IMixtureFamily<GaussianParameters> Family { get; } = family;

    /// <summary>Around each component's mean: nk = w_j, Σ r(x − μ_j) = 0, second moments w_j·Σ_j (the covariances as given).</summary>
    public MixtureStatistics StatisticsOf(GaussianParameters p)
    {
        var layout = p.StatisticsLayout;
        var values = new double[layout.Length];
        p.Weights.CopyTo(layout.Nk(values));
        p.Structure.WeightedSecondMoment(p.ComponentCount, p.FeatureCount, p.Weights, p.Covariances, layout.SecondMoment(values));
        return MixtureStatistics.Wrap(layout, values, p.Means);
    }

    public GaussianParameters MStep(MixtureStatistics statistics, GaussianParameters previous) =>
        GaussianParameters.Create(previous.Structure, previous.ComponentCount, previous.FeatureCount,
            GaussianEm.MStepValues(previous.Structure, previous.ComponentCount, previous.FeatureCount, statistics.Values, statistics.Centres, regCovar, null, null));
}
