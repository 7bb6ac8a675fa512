using Emix.Engine;
using Emix.Families.Bernoulli;

namespace Emix;

/// <summary>Options of a Bernoulli mixture fit: those of every family, and optional starting parameters.</summary>
public sealed record BernoulliMixtureOptions : MixtureOptions
{
    /// <summary>Starting weights (k) and probabilities of a 1 (k×d, row-major, in [0, 1]); when given, no initialisation is drawn.</summary>
    public BernoulliParameterValues? InitialParameters { get; init; }
}

/// <summary>The parameters of a Bernoulli mixture as given by a user: weights (k, summing to 1) and probabilities of a 1 (k×d, row-major).</summary>
/// <param name="Weights">Mixing weights.</param>
/// <param name="Probabilities">P(x_a = 1 | component j), component by component.</param>
public sealed record BernoulliParameterValues(IReadOnlyList<double> Weights, IReadOnlyList<double> Probabilities);

/// <summary>
/// Mixtures of independent Bernoulli features, fitted by EM: latent class analysis of 0/1 columns
/// (flexmix's <c>FLXMCmvbinary</c>; the loop, restarts and final E-step of <see cref="GaussianMixture"/>).
/// </summary>
public sealed class BernoulliMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    public BernoulliMixture(BernoulliMixtureOptions? options = null)
    {
        Options = options ?? new BernoulliMixtureOptions();
        Options.Validate();
    }

    /// <summary>The options of every fit of this estimator.</summary>
    public BernoulliMixtureOptions Options { get; }

    /// <summary>Fits the mixture to <paramref name="data"/> (0/1 cells).</summary>
    /// <exception cref="DataFormatException">A cell is not 0 or 1.</exception>
    /// <exception cref="ArgumentException">Fewer rows than components, or initial parameters or labels that do not fit.</exception>
    public BernoulliMixtureModel Fit(RowSource data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        int k = o.ComponentCount, d = data.FeatureCount, n = data.RowCount;
        FitInputs.RequireRows(data, k);
        BernoulliFamily.RequireBinary(data);
        BernoulliParameters? given = null;
        if (o.InitialParameters is { } initial)
        {
            try
            {
                given = BernoulliUserParameters.Check(initial, k, d);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"InitialParameters: {e.Message}", nameof(data), e);
            }
        }
        if (o.InitialLabels is { } labels)
            Initialization.InitialResponsibilities.GivenLabels.Check(labels, n, k, data.Source);
        var estimation = new BernoulliEstimation(o, data, given, cancellationToken);
        var result = BatchDriver.Fit(estimation, data,
            new BatchDriver.Settings(o.MaxIterations, o.Tolerance, o.InitCount, o.ChunkRows, o.MaxDegreeOfParallelism), null, progress, cancellationToken);
        var fit = BatchDriver.Report(result, data, o);
        return new BernoulliMixtureModel(result.Parameters, data.FeatureNames, fit, result.ClusterSizes, result.LogLikelihood);
    }
}
