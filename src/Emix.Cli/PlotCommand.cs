using System.CommandLine;
using System.Globalization;
using Emix.Data;
using Emix.Plots;

namespace Emix.Cli;

/// <summary>
/// <c>emix plot DATA --kind density|classification|uncertainty|bic -o FILE.png|.svg</c>: mclust's views of a
/// mixture. With <c>--model</c> the saved model is drawn; without, the mixtures of the <c>-k</c> range and
/// covariance types are fitted and the one with the lowest BIC is drawn (or, for <c>bic</c>, all of them).
/// </summary>
internal static class PlotCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var data = CommonOptions.DataArgument();
        var kind = new Option<string>("--kind")
        {
            Description = "What to draw: density, classification, uncertainty, bic, or weights (the --model's mixing weights; for a variational fit, which components the prior switched off; DATA is not read).",
            DefaultValueFactory = _ => "density",
        };
        kind.AcceptOnlyFromAmong("density", "classification", "uncertainty", "bic", "weights");
        var model = new Option<string?>("--model", "-m")
        {
            Description = "Model file (from 'emix fit -o') to draw; without it, mixtures are fitted and the lowest BIC is drawn.",
        };
        var output = CommonOptions.Output("The picture to write: PNG (.png) or SVG (.svg).");
        output.Required = true;
        var width = new Option<int>("--width") { Description = "Width in pixels.", DefaultValueFactory = _ => 800 };
        var height = new Option<int>("--height") { Description = "Height in pixels.", DefaultValueFactory = _ => 600 };
        var components = new Option<string>("--components", "-k")
        {
            Description = "Without --model: component counts to fit, N or A..B (BIC picks among them).",
            DefaultValueFactory = _ => "1..9",
        };
        var covariance = new Option<string>("--covariance")
        {
            Description = "Without --model: covariance structures to fit: all, full (VVV), tied (EEE), diag (VVI) or spherical (VII); comma-separated.",
            DefaultValueFactory = _ => "all",
        };
        var seed = new Option<long>("--seed")
        {
            Description = "Seed of the fits (same seed, data and options: same picture).",
            DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.Seed,
        };
        var title = new Option<string?>("--title") { Description = "Title above the picture (default: what is drawn; \"\" for none)." };
        var bins = new Option<int?>("--bins") { Description = "Histogram bins of a one-column density (default: from the data)." };
        var quiet = CommonOptions.Quiet();

        var command = new Command("plot", "Draw a mixture and its data (mclust's density, classification, uncertainty and BIC views) to a PNG or SVG file.");
        command.Arguments.Add(data);
        foreach (var option in new Option[] { kind, model, output, width, height, components, covariance, seed, title, bins, quiet })
            command.Options.Add(option);
        var columnsOption = CommonOptions.Columns();
        columnsOption.Description = "Columns to draw, comma-separated: names or 1-based indices (default: all; more than two give a pairs grid). "
            + "With --model they are among the model's columns; without, only these are read and fitted.";
        command.Options.Add(columnsOption);
        var header = CommonOptions.Header();
        var noHeader = CommonOptions.NoHeader();
        command.Options.Add(header);
        command.Options.Add(noHeader);
        var dataOptions = new CommonOptions.DataOptions(columnsOption, header, noHeader);

        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            _ = MixtureFigure.FormatOf(path); // a wrong extension is a usage error before any work
            var options = new PlotOptions
            {
                Width = parse.GetValue(width),
                Height = parse.GetValue(height),
                Title = parse.GetValue(title),
                Bins = parse.GetValue(bins),
            };
            options.Validate();
            string what = parse.GetValue(kind)!.ToLowerInvariant();
            bool quietly = parse.GetValue(quiet);
            string dataPath = parse.GetValue(data)!;
            MixtureFigure figure;

            if (what == "weights")
            {
                // The model's weights alone: DATA is not read. A variational fit's line marks the components in use.
                if (parse.GetValue(model) is not { } weightsModel)
                    throw new UsageException("--kind weights plots a fitted model's weights; give it with --model MODEL.json.");
                var fitted = MixtureModel.LoadAny(weightsModel);
                figure = MixturePlot.Weights(fitted, fitted is VariationalGaussianMixtureModel ? VariationalGaussianMixtureModel.UsedWeight : null, options);
            }
            else if (parse.GetValue(model) is { } modelPath)
            {
                if (what == "bic")
                    throw new UsageException("--kind bic fits its own grid of models; leave out --model.");
                var m = GaussianMixtureModel.Load(modelPath);
                var rows = ReadForModel(parse, dataOptions, dataPath, m);
                var columns = parse.GetValue(columnsOption) is { } spec ? ResolveModelColumns(spec, m) : DefaultColumns(context, m.FeatureCount);
                figure = MixturePlot.Draw(KindOf(what), rows, m, options with { Columns = columns });
            }
            else
            {
                var rows = dataOptions.Read(parse, dataPath);
                var counts = ParseRange(parse.GetValue(components)!);
                var types = ParseTypes(parse.GetValue(covariance)!);
                var table = FitGrid(context, rows, counts, types, parse.GetValue(seed), quietly, out var best);
                if (what == "bic")
                {
                    figure = MixturePlot.Criterion(table.Select(t => t.Value), "BIC", options);
                }
                else
                {
                    if (best is null)
                        throw new NumericalFailureException($"{rows.Source}: every fit failed (a component collapsed). {NumericalFailureException.CollapseAdvice}");
                    figure = MixturePlot.Draw(KindOf(what), rows, best, options with { Columns = DefaultColumns(context, rows.FeatureCount) });
                }
                if (best is not null)
                {
                    context.Out.WriteLine(string.Create(Inv,
                        $"Lowest BIC: {best.ModelCode} ({best.CovarianceType.ToScikitName()}), k = {best.ComponentCount}, BIC {best.Bic(rows):F2} (scikit-learn's sign: lower is better; {table.Count} fits)."));
                }
            }

            context.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                figure.Save(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputException($"{path}: cannot write the picture ({e.Message}).", e);
            }
            context.Out.WriteLine(string.Create(Inv, $"Picture written to {path} ({figure.Width}×{figure.Height} {MixtureFigure.FormatOf(path).ToString().ToUpperInvariant()})."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static PlotKind KindOf(string what) => what switch
    {
        "density" => PlotKind.Density,
        "classification" => PlotKind.Classification,
        "uncertainty" => PlotKind.Uncertainty,
        _ => throw new UsageException($"--kind {what}: expected density, classification, uncertainty or bic."),
    };

    /// <summary>More than six columns make an unreadable pairs grid: draw the first six and say so.</summary>
    private static int[] DefaultColumns(CliContext context, int featureCount)
    {
        const int MaxDefault = 6;
        if (featureCount > MaxDefault)
            context.Error.WriteLine(string.Create(Inv, $"emix: drawing the first {MaxDefault} of {featureCount} columns; choose others with --columns."));
        return Enumerable.Range(0, Math.Min(featureCount, MaxDefault)).ToArray();
    }

    /// <summary>Reads the model's columns by name when the file has them, else all columns; they must match the model.</summary>
    private static DataSet ReadForModel(ParseResult parse, CommonOptions.DataOptions dataOptions, string path, GaussianMixtureModel model)
    {
        bool header = parse.GetValue(dataOptions.Header), noHeader = parse.GetValue(dataOptions.NoHeader);
        if (header && noHeader)
            throw new UsageException("--header and --no-header contradict each other; give one.");
        var mode = header ? HeaderMode.Present : noHeader ? HeaderMode.Absent : HeaderMode.Detect;
        DataSet rows;
        try
        {
            rows = CommonOptions.ReadData(path, new CsvReadOptions { Header = mode, Columns = model.FeatureNames });
        }
        catch (DataFormatException)
        {
            rows = CommonOptions.ReadData(path, new CsvReadOptions { Header = mode });
        }
        if (rows.FeatureCount != model.FeatureCount)
            throw new DataFormatException(string.Create(Inv,
                $"{path}: has {rows.FeatureCount} columns, but the model was fitted on {model.FeatureCount} ({string.Join(", ", model.FeatureNames)})."));
        return rows;
    }

    /// <summary>--columns with a model: the model's column names or 1-based indices among them.</summary>
    private static int[] ResolveModelColumns(string spec, GaussianMixtureModel model)
    {
        var entries = spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0)
            throw new UsageException("--columns is empty.");
        var result = new int[entries.Length];
        for (int e = 0; e < entries.Length; e++)
        {
            int found = -1;
            for (int j = 0; j < model.FeatureCount; j++)
                if (string.Equals(model.FeatureNames[j], entries[e], StringComparison.Ordinal))
                    found = j;
            if (found < 0 && int.TryParse(entries[e], NumberStyles.None, Inv, out int index) && index >= 1 && index <= model.FeatureCount)
                found = index - 1;
            if (found < 0)
                throw new UsageException($"--columns: the model has no column '{entries[e]}'; its columns: {string.Join(", ", model.FeatureNames)} (or 1 to {model.FeatureCount}).");
            result[e] = found;
        }
        if (result.Distinct().Count() != result.Length)
            throw new UsageException("--columns: a column is listed twice.");
        return result;
    }

    /// <summary>"3" or "1..9".</summary>
    internal static int[] ParseRange(string text)
    {
        var parts = text.Split("..", StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, Inv, out int from)
            && int.TryParse(parts[^1], NumberStyles.None, Inv, out int to)
            && from >= 1 && to >= from && to - from < 100)
        {
            return Enumerable.Range(from, to - from + 1).ToArray();
        }
        throw new UsageException($"-k {text}: expected a number of components N or a range A..B (1 ≤ A ≤ B, at most 100 values).");
    }

    private static CovarianceType[] ParseTypes(string text)
    {
        if (string.Equals(text.Trim(), "all", StringComparison.OrdinalIgnoreCase))
            return [.. MixtureNames.CovarianceTypes];
        var result = new List<CovarianceType>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!MixtureNames.TryParseCovarianceType(part, out var type))
                throw new UsageException($"--covariance {part}: expected all (full, tied, diag, spherical), or a comma list of {string.Join(", ", MixtureNames.CovarianceTypeNames)}.");
            if (!result.Contains(type))
                result.Add(type);
        }
        if (result.Count == 0)
            throw new UsageException("--covariance is empty.");
        return result.ToArray();
    }

    /// <summary>
    /// Fits every (k, structure) of the grid with the library's defaults and the seed; a fit whose
    /// component collapses gets no value (mclust leaves such cells empty too). The lowest BIC is returned.
    /// </summary>
    private static List<(GaussianMixtureModel? Model, CriterionValue Value)> FitGrid(CliContext context, DataSet rows, int[] counts,
        CovarianceType[] types, long seed, bool quiet, out GaussianMixtureModel? best)
    {
        var table = new List<(GaussianMixtureModel?, CriterionValue)>();
        best = null;
        double bestBic = double.PositiveInfinity;
        int total = counts.Count(k => k <= rows.RowCount) * types.Length, done = 0;
        if (total == 0)
            throw new UsageException(string.Create(Inv, $"{rows.Source}: {rows.RowCount} rows, fewer than the {counts[0]} components asked for (-k); use fewer components."));
        foreach (var type in types)
        {
            foreach (int k in counts.Where(k => k <= rows.RowCount))
            {
                done++;
                var options = new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type, Seed = seed };
                string label = string.Create(Inv, $"plot: k={k} {type.ToScikitName()} ({done}/{total})");
                try
                {
                    var model = ProgressDisplay.Run(context, label, rows.RowCount, options.InitCount, quiet,
                        progress => new GaussianMixture(options).Fit(rows, progress, context.CancellationToken));
                    double bic = model.Bic(rows);
                    table.Add((model, new CriterionValue(k, type, bic)));
                    if (bic < bestBic)
                    {
                        bestBic = bic;
                        best = model;
                    }
                }
                catch (NumericalFailureException)
                {
                    table.Add((null, new CriterionValue(k, type, double.NaN)));
                }
            }
        }
        return table;
    }
}
