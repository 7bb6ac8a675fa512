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
        var data = CommonOptions.DataArgument();
        var components = new Option<string>("--components", "-k")
        {
            Description = "Component counts to fit: a range A..B, a list 2,3,5, or both (1..4,6).",
            DefaultValueFactory = _ => "1..9",
        };
        var covariance = new Option<string>("--covariance")
        {
            Description = "Covariance structures to fit: all (full, tied, diag, spherical), or a comma list of those or of mclust's codes EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV (any case).",
            DefaultValueFactory = _ => "all",
        };
        var criterion = new Option<string>("--criterion")
        {
            Description = "What ranks the fits (scikit-learn's sign, lower is better): bic, aic, icl (BIC + 2 × entropy of the hard assignment) or, with --variational, bound (the variational lower bound, negated); with --variational, BIC and AIC are the posterior-mean mixture's.",
            DefaultValueFactory = _ => "bic",
        };
        criterion.AcceptOnlyFromAmong("bic", "aic", "icl", "bound");
        var initParams = new Option<string?>("--init-params")
        {
            Description = "JSON with initial parameters per cell: {\"cells\": [{\"k\", \"covariance\", \"init\": {weights, means, precisions or covariances}}]}; unlisted cells use --init.",
        };
        var output = CommonOptions.Output("Write the best model to this JSON file (atomically; the format of 'emix fit -o').");
        var table = new Option<string?>("--table")
        {
            Description = "Write every cell to this CSV file (atomically): k, covariance, model, bic, aic, icl, log_likelihood, n_parameters, n_iter, converged, rank, status.",
        };
        var memoryLimit = new Option<string?>("--memory-limit")
        {
            Description = "Memory for the fit, e.g. 2G: data larger than half of it are streamed from disk on every pass (out of core) instead of loaded. Default: half the available memory.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON line (criterion, n_samples, n_features, best, cells) instead of the table.",
        };
        var quiet = CommonOptions.Quiet();

        var command = new Command("select", "Fit mixtures over a grid of component counts (and covariance structures, for Gaussian and Student-t families), print an mclust-like table, keep the best.");
        command.Arguments.Add(data);
        command.Options.Add(components);
        var families = FamilyOptions.AddTo(command);
        foreach (var option in new Option[] { covariance, criterion })
            command.Options.Add(option);
        var fitOptions = FitOptionSet.AddTo(command);
        foreach (var option in new Option[] { initParams, memoryLimit, output, table, json, quiet })
            command.Options.Add(option);
        var dataOptions = CommonOptions.DataOptions.AddTo(command);
        var constraints = FitConstraintOptions.AddTo(command, withFix: false);

        command.SetAction(parse =>
        {
            var counts = ParseComponentCounts(parse.GetValue(components)!);
            var types = ParseCovarianceTypes(parse.GetValue(covariance)!);
            if (!SelectionCriterionNames.TryParse(parse.GetValue(criterion), out var ranking))
                throw new UsageException("--criterion: expected bic, aic or icl.");
            var fit = constraints.ApplyTo(fitOptions.Read(parse), parse); // validated before reading a possibly large file
            var choice = families.Read(parse, fit);
            if (ranking == SelectionCriterion.Bound && choice.Variational is null)
                throw new UsageException("--criterion bound ranks variational fits only (--variational); EM fits have no variational bound.");
            if (choice.Variational is not null)
                FamilyOptions.RequireAbsent(parse, "EM fits, not --variational", initParams, constraints.OnCollapse);
            if (choice.Name != "gaussian")
            {
                FamilyOptions.RequireAbsent(parse, $"the gaussian family only, not {(choice.Name == "mixed" ? "--families" : $"--family {choice.Name}")}", initParams, constraints.OnCollapse,
                    choice.Name is "student-t" or "mixed" ? null : fitOptions.RegCovar);
                if (choice.Name == "student-t")
                {
                    // The t family's structures: full and diag (all of them by default).
                    if (parse.GetResult(covariance) is not { Implicit: false })
                        types = [CovarianceType.Diagonal, CovarianceType.Full];
                    foreach (var type in types)
                        choice.StudentTOptions(fit with { CovarianceType = type }).Validate();
                }
                else
                {
                    FamilyOptions.RequireAbsent(parse, "the gaussian and student-t families only", covariance);
                    types = [CovarianceType.Full]; // one column: the family has no covariance structure
                }
            }
            long? limit = parse.GetValue(memoryLimit) is { } text ? DataPlan.ParseSize(text) : null;
            using var plan = DataPlan.Open(parse.GetValue(data)!, limit, dataOptions, parse);
            var rows = constraints.WithWeights(plan.Rows, parse);
            if (counts[0] > rows.RowCount)
                throw new UsageException(string.Create(Inv, $"{rows.Source}: {rows.RowCount} row{(rows.RowCount == 1 ? "" : "s")}, fewer than the {counts[0]} components asked for (-k); use fewer components."));
            var initial = parse.GetValue(initParams) is { } initPath ? SelectionInitialParametersFile.Read(initPath, rows.FeatureCount) : null;
            var selection = new ModelSelection(new ModelSelectionOptions
            {
                ComponentCounts = counts,
                CovarianceTypes = types,
                Criterion = ranking,
                FitOptions = fit,
                InitialParametersFor = initial is null ? null : (k, type) => initial.GetValueOrDefault((k, type)),
                Family = choice.Variational is null ? choice.Name : "gaussian-variational",
                FamilyFit = choice.Name == "gaussian" && choice.Variational is null ? null
                    : (k, type, data, progress, ct) => choice.Fit(fit with { ComponentCount = k, CovarianceType = type }, data, null, null, progress, ct),
            });

            // One fit per cell, each with its own progress line, through the library's FitCell (as Run does).
            var entries = new List<SelectionEntry>(selection.Cells.Count);
            bool quietly = parse.GetValue(quiet);
            for (int c = 0; c < selection.Cells.Count; c++)
            {
                var (k, type) = selection.Cells[c];
                string model = choice.Name switch
                {
                    "gaussian" => choice.Variational is null ? type.ToScikitName() : $"variational {type.ToScikitName()}",
                    "student-t" => $"student-t {type.ToScikitName()}",
                    _ => choice.Name,
                };
                string label = string.Create(Inv, $"select: k={k} {model} ({c + 1}/{selection.Cells.Count})");
                entries.Add(ProgressDisplay.Run(context, label, rows.RowCount, fit.InitCount, quietly,
                    progress => selection.FitCell(rows, k, type, progress, context.CancellationToken)));
            }
            context.CancellationToken.ThrowIfCancellationRequested(); // a Ctrl-C during the last fit still writes nothing
            var result = new ModelSelectionResult(entries, ranking);
            if (result.Best is not { } best)
            {
                var first = result.Entries[0];
                throw new NumericalFailureException(string.Create(Inv,
                    $"{rows.Source}: every fit of the grid failed ({result.Entries.Count} fits); k={first.ComponentCount} {first.ShortDescription}: {first.Failure}"));
            }

            if (parse.GetValue(table) is { } tablePath)
                CommonOptions.WriteText(context, tablePath, w => WriteCsv(w, result));
            if (parse.GetValue(output) is { } path)
                CommonOptions.SaveModel(best.FittedModel!, path);
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(JsonLine(result, rows));
            }
            else
            {
                context.Out.Write(result.Summary());
                context.Out.WriteLine();
                context.Out.WriteLine(string.Create(Inv,
                    $"Best by {ranking.ToDisplayName()}: {best.Description} with {best.FittedModel!.ComponentCount} component{(best.FittedModel.ComponentCount == 1 ? "" : "s")}{(best.FittedModel.ComponentCount == best.ComponentCount ? "" : $" (k={best.ComponentCount}, collapsed ones dropped)")}, {ranking.ToDisplayName()} {best.Value(ranking):F3}."));
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
