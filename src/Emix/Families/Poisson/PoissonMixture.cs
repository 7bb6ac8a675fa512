using System.Globalization;
using Emix.Engine;
using Emix.Families.Poisson;

namespace Emix;

/// <summary>
/// The multivariate Poisson mixture estimator: independent Poisson counts per feature inside each
/// component, fitted by EM (flexmix's <c>FLXMCmvpois</c>; the same loop, restarts, tolerance and
/// final E-step as <see cref="GaussianMixture"/>). Rows must hold counts.
/// </summary>
/// <example>
/// <code>
/// var model = new PoissonMixture(new PoissonMixtureOptions { ComponentCount = 3 }).Fit(counts);
/// int[] labels = model.Predict(counts);
/// </code>
/// </example>
public sealed class PoissonMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    public PoissonMixture(PoissonMixtureOptions? options = null)
    {
        Options = options ?? new PoissonMixtureOptions();
        Options.Validate();
    }

    /// <summary>The options of every fit of this estimator.</summary>
    public PoissonMixtureOptions Options { get; }

    /// <summary>Fits the mixture to <paramref name="data"/>.</summary>
    /// <exception cref="DataFormatException">A cell is not a count (negative, not an integer, missing).</exception>
    /// <exception cref="ArgumentException">Fewer rows than components, or initial parameters or labels that do not fit.</exception>
    public PoissonMixtureModel Fit(RowSource data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(data, null, progress, cancellationToken);

    /// <summary>Continues EM from <paramref name="warmStart"/> (its parameters and lower bound) for one run.</summary>
    public PoissonMixtureModel Fit(RowSource data, PoissonMixtureModel warmStart, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warmStart);
        return FitCore(data, warmStart, progress, cancellationToken);
    }

    private PoissonMixtureModel FitCore(RowSource data, PoissonMixtureModel? warmStart, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        int k = o.ComponentCount, d = data.FeatureCount, n = data.RowCount;
        FitInputs.RequireRows(data, k);
        if (data.HasMissing)
            throw new DataFormatException($"{data.Source}: has {data.MissingCount} missing cells; the Poisson family needs every count (drop the incomplete rows).");
        PoissonUserParameters.RequireCounts(data);
        if (warmStart is not null && (warmStart.ComponentCount != k || warmStart.FeatureCount != d))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Warm start model (k={warmStart.ComponentCount}, d={warmStart.FeatureCount}) does not match the options (k={k}) and data (d={d})."), nameof(warmStart));
        PoissonParameters? given = null;
        if (o.InitialParameters is { } initial)
        {
            try
            {
                given = PoissonUserParameters.Check(initial, k, d);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"InitialParameters: {e.Message}", nameof(data), e);
            }
        }
        if (o.InitialLabels is { } labels)
            Initialization.InitialResponsibilities.GivenLabels.Check(labels, n, k, data.Source);

        var estimation = new PoissonEstimation(o, data, given, cancellationToken);
        var result = BatchDriver.Fit(estimation, data,
            new BatchDriver.Settings(o.MaxIterations, o.Tolerance, o.InitCount, o.ChunkRows, o.MaxDegreeOfParallelism),
            warmStart is null ? null : (warmStart.Parameters, warmStart.LowerBound),
            progress, cancellationToken);
        var fit = BatchDriver.Report(result, data, o);
        return new PoissonMixtureModel(result.Parameters, data.FeatureNames, fit, result.ClusterSizes, result.LogLikelihood);
    }
}
