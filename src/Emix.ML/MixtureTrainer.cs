using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Emix.ML;

/// <summary>What <see cref="MixtureTrainer"/> fits and where it reads the rows.</summary>
public sealed record MixtureTrainerOptions
{
    /// <summary>The column of features: a known-size vector (as <c>Concatenate</c> makes) or a scalar, of <see cref="float"/> or <see cref="double"/>. Default "Features".</summary>
    public string FeatureColumnName { get; init; } = "Features";

    /// <summary>A scalar column of sample (frequency) weights, or null (default) for none.</summary>
    public string? ExampleWeightColumnName { get; init; }

    /// <summary>
    /// Every fit option, and by its type the family: <see cref="GaussianMixtureOptions"/> (default: full
    /// covariances, k = 1), <see cref="StudentTMixtureOptions"/>, <see cref="VariationalGaussianMixtureOptions"/>,
    /// <see cref="PoissonMixtureOptions"/>, <see cref="BernoulliMixtureOptions"/>, <see cref="CategoricalMixtureOptions"/>
    /// or <see cref="MixedMixtureOptions"/>.
    /// </summary>
    public MixtureOptions Mixture { get; init; } = new GaussianMixtureOptions();

    /// <summary>Whether NaN marks a missing cell (EM for data missing at random, Gaussian family); otherwise (default) a NaN is an error naming its row and column.</summary>
    public bool AllowMissing { get; init; }

    /// <summary>Where the rows come from, for messages (default "data view").</summary>
    public string Source { get; init; } = "data view";
}

/// <summary>
/// An ML.NET estimator that fits an Emix mixture on the rows of a view, streamed through
/// <see cref="DataViewRowSource"/> (each pass reads the view again; nothing copies it whole), and
/// returns a <see cref="MixtureTransformer"/>. The model is the one <c>emix fit</c> gives on the same
/// values in the same order with the same options (same bits).
/// </summary>
public sealed class MixtureTrainer : IEstimator<MixtureTransformer>
{
    /// <summary>Creates the estimator.</summary>
    /// <exception cref="ArgumentException">The mixture options are invalid.</exception>
    public MixtureTrainer(MixtureTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Mixture);
        options.Mixture.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public MixtureTrainerOptions Options { get; }

