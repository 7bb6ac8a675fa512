using System.Text.Json;
using Emix.Serialization;

namespace Emix.Families.Poisson;

/// <summary>
/// The Poisson section of the model file (format "emix-poisson-mixture", version 1): after the shared
/// keys, <c>"weights"</c> (k) and <c>"rates"</c> (k × d); no options of its own in the fit report.
/// See <see cref="ModelFile"/> for the whole layout.
/// </summary>
internal sealed class PoissonModelSection : ModelSection
{
    public static readonly PoissonModelSection Instance = new();

    /// <summary>The value of the "format" key.</summary>
    public const string Format = "emix-poisson-mixture";

    public override string FormatName => Format;

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model)
    {
    }

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var p = ((PoissonMixtureModel)model).Parameters;
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [p.ComponentCount]);
        w.WritePropertyName("rates");
        JsonArrays.Write(w, p.Rates, [p.ComponentCount, p.FeatureCount]);
    }

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options)
    {
    }

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        var (k, d) = ModelFile.ReadShape(root, error);
        if ((long)k * d > ModelFile.MaxValues)
            throw error($"n_components = {k} and n_features = {d} claim {(long)k * d} rates, more than this emix accepts ({ModelFile.MaxValues}).");
        var featureNames = ModelFile.ReadFeatureNames(root, d, error);
        var weights = JsonArrays.Read(ModelFile.Required(root, "weights", error), [k], "weights", error);
        var rates = JsonArrays.Read(ModelFile.Required(root, "rates", error), [k, d], "rates", error);
        PoissonParameters parameters;
        try
        {
            parameters = PoissonUserParameters.Check(new PoissonParameterValues(weights, rates), k, d);
        }
        catch (ArgumentException e)
        {
            throw error(e.Message);
        }
        var stored = ModelFile.ReadFit(root, k, new PoissonMixtureOptions { ComponentCount = k }, static (options, _) => options, error);
        if (stored.StepwiseStatistics is { } running && (running.Values.Length != parameters.StatisticsLayout.Length || running.Centres.Length != 0))
            throw error($"fit.stepwise: {running.Values.Length} statistics and {running.Centres.Length} centres, where this model has {parameters.StatisticsLayout.Length} and 0.");
        return new PoissonMixtureModel(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood) { StepwiseStatistics = stored.StepwiseStatistics };
    }
}
