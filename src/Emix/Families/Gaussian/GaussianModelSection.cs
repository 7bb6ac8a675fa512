using System.Text.Json;
using Emix.Serialization;

namespace Emix.Families.Gaussian;

/// <summary>
/// The Gaussian section of the model file (format "emix-gaussian-mixture", the round-1 layout
/// unchanged): covariance_type before the shape; weights, means and covariances in scikit-learn's
/// shapes after it; reg_covar among the fit options. See <see cref="ModelFile"/> for the whole layout.
/// </summary>
internal sealed class GaussianModelSection : ModelSection
{
    public static readonly GaussianModelSection Instance = new();

    public override string FormatName => ModelFile.FormatName;

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model) =>
        w.WriteString("covariance_type", ((GaussianMixtureModel)model).CovarianceType.ToScikitName());

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var p = ((GaussianMixtureModel)model).Parameters;
        int k = p.ComponentCount, d = p.FeatureCount;
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [k]);
        w.WritePropertyName("means");
        JsonArrays.Write(w, p.Means, [k, d]);
        w.WritePropertyName("covariances");
        JsonArrays.Write(w, p.Covariances, p.Structure.Shape(k, d));
    }

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options) =>
        w.WriteNumber("reg_covar", ((GaussianMixtureOptions)options).RegCovar);

    /// <summary>
    /// The shape, feature names, weights (k), means (k × d) and covariances (the structure's shape) of a
    /// Gaussian-shaped section (the Gaussian's and the Student-t's, whose scales sit in "covariances"),
    /// the sizes checked before anything is allocated.
    /// </summary>
    internal static (int K, int D, IReadOnlyList<string> FeatureNames, double[] Weights, double[] Means, double[] Covariances) ReadMoments(
        JsonElement root, CovarianceStructure structure, Func<string, ModelFormatException> error)
    {
        var (k, d) = ModelFile.ReadShape(root, error);
        long covarianceValues = 1;
        foreach (int extent in structure.Shape(k, d))
            covarianceValues *= extent;
        if (covarianceValues > ModelFile.MaxValues || (long)k * d > ModelFile.MaxValues)
            throw error($"n_components = {k} and n_features = {d} claim {covarianceValues} covariance values, more than this emix accepts ({ModelFile.MaxValues}).");
        var featureNames = ModelFile.ReadFeatureNames(root, d, error);
        var weights = JsonArrays.Read(ModelFile.Required(root, "weights", error), [k], "weights", error);
        var means = JsonArrays.Read(ModelFile.Required(root, "means", error), [k, d], "means", error);
        var covariances = JsonArrays.Read(ModelFile.Required(root, "covariances", error), structure.Shape(k, d), "covariances", error);
        return (k, d, featureNames, weights, means, covariances);
    }

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        string typeName = ModelFile.RequiredString(root, "covariance_type", error);
        if (!MixtureNames.TryParseCovarianceType(typeName, out var type))
            throw error($"\"covariance_type\" is \"{typeName}\"; expected full, tied, diag or spherical.");
        var structure = CovarianceStructure.For(type);
        var (k, d, featureNames, weights, means, covariances) = ReadMoments(root, structure, error);
        GaussianParameters parameters;
        try
        {
            var user = UserParameters.Check(new InitialParameters { Weights = weights, Means = means, Covariances = covariances }, structure, k, d);
            parameters = user.Apply(null, structure, k, d);
        }
        catch (Exception e) when (e is ArgumentException or NumericalFailureException)
        {
            throw error(ModelFile.WithoutPrefix(e.Message).Replace("Fitting the mixture model failed because ", "", StringComparison.Ordinal));
        }

        var stored = ModelFile.ReadFit(root, k, new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type },
            static (options, number) => (GaussianMixtureOptions)options with { RegCovar = number("reg_covar", ((GaussianMixtureOptions)options).RegCovar) },
            error);
        if (stored.StepwiseStatistics is { } running)
        {
            var layout = parameters.StatisticsLayout;
            if (running.Values.Length != layout.Length || running.Centres.Length != layout.CentreLength)
                throw error($"fit.stepwise: {running.Values.Length} statistics and {running.Centres.Length} centres, where this model has {layout.Length} and {layout.CentreLength}.");
        }
        return GaussianMixtureModel.FromStored(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood, stored.StepwiseStatistics);
    }
}
