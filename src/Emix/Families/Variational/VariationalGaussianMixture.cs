using System.Globalization;
using Emix.Engine;
using Emix.Families.Gaussian;
using Emix.Families.Variational;

namespace Emix;

/// <summary>
/// The variational Bayesian Gaussian mixture estimator, with scikit-learn 1.2's
/// <c>BayesianGaussianMixture</c> semantics and defaults: a Dirichlet-process (or Dirichlet) prior on
/// the weights, Gaussian–Wishart priors on the means and precisions, and variational EM until the
/// change of the total lower bound is below the tolerance. The E-step runs in the Gaussian kernels.
/// </summary>
/// <example>
/// <code>
/// var model = new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { ComponentCount = 9 }).Fit(data);
/// int used = model.EffectiveComponentCount(); // components the prior left switched on
/// </code>
/// </example>
public sealed class VariationalGaussianMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    public VariationalGaussianMixture(VariationalGaussianMixtureOptions? options = null)
    {
        Options = options ?? new VariationalGaussianMixtureOptions();
        Options.Validate();
    }

    /// <summary>The options of every fit of this estimator.</summary>
    public VariationalGaussianMixtureOptions Options { get; }

    /// <summary>Fits the mixture to <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">A prior of the wrong shape or out of range (ν₀ ≤ d − 1, a covariance prior not positive definite), fewer rows than components, or labels that do not fit.</exception>
    /// <exception cref="NumericalFailureException">A covariance lost positive definiteness.</exception>
    public VariationalGaussianMixtureModel Fit(RowSource data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(data, null, progress, cancellationToken);

    /// <summary>
    /// Continues from <paramref name="warmStart"/> (its posterior and lower bound) for one run, as scikit-learn's
    /// <c>warm_start=True</c> does on a second <c>fit</c>; the priors are the warm start's.
    /// </summary>
    /// <exception cref="ArgumentException">The model's structure, k or d differ from the options and data.</exception>
    public VariationalGaussianMixtureModel Fit(RowSource data, VariationalGaussianMixtureModel warmStart, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warmStart);
        return FitCore(data, warmStart, progress, cancellationToken);
    }

    private VariationalGaussianMixtureModel FitCore(RowSource data, VariationalGaussianMixtureModel? warmStart, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        int k = o.ComponentCount, n = data.RowCount;
        FitInputs.RequireRows(data, k);
        if (data.HasMissing)
            throw new DataFormatException($"{data.Source}: has {data.MissingCount} missing cells; the variational fit needs every value (drop the incomplete rows).");
        if (o.InitialLabels is { } labels)
            Initialization.InitialResponsibilities.GivenLabels.Check(labels, n, k, data.Source);
        if (warmStart is not null && (warmStart.CovarianceType != o.CovarianceType || warmStart.ComponentCount != k || warmStart.FeatureCount != data.FeatureCount))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Warm start model ({warmStart.CovarianceType.ToScikitName()}, k={warmStart.ComponentCount}, d={warmStart.FeatureCount}) does not match the options ({o.CovarianceType.ToScikitName()}, k={k}) and data (d={data.FeatureCount})."),
                nameof(warmStart));
        var priors = warmStart?.Parameters.Posterior!.Priors ?? VariationalPriorDefaults.Resolve(o, data);
        var kernel = Families.Gaussian.Kernels.KernelSelector.Create(o.Kernel);
        var estimation = new VariationalEstimation(o, data, priors, kernel, cancellationToken);
        var result = BatchDriver.Fit(estimation, data,
            new BatchDriver.Settings(o.MaxIterations, o.Tolerance, o.InitCount, o.ChunkRows, o.MaxDegreeOfParallelism),
            warmStart is null ? null : (warmStart.Parameters, warmStart.LowerBound), progress, cancellationToken);
        var fit = BatchDriver.Report(result, data, o);
        // The summary's log-likelihood, BIC and AIC are those of the posterior-mean mixture (weights_, means_, covariances_ as a Gaussian mixture).
        var p = result.Parameters;
        var meanMixture = GaussianParameters.Create(p.Structure, k, p.FeatureCount, (double[])p.Weights.Clone(), p.Means, p.Covariances);
        double logLikelihood = Passes.LogLikelihood(GaussianFamily.For(kernel, data), data, meanMixture, o.MaxDegreeOfParallelism);
        return new VariationalGaussianMixtureModel(p, data.FeatureNames, fit, result.ClusterSizes, logLikelihood);
    }
}
