using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Emix.Cli;

/// <summary>
/// The fit options beyond scikit-learn's: sample weights (<c>--weights</c>, <c>--weight-column</c>),
/// frozen parameters (<c>--fix</c>) and the collapse policy (<c>--on-collapse</c>). Shared by the
/// commands that fit.
/// </summary>
internal sealed record FitConstraintOptions(Option<string?> Weights, Option<string?> WeightColumn, Option<string?>? Fix, Option<string> OnCollapse)
{
    /// <summary>Adds the options to <paramref name="command"/>; <c>--fix</c> only when <paramref name="withFix"/> (a grid of k has no one set of parameters to hold).</summary>
    public static FitConstraintOptions AddTo(Command command, bool withFix = true)
    {
        var options = new FitConstraintOptions(
            new Option<string?>("--weights")
            {
                Description = "File of sample weights, one non-negative number per data row ('#' lines and blank lines skipped). Frequency weights: weight 3 counts as 3 identical rows.",
            },
            new Option<string?>("--weight-column")
            {
                Description = "Column of DATA (name or 1-based index) holding the sample weights; it is not a feature.",
            },
            !withFix ? null : new Option<string?>("--fix")
            {
                Description = "Parameters left as given by --init-params: a comma list of weights, means, covariances (all components), or a JSON file {\"weights\": [true, false, …], \"means\": […], \"covariances\": […]} per component.",
            },
            new Option<string>("--on-collapse")
            {
                Description = "When a component collapses: error (as scikit-learn), reseed (restart it at the worst-explained row) or drop (go on with one fewer).",
                DefaultValueFactory = _ => "error",
            });
        options.OnCollapse.AcceptOnlyFromAmong("error", "reseed", "drop");
        command.Options.Add(options.Weights);
        command.Options.Add(options.WeightColumn);
        if (options.Fix is not null)
            command.Options.Add(options.Fix);
        command.Options.Add(options.OnCollapse);
        return options;
    }

    /// <summary>The options with the collapse policy and frozen parts set (checked before the data are read).</summary>
    public GaussianMixtureOptions ApplyTo(GaussianMixtureOptions options, ParseResult parse)
    {
        var policy = parse.GetValue(OnCollapse) switch
        {
            "reseed" => CollapsePolicy.Reseed,
            "drop" => CollapsePolicy.Drop,
            _ => CollapsePolicy.Error,
        };
        if (parse.GetValue(Weights) is not null && parse.GetValue(WeightColumn) is not null)
            throw new UsageException("--weights and --weight-column both give sample weights; use one.");
        return options with { OnCollapse = policy, Frozen = Fix is not null && parse.GetValue(Fix) is { } fix ? ParseFix(fix, options.ComponentCount) : null };
    }

    /// <summary>The rows with their sample weights, when some were asked for.</summary>
    public RowSource WithWeights(RowSource rows, ParseResult parse)
    {
        if (parse.GetValue(Weights) is { } path)
            return rows.WithWeights(ReadWeightsFile(path));
        if (parse.GetValue(WeightColumn) is not { } column)
            return rows;
        if (rows is not DataSet data)
            throw new UsageException("--weight-column needs the data in memory, and these are streamed from disk (--memory-limit); give the weights with --weights FILE.");
        int index = FindColumn(data, column);
        int n = data.RowCount, d = data.FeatureCount;
        if (d == 1)
            throw new UsageException($"--weight-column {column}: it is the only column of {data.Source}; no feature would be left.");
        var weights = new double[n];
        var features = new double[n * (d - 1)];
        var values = data.Values;
        for (int i = 0; i < n; i++)
        {
            weights[i] = values[(i * d) + index];
            for (int a = 0, b = 0; a < d; a++)
                if (a != index)
                    features[(i * (d - 1)) + b++] = values[(i * d) + a];
        }
        var names = data.FeatureNames.Where((_, a) => a != index).ToArray();
        return DataSet.Wrap(features, d - 1, names, data.Source).WithWeights(weights);
    }

    private static int FindColumn(DataSet data, string column)
    {
        for (int a = 0; a < data.FeatureCount; a++)
            if (string.Equals(data.FeatureNames[a], column, StringComparison.Ordinal))
                return a;
        if (int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out int oneBased) && oneBased >= 1 && oneBased <= data.FeatureCount)
            return oneBased - 1;
        throw new UsageException($"--weight-column {column}: no such column in {data.Source} (columns: {string.Join(", ", data.FeatureNames)}); with --columns, list it there too.");
    }

    /// <summary>One number per line; blank lines and '#' comments skipped; the first bad line is named.</summary>
    internal static double[] ReadWeightsFile(string path)
    {
        var weights = new List<double>();
        int line = 0;
        try
        {
            foreach (string raw in File.ReadLines(path))
            {
                line++;
                string text = raw.Trim();
                if (text.Length == 0 || text[0] == '#')
                    continue;
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double w))
                    throw new DataFormatException($"{path} line {line}: '{(text.Length > 40 ? text[..40] + "…" : text)}' is not a number.");
                weights.Add(w);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{path}: cannot read the weights ({e.Message}).", e);
        }
        return [.. weights];
    }

    /// <summary>"weights,means" for all components, or a JSON file of per-component booleans.</summary>
    internal static FrozenParameters ParseFix(string fix, int k)
    {
        if (File.Exists(fix) || fix.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ParseFixFile(fix, k);
        var kinds = ParameterKinds.None;
        foreach (string part in fix.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            kinds |= part switch
            {
                "weights" => ParameterKinds.Weights,
                "means" => ParameterKinds.Means,
                "covariances" => ParameterKinds.Covariances,
                _ => throw new UsageException($"--fix {fix}: '{part}' is not weights, means or covariances (or a JSON mask file)."),
            };
        }
        return FrozenParameters.All(kinds);
    }

    private static FrozenParameters ParseFixFile(string path, int k)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new DataFormatException($"{path}: cannot read the --fix mask ({e.Message.Split('\n')[0]}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new DataFormatException($"{path}: the --fix mask must be a JSON object with \"weights\", \"means\" and/or \"covariances\" arrays.");
            var per = new ParameterKinds[k];
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var kind = property.Name switch
                {
                    "weights" => ParameterKinds.Weights,
                    "means" => ParameterKinds.Means,
                    "covariances" => ParameterKinds.Covariances,
                    _ => throw new DataFormatException($"{path}: unknown key \"{property.Name}\"; expected weights, means or covariances."),
                };
                var value = property.Value;
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != k)
                    throw new DataFormatException($"{path}: \"{property.Name}\" must be an array of {k} booleans (one per component).");
                int j = 0;
                foreach (var flag in value.EnumerateArray())
                {
                    if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        throw new DataFormatException($"{path}: \"{property.Name}\"[{j}] must be true or false.");
                    if (flag.ValueKind == JsonValueKind.True)
                        per[j] |= kind;
                    j++;
                }
            }
            return new FrozenParameters { PerComponent = per };
        }
    }
}
