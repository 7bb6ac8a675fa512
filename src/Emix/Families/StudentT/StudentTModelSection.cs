using System.Text.Json;
using Emix.Serialization;

namespace Emix.Families.StudentT;

/// <summary>
/// The Student-t section of the model file (format "emix-student-t-mixture", version 1):
/// covariance_type (full or diag) before the shape; after it weights (k), means (k × d),
/// covariances (the scale matrices, in the Gaussian covariances' shape), degrees_of_freedom (k) and
/// degrees_of_freedom_fixed; reg_covar, df_init and (when fixed) df among the fit options.
/// See <see cref="ModelFile"/> for the whole layout.
/// </summary>
internal sealed class StudentTModelSection : ModelSection
{
    public static readonly StudentTModelSection Instance = new();

    /// <summary>The value of the "format" key.</summary>
    public const string Format = "emix-student-t-mixture";

    public override string FormatName => Format;

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model) =>
        w.WriteString("covariance_type", ((StudentTMixtureModel)model).CovarianceType.ToScikitName());

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var m = (StudentTMixtureModel)model;
        var p = m.Parameters;
        int k = p.ComponentCount, d = p.FeatureCount;
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [k]);
        w.WritePropertyName("means");
        JsonArrays.Write(w, p.Means, [k, d]);
        w.WritePropertyName("covariances");
        JsonArrays.Write(w, p.Covariances, p.Structure.Shape(k, d));
        w.WritePropertyName("degrees_of_freedom");
        JsonArrays.Write(w, p.Tails!.DegreesOfFreedom, [k]);
        w.WriteBoolean("degrees_of_freedom_fixed", p.Tails.Fixed);
    }

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options)
    {
        var o = (StudentTMixtureOptions)options;
        w.WriteNumber("reg_covar", o.RegCovar);
        w.WriteNumber("df_init", o.InitialDegreesOfFreedom);
        if (o.DegreesOfFreedom is { } nu)
            w.WriteNumber("df", nu);
    }

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        string typeName = ModelFile.RequiredString(root, "covariance_type", error);
        if (!MixtureNames.TryParseCovarianceType(typeName, out var type) || type is not (CovarianceType.Full or CovarianceType.Diagonal))
            throw error($"\"covariance_type\" is \"{typeName}\"; expected full or diag.");
        var structure = Gaussian.CovarianceStructure.For(type);
        var (k, d, featureNames, weights, means, scales) = Gaussian.GaussianModelSection.ReadMoments(root, structure, error);
        var nu = JsonArrays.Read(ModelFile.Required(root, "degrees_of_freedom", error), [k], "degrees_of_freedom", error);
        bool isFixed = ModelFile.Required(root, "degrees_of_freedom_fixed", error).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw error("degrees_of_freedom_fixed: expected true or false."),
        };
        Gaussian.GaussianParameters parameters;
        try
        {
            parameters = StudentTMixtureModel.Check(type, weights, means, scales, nu, k, d, isFixed);
        }
        catch (Exception e) when (e is ArgumentException or NumericalFailureException)
        {
            throw error(ModelFile.WithoutPrefix(e.Message).Replace("Fitting the mixture model failed because ", "", StringComparison.Ordinal));
        }
        var stored = ModelFile.ReadFit(root, k, new StudentTMixtureOptions { ComponentCount = k, CovarianceType = type },
            static (options, number) =>
            {
                var o = (StudentTMixtureOptions)options;
                double fixedNu = number("df", double.NaN);
                return o with
                {
                    RegCovar = number("reg_covar", o.RegCovar),
                    InitialDegreesOfFreedom = number("df_init", o.InitialDegreesOfFreedom),
                    DegreesOfFreedom = double.IsNaN(fixedNu) ? null : fixedNu,
                };
            },
            error);
        return new StudentTMixtureModel(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood);
    }
}
