using System.CommandLine;
using System.Globalization;
using System.Text;
using Emix.Data;

namespace Emix.Cli;

/// <summary>
/// <c>emix fit DATA --online …</c>: stepwise EM (<see cref="OnlineGaussianMixture"/>) over DATA in row
/// order, in batches of <c>--batch-rows</c>, for <c>--passes</c> passes; DATA <c>-</c> reads CSV from
/// standard input batch by batch (one pass), so that memory is bounded by the batch.
/// </summary>
internal static class OnlineFit
{
    /// <summary>The options of a stepwise fit.</summary>
    internal sealed record Options(Option<bool> Enabled, Option<int> BatchRows, Option<double> StepPower, Option<int> Passes)
    {
        public static Options AddTo(Command command)
        {
            var options = new Options(
                new Option<bool>("--online") { Description = "Stepwise (online) EM: batches of --batch-rows rows in file order move running statistics by (t + 2)^-A (--step-power A); DATA - reads CSV from standard input." },
                new Option<int>("--batch-rows") { Description = "Rows per step of --online (the last batch of a pass may be shorter).", DefaultValueFactory = _ => 10_000 },
                new Option<double>("--step-power") { Description = "A of the step size (t + 2)^-A of --online: in (0.5, 1]; 0 only with one batch of all rows (then a step is a batch EM iteration).", DefaultValueFactory = _ => 0.6 },
                new Option<int>("--passes") { Description = "Passes over DATA of --online (standard input: 1).", DefaultValueFactory = _ => 1 });
            foreach (var option in new Option[] { options.Enabled, options.BatchRows, options.StepPower, options.Passes })
                command.Options.Add(option);
            return options;
        }
    }

