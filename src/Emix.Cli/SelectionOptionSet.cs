using System.CommandLine;
using System.Globalization;
using Emix.Selection;
using Emix.Serialization;

namespace Emix.Cli;

/// <summary>
/// The options of a model search over a grid of component counts × covariance structures (DATA, <c>-k</c>,
/// <c>--covariance</c>, <c>--criterion</c>, the family, EM, data, weight and collapse options, <c>--init-params</c>,
/// <c>--memory-limit</c>, <c>-q</c>) and the search itself: what <c>emix select</c> and <c>emix report</c> share,
/// so that both parse the same options, refuse the same input with the same messages and fit the same cells.
/// </summary>
internal sealed class SelectionOptionSet
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly Argument<string> _data;
    private readonly Option<string> _components;
    private readonly Option<string> _covariance;
    private readonly Option<string> _criterion;
    private readonly Option<string?> _initParams;
    private readonly Option<string?> _memoryLimit;
    private readonly Option<bool> _quiet;
    private readonly FamilyOptions _families;
    private readonly FitOptionSet _fitOptions;
    private readonly CommonOptions.DataOptions _dataOptions;
    private readonly FitConstraintOptions _constraints;

    private SelectionOptionSet(Command command, Option[] ownOptions)
    {
        _data = CommonOptions.DataArgument();
        _components = new Option<string>("--components", "-k")
        {
            Description = "Component counts to fit: a range A..B, a list 2,3,5, or both (1..4,6).",
            DefaultValueFactory = _ => "1..9",
        };
        _covariance = new Option<string>("--covariance")
        {
            Description = "Covariance structures to fit: all (full, tied, diag, spherical), or a comma list of those or of mclust's codes EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV (any case).",
            DefaultValueFactory = _ => "all",
        };
        _criterion = new Option<string>("--criterion")
        {
            Description = "What ranks the fits (scikit-learn's sign, lower is better): bic, aic, icl (BIC + 2 × entropy of the hard assignment) or, with --variational, bound (the variational lower bound, negated); with --variational, BIC and AIC are the posterior-mean mixture's.",
            DefaultValueFactory = _ => "bic",
        };
        _criterion.AcceptOnlyFromAmong("bic", "aic", "icl", "bound");
        _initParams = new Option<string?>("--init-params")
        {
            Description = "JSON with initial parameters per cell: {\"cells\": [{\"k\", \"covariance\", \"init\": {weights, means, precisions or covariances}}]}; unlisted cells use --init.",
        };
        _memoryLimit = new Option<string?>("--memory-limit")
        {
            Description = "Memory for the fit, e.g. 2G: data larger than half of it are streamed from disk on every pass (out of core) instead of loaded. Default: half the available memory.",
        };
        _quiet = CommonOptions.Quiet();

        command.Arguments.Add(_data);
        command.Options.Add(_components);
        _families = FamilyOptions.AddTo(command);
        command.Options.Add(_covariance);
        command.Options.Add(_criterion);
        _fitOptions = FitOptionSet.AddTo(command);
        command.Options.Add(_initParams);
        command.Options.Add(_memoryLimit);
        foreach (var option in ownOptions)
            command.Options.Add(option);
        command.Options.Add(_quiet);
        _dataOptions = CommonOptions.DataOptions.AddTo(command);
        _constraints = FitConstraintOptions.AddTo(command, withFix: false);
    }

    /// <summary>
    /// Creates the options and adds them to <paramref name="command"/>, with the command's own options
    /// (<paramref name="ownOptions"/>: what it writes) among them where <c>emix select --help</c> has always listed them.
    /// </summary>
    public static SelectionOptionSet AddTo(Command command, params Option[] ownOptions) => new(command, ownOptions);

    /// <summary>
    /// Checks the options, reads DATA and fits every cell of the grid, each with its own progress line
    /// labelled <paramref name="commandName"/>. <paramref name="checkRows"/> sees the rows before the first fit
    /// (a command that needs more of them than the search refuses them there, before any work).
    /// </summary>
    /// <exception cref="UsageException">A bad option, or fewer rows than the smallest k.</exception>
    /// <exception cref="NumericalFailureException">Every fit of the grid failed.</exception>
    public SelectionRun Run(ParseResult parse, CliContext context, string commandName, Action<RowSource>? checkRows = null)
    {
        var counts = SelectCommand.ParseComponentCounts(parse.GetValue(_components)!);
        var types = SelectCommand.ParseCovarianceTypes(parse.GetValue(_covariance)!);
        if (!SelectionCriterionNames.TryParse(parse.GetValue(_criterion), out var ranking))
            throw new UsageException("--criterion: expected bic, aic or icl.");
        var fit = _constraints.ApplyTo(_fitOptions.Read(parse), parse); // validated before reading a possibly large file
        FitOptionSet.RequirePriorSupported(fit, types);
        var choice = _families.Read(parse, fit);
        if (fit.Prior is not null && (choice.Name != "gaussian" || choice.Variational is not null))
            throw new UsageException("--prior conjugate: available for EM fits of the gaussian family only (not with --family, --families or --variational).");
        if (ranking == SelectionCriterion.Bound && choice.Variational is null)
            throw new UsageException("--criterion bound ranks variational fits only (--variational); EM fits have no variational bound.");
        if (choice.Variational is not null)
            FamilyOptions.RequireAbsent(parse, "EM fits, not --variational", _initParams, _constraints.OnCollapse);
        if (choice.Name != "gaussian")
        {
            FamilyOptions.RequireAbsent(parse, $"the gaussian family only, not {(choice.Name == "mixed" ? "--families" : $"--family {choice.Name}")}", _initParams, _constraints.OnCollapse,
                choice.Name is "student-t" or "mixed" ? null : _fitOptions.RegCovar);
            if (choice.Name == "student-t")
            {
                // The t family's structures: full and diag (all of them by default).
                if (parse.GetResult(_covariance) is not { Implicit: false })
                    types = [CovarianceType.Diagonal, CovarianceType.Full];
                foreach (var type in types)
                    choice.StudentTOptions(fit with { CovarianceType = type }).Validate();
            }
            else
            {
                FamilyOptions.RequireAbsent(parse, "the gaussian and student-t families only", _covariance);
                types = [CovarianceType.Full]; // one column: the family has no covariance structure
            }
        }
        long? limit = parse.GetValue(_memoryLimit) is { } text ? DataPlan.ParseSize(text) : null;
        var plan = DataPlan.Open(parse.GetValue(_data)!, limit, _dataOptions, parse);
        try
        {
            var rows = _constraints.WithWeights(plan.Rows, parse);
            if (counts[0] > rows.RowCount)
                throw new UsageException(string.Create(Inv, $"{rows.Source}: {rows.RowCount} row{(rows.RowCount == 1 ? "" : "s")}, fewer than the {counts[0]} components asked for (-k); use fewer components."));
            checkRows?.Invoke(rows);
            var initial = parse.GetValue(_initParams) is { } initPath ? SelectionInitialParametersFile.Read(initPath, rows.FeatureCount) : null;
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
            bool quietly = parse.GetValue(_quiet);
            for (int c = 0; c < selection.Cells.Count; c++)
            {
                var (k, type) = selection.Cells[c];
                string model = choice.Name switch
                {
                    "gaussian" => choice.Variational is null ? type.ToScikitName() : $"variational {type.ToScikitName()}",
                    "student-t" => $"student-t {type.ToScikitName()}",
                    _ => choice.Name,
                };
                string label = string.Create(Inv, $"{commandName}: k={k} {model} ({c + 1}/{selection.Cells.Count})");
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
            return new SelectionRun(plan, rows, result, best);
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    /// <summary>The line that select and report print after the search: the best model and its criterion.</summary>
    public static string BestLine(ModelSelectionResult result)
    {
        var best = result.Best!;
        string name = result.Criterion.ToDisplayName();
        int fitted = best.FittedModel!.ComponentCount;
        return string.Create(Inv,
            $"Best by {name}: {best.Description} with {fitted} component{(fitted == 1 ? "" : "s")}{(fitted == best.ComponentCount ? "" : $" (k={best.ComponentCount}, collapsed ones dropped)")}, {name} {best.Value(result.Criterion):F3}.");
    }
}

/// <summary>A finished search: the rows it fitted (kept open until disposed), every cell and the best one.</summary>
internal sealed class SelectionRun(DataPlan plan, RowSource rows, ModelSelectionResult result, SelectionEntry best) : IDisposable
{
    /// <summary>The rows the cells were fitted on (with their sample weights, if any).</summary>
    public RowSource Rows { get; } = rows;

    /// <summary>Every cell of the grid, ranked by the criterion.</summary>
    public ModelSelectionResult Result { get; } = result;

    /// <summary>The best fitted cell by the criterion.</summary>
    public SelectionEntry Best { get; } = best;

    /// <summary>Releases the data (a streamed file, a temporary copy of a large CSV).</summary>
    public void Dispose() => plan.Dispose();
}
