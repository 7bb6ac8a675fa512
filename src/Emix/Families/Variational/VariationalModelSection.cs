using System.Text.Json;
using Emix.Families.Gaussian;
using Emix.Serialization;

namespace Emix.Families.Variational;

/// <summary>
/// The variational section of the model file (format "emix-variational-gaussian-mixture", version 1):
/// covariance_type and weight_prior ("process" or "distribution") before the shape; after it
/// scikit-learn's fitted attributes in its shapes — weights, means, covariances (normalised by ν),
/// weight_concentration ([2][k] for a process: a then b; [k] for a distribution), mean_precision [k],
/// degrees_of_freedom ([k]; a scalar for tied) — and the priors used ("priors": weight_concentration,
/// mean_precision, mean (d), degrees_of_freedom, covariance in the structure's shape). The fit
/// report's lower_bound and its history are scikit-learn's total bound. See <see cref="ModelFile"/>.
/// </summary>
internal sealed class VariationalModelSection : ModelSection
{
    public static readonly VariationalModelSection Instance = new();

    /// <summary>The value of the "format" key.</summary>
    public const string Format = "emix-variational-gaussian-mixture";

    public override string FormatName => Format;

    private static string PriorName(WeightPrior prior) => prior == WeightPrior.Process ? "process" : "distribution";

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model)
    {
        var m = (VariationalGaussianMixtureModel)model;
        w.WriteString("covariance_type", m.CovarianceType.ToScikitName());
        w.WriteString("weight_prior", PriorName(m.WeightPrior));
    }

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var m = (VariationalGaussianMixtureModel)model;
        var p = m.Parameters;
        var posterior = p.Posterior!;
        int k = p.ComponentCount, d = p.FeatureCount;
        var shape = p.Structure.Shape(k, d);
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [k]);
        w.WritePropertyName("means");
        JsonArrays.Write(w, p.Means, [k, d]);
        w.WritePropertyName("covariances");
        JsonArrays.Write(w, p.Covariances, shape);
        w.WritePropertyName("weight_concentration");
        JsonArrays.Write(w, m.WeightConcentration, posterior.ConcentrationB is null ? [k] : [2, k]);
        w.WritePropertyName("mean_precision");
        JsonArrays.Write(w, posterior.MeanPrecision, [k]);
        if (p.Structure.IsShared)
            w.WriteNumber("degrees_of_freedom", posterior.DegreesOfFreedom[0]);
        else
        {
            w.WritePropertyName("degrees_of_freedom");
            JsonArrays.Write(w, posterior.DegreesOfFreedom, [k]);
        }
        var priors = posterior.Priors;
        w.WriteStartObject("priors");
        w.WriteNumber("weight_concentration", priors.WeightConcentration);
        w.WriteNumber("mean_precision", priors.MeanPrecision);
        w.WritePropertyName("mean");
        JsonArrays.Write(w, priors.MeanPrior, [d]);
        w.WriteNumber("degrees_of_freedom", priors.DegreesOfFreedom);
        if (p.Structure.Type == CovarianceType.Spherical)
            w.WriteNumber("covariance", priors.CovariancePrior[0]);
        else
        {
            w.WritePropertyName("covariance");
            JsonArrays.Write(w, priors.CovariancePrior, CovariancePriorShape(p.Structure.Type, d));
        }
        w.WriteEndObject();
    }

    private static int[] CovariancePriorShape(CovarianceType type, int d) => type switch
    {
        CovarianceType.Full or CovarianceType.Tied => [d, d],
        _ => [d],
    };

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options) =>
        w.WriteNumber("reg_covar", ((VariationalGaussianMixtureOptions)options).RegCovar);

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        string typeName = ModelFile.RequiredString(root, "covariance_type", error);
        if (!MixtureNames.TryParseCovarianceType(typeName, out var type))
            throw error($"\"covariance_type\" is \"{typeName}\"; expected full, tied, diag or spherical.");
        string priorName = ModelFile.RequiredString(root, "weight_prior", error);
        var weightPrior = priorName switch
        {
            "process" => WeightPrior.Process,
            "distribution" => WeightPrior.Distribution,
            _ => throw error($"\"weight_prior\" is \"{priorName}\"; expected process or distribution."),
        };
        var structure = CovarianceStructure.For(type);
        var (k, d, featureNames, _, means, covariances) = GaussianModelSection.ReadMoments(root, structure, error);
        var concentration = JsonArrays.Read(ModelFile.Required(root, "weight_concentration", error), weightPrior == WeightPrior.Process ? [2, k] : [k], "weight_concentration", error);
        var beta = JsonArrays.Read(ModelFile.Required(root, "mean_precision", error), [k], "mean_precision", error);
        var nuElement = ModelFile.Required(root, "degrees_of_freedom", error);
        double[] nu = structure.IsShared
            ? Enumerable.Repeat(JsonArrays.ReadNumber(nuElement, "degrees_of_freedom", error), k).ToArray()
            : JsonArrays.Read(nuElement, [k], "degrees_of_freedom", error);
        var priorsElement = ModelFile.Required(root, "priors", error);
        ModelFormatException PriorError(string message) => error($"priors: {message}");
        double Scalar(string name) => JsonArrays.ReadNumber(ModelFile.Required(priorsElement, name, PriorError), name, PriorError);
        var priors = new VariationalPriors(weightPrior, Scalar("weight_concentration"), Scalar("mean_precision"),
            JsonArrays.Read(ModelFile.Required(priorsElement, "mean", PriorError), [d], "mean", PriorError), Scalar("degrees_of_freedom"),
            type == CovarianceType.Spherical ? [Scalar("covariance")]
                : JsonArrays.Read(ModelFile.Required(priorsElement, "covariance", PriorError), CovariancePriorShape(type, d), "covariance", PriorError));
        bool positive = Array.TrueForAll(concentration, v => v > 0 && double.IsFinite(v)) && Array.TrueForAll(beta, v => v > 0 && double.IsFinite(v))
            && Array.TrueForAll(nu, v => v > d - 1 && double.IsFinite(v));
        if (!positive)
            throw error($"weight_concentration and mean_precision must be > 0, degrees_of_freedom > d − 1 = {d - 1}.");
        var a = concentration.AsSpan(0, k).ToArray();
        double[]? b = weightPrior == WeightPrior.Process ? concentration.AsSpan(k, k).ToArray() : null;
        var posterior = VariationalPosterior.FromStored(priors, structure, d, a, b, beta, nu);
        GaussianParameters parameters;
        try
        {
            parameters = GaussianParameters.CreateVariational(structure, d, posterior, means, covariances);
        }
        catch (NumericalFailureException e)
        {
            throw error(ModelFile.WithoutPrefix(e.Message).Replace("Fitting the mixture model failed because ", "", StringComparison.Ordinal));
        }
        var stored = ModelFile.ReadFit(root, k, new VariationalGaussianMixtureOptions { ComponentCount = k, CovarianceType = type, WeightPrior = weightPrior },
            static (options, number) => (VariationalGaussianMixtureOptions)options with { RegCovar = number("reg_covar", ((VariationalGaussianMixtureOptions)options).RegCovar) },
            error);
        return new VariationalGaussianMixtureModel(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood);
    }
}
