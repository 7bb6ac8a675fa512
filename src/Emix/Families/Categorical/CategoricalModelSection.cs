using System.Globalization;
using System.Text.Json;
using Emix.Serialization;

namespace Emix.Families.Categorical;

/// <summary>
/// The categorical section of the model file (format "emix-categorical-mixture", version 1): "weights" (k),
/// "levels" (per feature its levels, ascending) and "probabilities" (per feature a k × L_a matrix whose rows sum to 1).
/// </summary>
internal sealed class CategoricalModelSection : ModelSection
{
    public static readonly CategoricalModelSection Instance = new();

    public override string FormatName => "emix-categorical-mixture";

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model)
    {
    }

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var p = ((CategoricalMixtureModel)model).Parameters;
        int k = p.ComponentCount, total = p.LevelTotal;
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [k]);
        w.WriteStartArray("levels");
        foreach (var levels in p.Levels)
            JsonArrays.Write(w, levels, [levels.Length]);
        w.WriteEndArray();
        w.WriteStartArray("probabilities");
        for (int a = 0; a < p.FeatureCount; a++)
        {
            int from = p.Offsets[a], count = p.Offsets[a + 1] - from;
            var block = new double[k * count];
            for (int j = 0; j < k; j++)
                p.Probabilities.AsSpan((j * total) + from, count).CopyTo(block.AsSpan(j * count, count));
            JsonArrays.Write(w, block, [k, count]);
        }
        w.WriteEndArray();
    }

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options) =>
        w.WriteNumber("pseudo_count", ((CategoricalMixtureOptions)options).PseudoCount);

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        var (k, d) = ModelFile.ReadShape(root, error);
        var featureNames = ModelFile.ReadFeatureNames(root, d, error);
        var weights = JsonArrays.Read(ModelFile.Required(root, "weights", error), [k], "weights", error);
        var levelsElement = ModelFile.Required(root, "levels", error);
        var probabilitiesElement = ModelFile.Required(root, "probabilities", error);
        if (levelsElement.ValueKind != JsonValueKind.Array || levelsElement.GetArrayLength() != d)
            throw error($"levels: expected an array of {d} arrays, found {JsonArrays.Describe(levelsElement)}.");
        if (probabilitiesElement.ValueKind != JsonValueKind.Array || probabilitiesElement.GetArrayLength() != d)
            throw error($"probabilities: expected an array of {d} matrices, found {JsonArrays.Describe(probabilitiesElement)}.");
        var levels = new double[d][];
        var blocks = new double[d][];
        long total = 0;
        for (int a = 0; a < d; a++)
        {
            var l = levelsElement[a];
            int count = l.ValueKind == JsonValueKind.Array ? l.GetArrayLength() : -1;
            if (count < 1 || count > CategoricalFamily.MaxLevels)
                throw error($"levels[{a}]: expected 1 to {CategoricalFamily.MaxLevels} numbers, found {JsonArrays.Describe(l)}.");
            levels[a] = JsonArrays.Read(l, [count], $"levels[{a}]", error);
            for (int i = 0; i < count; i++)
                if (levels[a][i] != Math.Floor(levels[a][i]) || (i > 0 && !(levels[a][i] > levels[a][i - 1])))
                    throw error(string.Create(CultureInfo.InvariantCulture, $"levels[{a}]: expected ascending distinct integers, found {levels[a][i]:R} at {i}."));
            total += count;
            if (total * k > ModelFile.MaxValues)
                throw error($"the levels claim more probabilities than this emix accepts ({ModelFile.MaxValues}).");
            blocks[a] = JsonArrays.Read(probabilitiesElement[a], [k, count], $"probabilities[{a}]", error);
        }
        var flat = new double[k * total];
        int offset = 0;
        for (int a = 0; a < d; a++)
        {
            int count = levels[a].Length;
            for (int j = 0; j < k; j++)
            {
                double sum = 0;
                for (int l = 0; l < count; l++)
                {
                    double v = blocks[a][(j * count) + l];
                    if (!(v >= 0 && v <= 1))
                        throw error(string.Create(CultureInfo.InvariantCulture, $"probabilities[{a}][{j}][{l}] is {v:R}; probabilities must be in [0, 1]."));
                    flat[(j * total) + offset + l] = v;
                    sum += v;
                }
                if (Math.Abs(sum - 1) > 1e-8)
                    throw error(string.Create(CultureInfo.InvariantCulture, $"probabilities[{a}][{j}] sum to {sum:R}, not 1."));
            }
            offset += count;
        }
        try
        {
            Engine.CellChecks.CheckWeights(weights);
        }
        catch (ArgumentException e)
        {
            throw error(e.Message);
        }
        var parameters = CategoricalParameters.Create(k, levels, weights, flat);
        var stored = ModelFile.ReadFit(root, k, new CategoricalMixtureOptions { ComponentCount = k },
            static (options, number) => (CategoricalMixtureOptions)options with { PseudoCount = number("pseudo_count", 0) }, error);
        if (stored.StepwiseStatistics is { } running && (running.Values.Length != parameters.StatisticsLayout.Length || running.Centres.Length != 0))
            throw error($"fit.stepwise: {running.Values.Length} statistics and {running.Centres.Length} centres, where this model has {parameters.StatisticsLayout.Length} and 0.");
        return new CategoricalMixtureModel(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood) { StepwiseStatistics = stored.StepwiseStatistics };
    }
}
