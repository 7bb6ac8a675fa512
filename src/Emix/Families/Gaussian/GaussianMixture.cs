using System.Globalization;
using Emix.Families.Gaussian;
using Emix.Engine;
using Emix.Initialization;
using Emix.Internals;

namespace Emix;

/// <summary>
/// The Gaussian mixture estimator: options in, <see cref="GaussianMixtureModel"/> out, by EM.
/// Semantics follow scikit-learn's <c>GaussianMixture</c> (see the README for the few differences).
/// </summary>
/// <example>
/// <code>
/// var model = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2 }).Fit(data);
/// int[] labels = model.Predict(data);
/// </code>
/// </example>
public sealed class GaussianMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    public GaussianMixture(GaussianMixtureOptions? options = null)
    {
        Options = options ?? new GaussianMixtureOptions();
        Options.Validate();
    }

    /// <summary>The options of every fit of this estimator.</summary>
    public GaussianMixtureOptions Options { get; }

    /// <summary>Fits the mixture to <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">Fewer rows than components, or initial parameters of the wrong shape.</exception>
    /// <exception cref="NumericalFailureException">A component collapsed (covariance not positive definite).</exception>
    public GaussianMixtureModel Fit(RowSource data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(data, null, progress, cancellationToken);

    /// <summary>
    /// Continues EM from <paramref name="warmStart"/> (its parameters and lower bound) for one run,
    /// as scikit-learn's <c>warm_start=True</c> does on a second <c>fit</c>. Emix takes the model
    /// explicitly instead of keeping hidden state in the estimator.
    /// </summary>
    public GaussianMixtureModel Fit(RowSource data, GaussianMixtureModel warmStart, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warmStart);
        return FitCore(data, warmStart, progress, cancellationToken);
    }

    /// <summary>Fits and returns the predicted component of every row: equal to <c>Fit(data).Predict(data)</c>.</summary>
    public int[] FitPredict(DataSet data) => Fit(data).Predict(data);

    private GaussianMixtureModel FitCore(RowSource data, GaussianMixtureModel? warmStart, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        int k = o.ComponentCount, d = data.FeatureCount, n = data.RowCount;
        FitInputs.RequireRows(data, k);
        RequireRepresentableScale(data);
        var structure = CovarianceStructure.For(o.CovarianceType);
        if (warmStart is not null && (warmStart.CovarianceType != o.CovarianceType || warmStart.ComponentCount != k || warmStart.FeatureCount != d))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Warm start model ({warmStart.CovarianceType.ToScikitName()}, k={warmStart.ComponentCount}, d={warmStart.FeatureCount}) does not match the options ({o.CovarianceType.ToScikitName()}, k={k}) and data (d={d})."),
                nameof(warmStart));
        var user = o.InitialParameters is null ? null : UserParameters.Check(o.InitialParameters, structure, k, d);
        if (o.InitialLabels is { } labels)
            Initialization.InitialResponsibilities.GivenLabels.Check(labels, n, k, data.Source);

        var kernel = Families.Gaussian.Kernels.KernelSelector.Create(o.Kernel);
        var estimation = new GaussianEstimation(o, data, user, kernel, cancellationToken);
        var result = BatchDriver.Fit(estimation, data,
            new BatchDriver.Settings(o.MaxIterations, o.Tolerance, o.InitCount, o.ChunkRows, o.MaxDegreeOfParallelism),
            warmStart is null ? null : (warmStart.Parameters, warmStart.LowerBound),
            progress, cancellationToken);
        var fit = BatchDriver.Report(result, data, o.Prior is null ? o : o with { Prior = estimation.ResolvedPrior }) with { Collapses = estimation.CollapsesOfRun(result.BestRun) };
        return GaussianMixtureModel.FromFit(result.Parameters, data.FeatureNames, fit, result.ClusterSizes, result.LogLikelihood);
    }

    /// <summary>
    /// Refuses data whose magnitude would overflow the sums of squared differences EM computes (k-means
    /// distances, covariances, Mahalanobis terms scaled by precisions up to 1/reg_covar) to infinity and then
    /// NaN: |x| up to √(MaxValue / (4·n·d)) with a margin of 10⁶, about 1e144 for ten million rows of 4.
    /// </summary>
    private static void RequireRepresentableScale(RowSource data)
    {
        int d = data.FeatureCount;
        double limit = Math.Sqrt(double.MaxValue / (4.0 * data.RowCount * d)) * 1e-6;
        // One sequential pass (streamed sources read their chunks) that only asks whether any value is too
        // large, by vectors; the message's first largest value is looked for only then. A process of a
        // distributed fit checks the rows it holds (the limit depends only on the global row count).
        double[]? buffer = null;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var (first, end) = data.Processes?.OwnedChunks(chunking, data.Processes.Rank) ?? (0, chunking.ChunkCount);
        bool tooLarge = false;
        for (int c = first; c < end && !tooLarge; c++)
            tooLarge = AnyAbove(data.ReadRows(chunking.Start(c), chunking.Length(c), ref buffer), limit);
        if (!tooLarge)
            return;
        long largest = 0;
        double largestValue = 0;
        for (int c = first; c < end; c++)
        {
            var values = data.ReadRows(chunking.Start(c), chunking.Length(c), ref buffer);
            for (int i = 0; i < values.Length; i++)
            {
                if (Math.Abs(values[i]) > Math.Abs(largestValue))
                {
                    largestValue = values[i];
                    largest = ((long)chunking.Start(c) * d) + i;
                }
            }
        }
        double magnitude = Math.Abs(largestValue);
        throw new NumericalFailureException(string.Create(CultureInfo.InvariantCulture,
            $"{data.Source}: data row {(largest / d) + 1} (a header not counted), column {(largest % d) + 1}: {largestValue:G6} is too large for EM in double precision (its squares would overflow; about {limit:G2} at most for {data.RowCount} rows of {d} columns). Scale the input data, e.g. divide by 1e{Math.Ceiling(Math.Log10(magnitude)):F0}."));
    }

    /// <summary>Whether any |value| exceeds <paramref name="limit"/> (NaN does not).</summary>
    private static bool AnyAbove(ReadOnlySpan<double> values, double limit)
    {
        var bound = new System.Numerics.Vector<double>(limit);
        int w = System.Numerics.Vector<double>.Count, i = 0;
        for (; i + w <= values.Length; i += w)
        {
            if (System.Numerics.Vector.GreaterThanAny(System.Numerics.Vector.Abs(new System.Numerics.Vector<double>(values.Slice(i, w))), bound))
                return true;
        }
        for (; i < values.Length; i++)
        {
            if (Math.Abs(values[i]) > limit)
                return true;
        }
        return false;
    }
}