    /// <summary>Fits the mixture on every row of <paramref name="input"/>.</summary>
    /// <exception cref="DataFormatException">The feature column is missing or not numeric, the view is empty, a value is not finite, or a weight is bad.</exception>
    /// <exception cref="NumericalFailureException">The fit failed numerically (a component collapsed), as <c>emix fit</c> reports.</exception>
    public MixtureTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var rows = new DataViewRowSource(input, Options.FeatureColumnName, Options.AllowMissing, Options.Source);
        RowSource data = Options.ExampleWeightColumnName is { } weights ? rows.WithWeights(rows.ReadColumn(weights)) : rows;
        return new MixtureTransformer(FitModel(Options.Mixture, data), Options.FeatureColumnName);
    }

    /// <summary>The input columns followed by the output columns of <see cref="MixtureColumns"/>.</summary>
    /// <exception cref="DataFormatException">The feature column is missing or not a known-size numeric vector or scalar.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var found = inputSchema.Where(c => c.Name == Options.FeatureColumnName).ToList();
        if (found.Count == 0)
        {
            throw new DataFormatException(
                $"{Options.Source}: there is no column named '{Options.FeatureColumnName}'; available columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        }
        var features = found[^1];
        if ((features.ItemType != NumberDataViewType.Single && features.ItemType != NumberDataViewType.Double)
            || features.Kind == SchemaShape.Column.VectorKind.VariableVector)
        {
            throw new DataFormatException(
                $"{Options.Source}: column '{Options.FeatureColumnName}' holds {features.ItemType} values{(features.Kind == SchemaShape.Column.VectorKind.VariableVector ? " of variable size" : "")}; name a column of Single or Double values (a scalar or a known-size vector, as Concatenate makes).");
        }
        int k = Options.Mixture.ComponentCount;
        var outputs = ShapeOf(null, MixtureColumns.Schema(k));
        var names = outputs.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return new SchemaShape(inputSchema.Where(c => !names.Contains(c.Name)).Concat(outputs));
    }

    // SchemaShape.Column has no public constructor: ML.NET makes shapes only inside its own assemblies.
    // Its internal SchemaShape.Create(DataViewSchema) is the one way to the shapes of columns whose
    // schema is known, and UnsafeAccessor reaches it without reflection (checked at the first call).
    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "Create")]
    private static extern SchemaShape ShapeOf(SchemaShape? shapeType, DataViewSchema schema);

    /// <summary>Fits the family the options' type names.</summary>
    internal static MixtureModel FitModel(MixtureOptions options, RowSource data) => options switch
    {
        GaussianMixtureOptions gaussian => new GaussianMixture(gaussian).Fit(data),
        StudentTMixtureOptions studentT => new StudentTMixture(studentT).Fit(data),
        VariationalGaussianMixtureOptions variational => new VariationalGaussianMixture(variational).Fit(data),
        PoissonMixtureOptions poisson => new PoissonMixture(poisson).Fit(data),
        BernoulliMixtureOptions bernoulli => new BernoulliMixture(bernoulli).Fit(data),
        CategoricalMixtureOptions categorical => new CategoricalMixture(categorical).Fit(data),
        MixedMixtureOptions mixed => new MixedMixture(mixed).Fit(data),
        _ => throw new ArgumentException($"{options.GetType().Name}: not a family Emix.ML fits.", nameof(options)),
    };
}

/// <summary>Emix's mixtures among ML.NET's clustering trainers: <c>mlContext.Clustering.Trainers.GaussianMixture(…)</c>.</summary>
public static class ClusteringTrainersExtensions
{
    /// <summary>A Gaussian mixture of <paramref name="numberOfClusters"/> components with the given covariance structure; every other option at Emix's defaults (scikit-learn's).</summary>
    /// <param name="catalog">ML.NET's clustering trainers.</param>
    /// <param name="featureColumnName">The column of features.</param>
    /// <param name="exampleWeightColumnName">A column of sample weights, or null.</param>
    /// <param name="numberOfClusters">The number of components k.</param>
    /// <param name="covarianceType">The covariance structure.</param>
    public static MixtureTrainer GaussianMixture(this ClusteringCatalog.ClusteringTrainers catalog, string featureColumnName = "Features",
        string? exampleWeightColumnName = null, int numberOfClusters = 5, CovarianceType covarianceType = CovarianceType.Full) =>
        catalog.GaussianMixture(new GaussianMixtureOptions { ComponentCount = numberOfClusters, CovarianceType = covarianceType },
            featureColumnName, exampleWeightColumnName);

    /// <summary>A Gaussian mixture with every fit option of Emix (tolerance, inits, seed, threads, frozen parameters, …).</summary>
    /// <param name="catalog">ML.NET's clustering trainers.</param>
    /// <param name="options">The fit options.</param>
    /// <param name="featureColumnName">The column of features.</param>
    /// <param name="exampleWeightColumnName">A column of sample weights, or null.</param>
    public static MixtureTrainer GaussianMixture(this ClusteringCatalog.ClusteringTrainers catalog, GaussianMixtureOptions options,
        string featureColumnName = "Features", string? exampleWeightColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MixtureTrainer(new MixtureTrainerOptions { Mixture = options, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName });
    }

    /// <summary>A mixture of any Emix family, named by the type of <see cref="MixtureTrainerOptions.Mixture"/>.</summary>
    /// <param name="catalog">ML.NET's clustering trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MixtureTrainer Mixture(this ClusteringCatalog.ClusteringTrainers catalog, MixtureTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MixtureTrainer(options);
    }
}
