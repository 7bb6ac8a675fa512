using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Emix.Selection;
using Emix.Serialization;

namespace Emix.Cli;

/// <summary>
/// <c>emix select DATA [-k 1..9] [--covariance all|…] [--criterion bic|aic|icl] [-o BEST.json] [--table TABLE.csv]</c>:
/// fits the grid of component counts × covariance structures, prints an mclust-like table and saves the best model.
/// </summary>
internal static class SelectCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var output = CommonOptions.Output("Write the best model to this JSON file (atomically; the format of 'emix fit -o').");
        var table = new Option<string?>("--table")
        {
            Description = "Write every cell to this CSV file (atomically): k, covariance, model, bic, aic, icl, log_likelihood, n_parameters, n_iter, converged, rank, status.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON line (criterion, n_samples, n_features, best, cells) instead of the table.",
        };

        var command = new Command("select", "Fit mixtures over a grid of component counts (and covariance structures, for Gaussian and Student-t families), print an mclust-like table, keep the best.");
        var search = SelectionOptionSet.AddTo(command, output, table, json);

        command.SetAction(parse =>
        {
            using var run = search.Run(parse, context, "select");
            var result = run.Result;
            var best = run.Best;
            if (parse.GetValue(table) is { } tablePath)
                CommonOptions.WriteText(context, tablePath, w => WriteCsv(w, result));
            if (parse.GetValue(output) is { } path)
                CommonOptions.SaveModel(best.FittedModel!, path);
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(JsonLine(result, run.Rows));
            }
            else
            {
                context.Out.Write(result.Summary());
                context.Out.WriteLine();
                context.Out.WriteLine(SelectionOptionSet.BestLine(result));
                if (parse.GetValue(output) is { } saved)
                    context.Out.WriteLine($"Model written to {saved}");
                if (parse.GetValue(table) is { } savedTable)
                    context.Out.WriteLine($"Table written to {savedTable}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>"1..9", "2,3,5", "4" or a mix ("1..3,6"): distinct counts, ascending.</summary>
    internal static int[] ParseComponentCounts(string text)
    {
        const int MaxCount = 100;
        var counts = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = part.Split("..", StringSplitOptions.TrimEntries);
            if (ends.Length > 2 || !int.TryParse(ends[0], NumberStyles.None, Inv, out int from) || !int.TryParse(ends[^1], NumberStyles.None, Inv, out int to))
                throw new UsageException($"-k {text}: '{part}' is not a number of components N or a range A..B; e.g. -k 1..9 or -k 2,3,5.");
            if (from < 1)
                throw new UsageException($"-k {text}: component counts start at 1.");
            if (to < from)
                throw new UsageException($"-k {text}: the range {part} is empty; write it A..B with A ≤ B.");
            if (to - from >= MaxCount || counts.Count + (to - from + 1) > MaxCount)
                throw new UsageException(string.Create(Inv, $"-k {text}: at most {MaxCount} component counts."));
            for (int k = from; k <= to; k++)
                counts.Add(k);
        }
        return [.. counts];
    }

    /// <summary>"all" or a comma list of scikit-learn names or mclust codes.</summary>
    internal static CovarianceType[] ParseCovarianceTypes(string text)
    {
        if (string.Equals(text.Trim(), "all", StringComparison.OrdinalIgnoreCase))
            return [.. ModelSelectionOptions.Defaults.CovarianceTypes];
        var result = new List<CovarianceType>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!MixtureNames.TryParseCovarianceType(part, out var type))
                throw new UsageException($"--covariance {part}: expected all (full, tied, diag, spherical), or a comma list of {string.Join(", ", MixtureNames.CovarianceTypeNames)}.");
            if (!result.Contains(type))
                result.Add(type);
        }
        if (result.Count == 0)
            throw new UsageException("--covariance is empty; give all or a comma list such as full,tied.");
        return [.. result];
    }

    /// <summary>One line per cell; criteria empty and the reason in <c>status</c> for a failed fit.</summary>
    private static void WriteCsv(TextWriter w, ModelSelectionResult result)
    {
        w.WriteLine("k,covariance,model,bic,aic,icl,log_likelihood,n_parameters,n_iter,converged,rank,status");
        // A family without covariance structures has none to name: its column is empty and model is the family.
        var rank = new Dictionary<SelectionEntry, int>(ReferenceEqualityComparer.Instance);
        for (int r = 0; r < result.Ranking.Count; r++)
            rank[result.Ranking[r]] = r + 1;
        foreach (var e in result.Entries)
        {
            string Number(double value) => e.Succeeded ? value.ToString("R", Inv) : "";
            w.WriteLine(string.Join(',',
                e.ComponentCount.ToString(Inv), Structure(e), e.ModelCode,
                Number(e.Bic), Number(e.Aic), Number(e.Icl), Number(e.LogLikelihood),
                e.Succeeded ? e.ParameterCount.ToString(Inv) : "",
                e.Succeeded ? e.FittedModel!.IterationCount.ToString(Inv) : "",
                e.Succeeded ? (e.FittedModel!.Converged ? "true" : "false") : "",
                rank.TryGetValue(e, out int r) ? r.ToString(Inv) : "",
                Quote(e.Failure ?? "ok")));
        }
    }

    /// <summary>The entry's covariance structure by scikit-learn's name; empty for a family that has none.</summary>
    private static string Structure(SelectionEntry e) => e.Family is "gaussian" or "gaussian-variational" or "student-t" ? e.CovarianceType.ToScikitName() : "";

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static string JsonLine(ModelSelectionResult result, RowSource rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("criterion", result.Criterion == SelectionCriterion.Bound ? "bound" : result.Criterion.ToDisplayName().ToLowerInvariant());
            w.WriteNumber("n_samples", rows.RowCount);
            w.WriteNumber("n_features", rows.FeatureCount);
            var best = result.Best!;
            w.WriteStartObject("best");
            w.WriteString("family", best.Family);
            w.WriteNumber("k", best.ComponentCount);
            w.WriteString("covariance", Structure(best));
            w.WriteNumber("value", best.Value(result.Criterion));
            w.WriteEndObject();
            w.WriteStartArray("cells");
            foreach (var e in result.Entries)
            {
                w.WriteStartObject();
                w.WriteNumber("k", e.ComponentCount);
                w.WriteString("covariance", Structure(e));
                if (e.Succeeded)
                {
                    w.WriteNumber("bic", e.Bic);
                    w.WriteNumber("aic", e.Aic);
                    w.WriteNumber("icl", e.Icl);
                    w.WriteNumber("log_likelihood", e.LogLikelihood);
                    w.WriteNumber("n_parameters", e.ParameterCount);
                    if (e.Family == "gaussian-variational")
                        w.WriteNumber("lower_bound", e.FittedModel!.LowerBound);
                    w.WriteNumber("n_iter", e.FittedModel!.IterationCount);
                    w.WriteBoolean("converged", e.FittedModel.Converged);
                }
                else
                {
                    w.WriteString("error", e.Failure);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
