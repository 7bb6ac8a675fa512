using System.Globalization;
using System.Text;
using Emix.Families.Gaussian;
using Emix.Families.Variational;

namespace Emix;

/// <summary>
/// A variational Bayesian Gaussian mixture: the posterior (weight concentration, mean precisions,
/// means, degrees of freedom, normalised covariances) and what can be computed from it. Predictions,
/// probabilities and densities use scikit-learn's weighted log-probabilities (expected log weights and
/// the digamma terms), not the posterior means. Every array a property returns is a copy.
/// </summary>
public sealed class VariationalGaussianMixtureModel : MixtureModel
{
    /// <summary>The weight above which <see cref="EffectiveComponentCount"/> counts a component as used.</summary>
    public const double UsedWeight = 0.01;

    internal VariationalGaussianMixtureModel(GaussianParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
        : base(new Models.ModelEvaluation<GaussianParameters>(parameters, static data => GaussianFamily.For(Families.Gaussian.Kernels.KernelSelector.Create(Families.Gaussian.Kernels.KernelVariant.Auto), data),
            static _ => { }, parameters.FeatureCount, parameters.Weights), featureNames, fit, trainingClusterSizes, trainingLogLikelihood)
    {
        Parameters = parameters;
    }

    internal GaussianParameters Parameters { get; }

    private VariationalPosterior Posterior => Parameters.Posterior!;

    /// <summary>"gaussian-variational".</summary>
    public override string Family => "gaussian-variational";

    /// <summary>Covariance structure.</summary>
    public CovarianceType CovarianceType => Parameters.Structure.Type;

    /// <summary>The prior on the weights.</summary>
    public WeightPrior WeightPrior => Posterior.Priors.WeightPrior;

    /// <summary>Posterior means of the components, k×d (scikit-learn's <c>means_</c>).</summary>
    public double[,] Means => ToMatrix(Parameters.Means, ComponentCount, FeatureCount);

    /// <summary>The covariances normalised by ν (scikit-learn's <c>covariances_</c>), flattened in its shape.</summary>
    public double[] Covariances => (double[])Parameters.Covariances.Clone();

    /// <summary>scikit-learn's <c>precisions_cholesky_</c> of <see cref="Covariances"/>.</summary>
    public double[] PrecisionsCholesky => (double[])Parameters.PrecisionCholeskyValues.Clone();

    /// <summary>scikit-learn's <c>weight_concentration_</c>: for a process the two Beta parameter arrays (a, then b; 2 × k), for a distribution α (k).</summary>
    public double[] WeightConcentration => Posterior.ConcentrationB is { } b ? [.. Posterior.ConcentrationA, .. b] : (double[])Posterior.ConcentrationA.Clone();

    /// <summary>β per component (scikit-learn's <c>mean_precision_</c>).</summary>
    public double[] MeanPrecision => (double[])Posterior.MeanPrecision.Clone();

    /// <summary>ν per component (scikit-learn's <c>degrees_of_freedom_</c>; tied: one value, repeated k times here).</summary>
    public double[] DegreesOfFreedom => (double[])Posterior.DegreesOfFreedom.Clone();

    /// <summary>The number of components whose posterior-mean weight is at least <see cref="UsedWeight"/>: those the prior left switched on.</summary>
    public int EffectiveComponentCount() => Weights.Count(w => w >= UsedWeight);

    /// <summary>
    /// The posterior-mean mixture: a Gaussian mixture with <see cref="MixtureModel.Weights"/>, <see cref="Means"/> and
    /// <see cref="Covariances"/>. Its <see cref="MixtureModel.Bic"/> is the BIC of the posterior-mean parameters (what
    /// scikit-learn#19523 asks to compare Bayesian fits by); <see cref="MixtureModel.TrainingLogLikelihood"/> of this model is its log-likelihood.
    /// </summary>
    public GaussianMixtureModel PosteriorMeanMixture =>
        GaussianMixtureModel.FromStored(GaussianParameters.Create(Parameters.Structure, ComponentCount, FeatureCount, Weights, Parameters.Means, Parameters.Covariances),
            FeatureNames, null, null, null);

    /// <summary>Free parameters of the posterior-mean mixture, as a Gaussian mixture of the same structure counts them (for its BIC).</summary>
    public override long FreeParameterCount => Parameters.FreeParameterCount;

    /// <inheritdoc/>
    public override MixtureSample Sample(int count, long seed = 0) => GaussianMixtureModel.Draw(Parameters, count, seed, FeatureNames, null);

    private protected override string SummaryHeading => "Variational Bayesian Gaussian mixture model";

    private protected override string SummaryModelLine => string.Create(CultureInfo.InvariantCulture,
        $"Model {Parameters.Structure.MclustCode} ({CovarianceType.ToScikitName()}) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}, weight prior: Dirichlet {(WeightPrior == WeightPrior.Process ? "process" : "distribution")}; {EffectiveComponentCount()} component{(EffectiveComponentCount() == 1 ? "" : "s")} with weight ≥ {UsedWeight:G}{Environment.NewLine}(log-likelihood, BIC and AIC: the posterior-mean mixture's; the lower bound: the variational bound, scikit-learn's lower_bound_)");

    private protected override void AppendParameterSummary(StringBuilder s) => AppendFeatureTable(s, "Means:", Parameters.Means);
}
