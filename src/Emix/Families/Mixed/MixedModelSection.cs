using System.Text.Json;
using Emix.Serialization;

namespace Emix.Families.Mixed;

/// <summary>
/// The mixed-type section of the model file (format "emix-mixed-mixture", version 1): after the
/// shared keys, "weights" (k) and "features", one object per column in order: "name", "family" and
/// its parameters — gaussian "means" and "variances" (k each), poisson "rates" (k), bernoulli
/// "probabilities" (k), categorical "levels" (L) and "probabilities" (k × L); reg_covar among the fit
/// options. See <see cref="ModelFile"/> for the whole layout.
/// </summary>
internal sealed class MixedModelSection : ModelSection
{
    public static readonly MixedModelSection Instance = new();

    /// <summary>The value of the "format" key.</summary>
    public const string Format = "emix-mixed-mixture";

    public override string FormatName => Format;

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model)
    {
    }

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var m = (MixedMixtureModel)model;
        var p = m.Parameters;
        int k = p.ComponentCount;
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [k]);
        w.WriteStartArray("features");
        for (int a = 0; a < p.FeatureCount; a++)
        {
            w.WriteStartObject();
            w.WriteString("name", m.FeatureNames[a]);
            w.WriteString("family", ColumnFamily.NameOf(p.Kinds[a]));
            switch (p.Kinds[a])
            {
                case FeatureFamily.Gaussian:
                    w.WritePropertyName("means");
                    JsonArrays.Write(w, p.First[a]!, [k]);
                    w.WritePropertyName("variances");
                    JsonArrays.Write(w, p.Second[a]!, [k]);
                    break;
                case FeatureFamily.Categorical:
                    w.WritePropertyName("levels");
                    JsonArrays.Write(w, p.Levels[a], [p.Levels[a].Length]);
                    w.WritePropertyName("probabilities");
                    JsonArrays.Write(w, p.Probabilities[a]!, [k, p.Levels[a].Length]);
                    break;
                default:
                    w.WritePropertyName(p.Kinds[a] == FeatureFamily.Poisson ? "rates" : "probabilities");
                    JsonArrays.Write(w, p.First[a]!, [k]);
                    break;
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options) =>
        w.WriteNumber("reg_covar", ((MixedMixtureOptions)options).RegCovar);

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        var (k, d) = ModelFile.ReadShape(root, error);
        var featureNames = ModelFile.ReadFeatureNames(root, d, error);
        var weights = JsonArrays.Read(ModelFile.Required(root, "weights", error), [k], "weights", error);
        var list = ModelFile.Required(root, "features", error);
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != d)
            throw error($"features: expected an array of n_features = {d} objects, found {JsonArrays.Describe(list)}.");
        var kinds = new FeatureFamily[d];
        var first = new double[]?[d];
        var second = new double[]?[d];
        var levels = new double[d][];
        var probabilities = new double[]?[d];
        int a = 0;
        foreach (var feature in list.EnumerateArray())
        {
            ModelFormatException FeatureError(string message) => error($"features[{a}]: {message}");
            if (feature.ValueKind != JsonValueKind.Object)
                throw FeatureError($"expected an object, found {JsonArrays.Describe(feature)}.");
            string name = ModelFile.RequiredString(feature, "name", FeatureError);
            if (name != featureNames[a])
                throw FeatureError($"name \"{name}\" differs from feature_names[{a}] \"{featureNames[a]}\".");
            string family = ModelFile.RequiredString(feature, "family", FeatureError);
            if (!ColumnFamily.TryParseFamily(family, out kinds[a]))
                throw FeatureError($"unknown family \"{family}\"; expected gaussian, poisson, bernoulli or categorical.");
            levels[a] = [];
            switch (kinds[a])
            {
                case FeatureFamily.Gaussian:
                    first[a] = JsonArrays.Read(ModelFile.Required(feature, "means", FeatureError), [k], "means", FeatureError);
                    second[a] = JsonArrays.Read(ModelFile.Required(feature, "variances", FeatureError), [k], "variances", FeatureError);
                    break;
                case FeatureFamily.Categorical:
                    var levelsElement = ModelFile.Required(feature, "levels", FeatureError);
                    int count = levelsElement.ValueKind == JsonValueKind.Array ? levelsElement.GetArrayLength() : 0;
                    if (count < 1 || count > Categorical.CategoricalFamily.MaxLevels)
                        throw FeatureError($"levels: expected an array of 1 to {Categorical.CategoricalFamily.MaxLevels} integers, found {JsonArrays.Describe(levelsElement)}.");
                    levels[a] = JsonArrays.Read(levelsElement, [count], "levels", FeatureError);
                    for (int l = 0; l < count; l++)
                        if (levels[a][l] != Math.Floor(levels[a][l]) || (l > 0 && levels[a][l] <= levels[a][l - 1]))
                            throw FeatureError("levels: expected distinct integers in ascending order.");
                    probabilities[a] = JsonArrays.Read(ModelFile.Required(feature, "probabilities", FeatureError), [k, count], "probabilities", FeatureError);
                    break;
                default:
                    string key = kinds[a] == FeatureFamily.Poisson ? "rates" : "probabilities";
                    first[a] = JsonArrays.Read(ModelFile.Required(feature, key, FeatureError), [k], key, FeatureError);
                    break;
            }
            a++;
        }
        MixedParameters parameters;
        try
        {
            parameters = MixedMixtureModel.Check(kinds, weights, first, second, levels, probabilities);
        }
        catch (ArgumentException e)
        {
            throw error(e.Message);
        }
        var stored = ModelFile.ReadFit(root, k, new MixedMixtureOptions { ComponentCount = k },
            static (options, number) => (MixedMixtureOptions)options with { RegCovar = number("reg_covar", ((MixedMixtureOptions)options).RegCovar) }, error);
        return new MixedMixtureModel(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood);
    }
}