    /// <summary>Refuses what stepwise EM does not take, before any data is read.</summary>
    public static void CheckOptions(ParseResult parse, Options online, int batchRows, double stepPower, int passes, params Option?[] notWithOnline)
    {
        if (batchRows < 1)
            throw new UsageException($"--batch-rows {batchRows}: a batch needs at least 1 row.");
        if (!(stepPower == 0 || (stepPower > 0.5 && stepPower <= 1)))
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"--step-power {stepPower}: must be in (0.5, 1], where stepwise EM converges (0 only with one batch of all rows, which is batch EM)."));
        if (passes < 1)
            throw new UsageException($"--passes {passes}: at least 1.");
        foreach (var option in notWithOnline)
        {
            if (option is not null && parse.GetResult(option) is { Implicit: false })
                throw new UsageException($"{option.Name} is not supported with --online.");
        }
        _ = online;
    }

    /// <summary>One family's stepwise estimator, as the command drives it.</summary>
    internal sealed record Stepper(Func<RowSource, CancellationToken, MixtureModel> PartialFit, Func<RowSource, int, int, IProgress<FitProgress>, CancellationToken, MixtureModel> Fit,
        Func<long> Steps, Func<long> RowsSeen, Func<double> RunningLowerBound, Func<MixtureModel?> Model)
    {
        public static Stepper For(string family, GaussianMixtureOptions options, double stepPower, PoissonParameterValues? poissonStart,
            BernoulliParameterValues? bernoulliStart, double pseudoCount)
        {
            if (family == "bernoulli")
            {
                var b = new OnlineBernoulliMixture(FitCommand.WithCommon(options, new BernoulliMixtureOptions { InitialParameters = bernoulliStart }), stepPower);
                return new(b.PartialFit, (rows, n, passes, progress, ct) => b.Fit(rows, n, passes, progress, ct), () => b.Steps, () => b.RowsSeen, () => b.RunningLowerBound, () => b.Model);
            }
            if (family == "categorical")
            {
                var c = new OnlineCategoricalMixture(FitCommand.WithCommon(options, new CategoricalMixtureOptions { PseudoCount = pseudoCount }), stepPower);
                return new(c.PartialFit, (rows, n, passes, progress, ct) => c.Fit(rows, n, passes, progress, ct), () => c.Steps, () => c.RowsSeen, () => c.RunningLowerBound, () => c.Model);
            }
            if (family == "poisson")
            {
                var p = new OnlinePoissonMixture(FitCommand.WithCommon(options, new PoissonMixtureOptions { InitialParameters = poissonStart }), stepPower);
                return new(p.PartialFit, (rows, b, passes, progress, ct) => p.Fit(rows, b, passes, progress, ct), () => p.Steps, () => p.RowsSeen, () => p.RunningLowerBound, () => p.Model);
            }
            var g = new OnlineGaussianMixture(options, stepPower);
            return new(g.PartialFit, (rows, b, passes, progress, ct) => g.Fit(rows, b, passes, progress, ct), () => g.Steps, () => g.RowsSeen, () => g.RunningLowerBound, () => g.Model);
        }
    }

    /// <summary>Fits DATA (a plan's rows) stepwise.</summary>
    public static MixtureModel FitRows(Stepper fit, RowSource rows, int componentCount, int batchRows, double stepPower, int passes,
        IProgress<FitProgress> progress, CancellationToken cancellationToken)
    {
        if (stepPower == 0 && batchRows < rows.RowCount)
            throw new UsageException($"--step-power 0 keeps only the last batch: it needs one batch of all {rows.RowCount} rows (--batch-rows {rows.RowCount} or more).");
        if (rows.RowCount < componentCount)
            throw new UsageException($"{rows.Source}: {rows.RowCount} rows, fewer than the {componentCount} components asked for (-k).");
        return fit.Fit(rows, Math.Min(batchRows, rows.RowCount), passes, progress, cancellationToken);
    }

    /// <summary>Fits CSV from standard input, batch by batch (one pass; nothing but the batch is held).</summary>
    public static MixtureModel FitStandardInput(CliContext context, CsvReadOptions read, Stepper fit, int componentCount, int batchRows, double stepPower, int passes,
        IProgress<FitProgress> progress)
    {
        if (passes != 1)
            throw new UsageException("--passes: standard input can be read once; save the stream to a file for more passes.");
        if (stepPower == 0)
            throw new UsageException("--step-power 0 needs one batch of all rows, which a stream does not have; use a value in (0.5, 1].");
        string? header = null;
        bool first = true;
        long line = 0;
        var batch = new StringBuilder();
        int inBatch = 0;
        string? text;
        void Step()
        {
            if (inBatch == 0)
                return;
            string source = string.Create(CultureInfo.InvariantCulture, $"standard input (the batch ending at line {line})");
            var data = CsvReader.Read(new StringReader((header is null ? "" : header + "\n") + batch), source,
                read with { Header = header is null ? HeaderMode.Absent : HeaderMode.Present });
            if (fit.Steps() == 0 && data.RowCount < componentCount)
                throw new UsageException($"{source}: the first batch has {data.RowCount} rows, fewer than the {componentCount} components (-k); use a larger --batch-rows.");
            double before = fit.RunningLowerBound();
            fit.PartialFit(data, context.CancellationToken);
            progress.Report(new FitProgress(1, (int)Math.Min(int.MaxValue, fit.Steps()), fit.RunningLowerBound(), fit.RunningLowerBound() - before) { RowsSeen = fit.RowsSeen() });
            batch.Clear();
            inBatch = 0;
        }
        while ((text = context.In.ReadLine()) is not null)
        {
            line++;
            string trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
                continue;
            if (first)
            {
                first = false;
                if (read.Header == HeaderMode.Present || (read.Header == HeaderMode.Detect && !StartsWithNumber(trimmed)))
                {
                    header = text;
                    continue;
                }
            }
            batch.Append(text).Append('\n');
            if (++inBatch == batchRows)
                Step();
            context.CancellationToken.ThrowIfCancellationRequested();
        }
        Step();
        return fit.Model() ?? throw new DataFormatException("standard input: no data rows.");
    }

    /// <summary>Whether a line's first cell reads as a number (else it is taken for a header).</summary>
    private static bool StartsWithNumber(string line)
    {
        int end = line.IndexOfAny([',', '\t', ';']);
        var cell = (end < 0 ? line : line[..end]).Trim().Trim('"');
        return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }
}
