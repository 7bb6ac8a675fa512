using System.Globalization;
using Emix.Engine;
using Emix.Families.Categorical;
using Emix.Families.Mixed;

namespace Emix;

/// <summary>
/// Mixtures of tables whose columns differ in kind (local independence: inside a component the
/// columns are independent, each Gaussian, Poisson, Bernoulli or categorical), fitted by EM with the
/// loop, restarts and final E-step of <see cref="GaussianMixture"/>.
/// </summary>
/// <example>
/// <code>
/// var options = new MixedMixtureOptions
/// {
///     ComponentCount = 3,
///     Families = ColumnFamily.ParseList("age:gaussian,visits:poisson,smoker:bernoulli,region:categorical"),
/// };
/// var model = new MixedMixture(options).Fit(table);
/// </code>
/// </example>
public sealed class MixedMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    public MixedMixture(MixedMixtureOptions? options = null)
    {
        Options = options ?? new MixedMixtureOptions();
        Options.Validate();
    }

    /// <summary>The options of every fit of this estimator.</summary>
    public MixedMixtureOptions Options { get; }

    /// <summary>Fits the mixture to <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">A listed column is not in the data, fewer rows than components, or labels that do not fit.</exception>
    /// <exception cref="DataFormatException">A cell its column's family cannot take (the message names row, column and value).</exception>
    public MixedMixtureModel Fit(RowSource data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        int k = o.ComponentCount, n = data.RowCount;
        FitInputs.RequireRows(data, k);
        var kinds = ColumnFamily.Resolve(o.Families, data.FeatureNames, data.Source);
        MixedChecks.RequireCells(data, kinds);
        var levels = CategoricalFamily.FindLevels(data, a => kinds[a] == FeatureFamily.Categorical);
        if (o.InitialLabels is { } labels)
            Initialization.InitialResponsibilities.GivenLabels.Check(labels, n, k, data.Source);
        var estimation = new MixedEstimation(o, data, kinds, levels, cancellationToken);
        var result = BatchDriver.Fit(estimation, data,
            new BatchDriver.Settings(o.MaxIterations, o.Tolerance, o.InitCount, o.ChunkRows, o.MaxDegreeOfParallelism), null, progress, cancellationToken);
        var fit = BatchDriver.Report(result, data, o);
        return new MixedMixtureModel(result.Parameters, data.FeatureNames, fit, result.ClusterSizes, result.LogLikelihood);
    }
}
