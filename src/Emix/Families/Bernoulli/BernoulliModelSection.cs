using System.Text.Json;
using Emix.Serialization;

namespace Emix.Families.Bernoulli;

/// <summary>The Bernoulli section of the model file (format "emix-bernoulli-mixture", version 1): "weights" (k) and "probabilities" (k × d).</summary>
internal sealed class BernoulliModelSection : ModelSection
{
    public static readonly BernoulliModelSection Instance = new();

    public override string FormatName => "emix-bernoulli-mixture";

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model)
    {
    }

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var p = ((BernoulliMixtureModel)model).Parameters;
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [p.ComponentCount]);
        w.WritePropertyName("probabilities");
        JsonArrays.Write(w, p.Probabilities, [p.ComponentCount, p.FeatureCount]);
    }

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options)
    {
    }

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        var (k, d) = ModelFile.ReadShape(root, error);
        if ((long)k * d > ModelFile.MaxValues)
            throw error($"n_components = {k} and n_features = {d} claim {(long)k * d} probabilities, more than this emix accepts ({ModelFile.MaxValues}).");
        var featureNames = ModelFile.ReadFeatureNames(root, d, error);
        var weights = JsonArrays.Read(ModelFile.Required(root, "weights", error), [k], "weights", error);
        var probabilities = JsonArrays.Read(ModelFile.Required(root, "probabilities", error), [k, d], "probabilities", error);
        BernoulliParameters parameters;
        try
        {
            parameters = BernoulliUserParameters.Check(new BernoulliParameterValues(weights, probabilities), k, d);
        }
        catch (ArgumentException e)
        {
            throw error(e.Message);
        }
        var stored = ModelFile.ReadFit(root, k, new BernoulliMixtureOptions { ComponentCount = k }, static (options, _) => options, error);
        if (stored.StepwiseStatistics is { } running && (running.Values.Length != parameters.StatisticsLayout.Length || running.Centres.Length != 0))
            throw error($"fit.stepwise: {running.Values.Length} statistics and {running.Centres.Length} centres, where this model has {parameters.StatisticsLayout.Length} and 0.");
        return new BernoulliMixtureModel(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood) { StepwiseStatistics = stored.StepwiseStatistics };
    }
}
