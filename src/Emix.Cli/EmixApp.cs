using System.CommandLine;
using System.Globalization;

namespace Emix.Cli;

/// <summary>The <c>emix</c> command tree and the one place where errors become messages and exit codes.</summary>
public static class EmixApp
{
    /// <summary>Runs the command line; returns the exit code. Writes results to <paramref name="stdout"/>, messages to <paramref name="stderr"/>.</summary>
    /// <remarks>
    /// Progress of long fits goes to <paramref name="stderr"/>: a live line when it is the process's own
    /// standard error and that is a terminal, plain lines about once a second otherwise.
    /// </remarks>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        return Run(args, new CliContext(stdout, stderr, cancellationToken) { ErrorIsTerminal = IsTerminal(stderr) });
    }

    /// <summary>Runs the command line in a prepared context (tests set the progress interval and observer here).</summary>
    internal static int Run(string[] args, CliContext context)
    {
        var stdout = context.Out;
        var stderr = context.Error;
        var root = new RootCommand("emix: Gaussian mixture models fitted by Expectation–Maximization (scikit-learn compatible, deterministic).");
        root.Subcommands.Add(FitCommand.Create(context));
        root.Subcommands.Add(SelectCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context, () => args));
        root.Subcommands.Add(ModelCommands.Predict(context));
        root.Subcommands.Add(ModelCommands.Score(context));
        root.Subcommands.Add(ModelCommands.Sample(context));
        root.Subcommands.Add(ModelCommands.Info(context));
        root.Subcommands.Add(ImputeCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(PlotCommand.Create(context));
        root.Subcommands.Add(BackgroundCommand.Create(context));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"emix: {OneLine(parse.Errors[0].Message)} (see 'emix {string.Join(' ', CommandPath(parse))} --help')");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            int code = Report(e, stderr);
            DistributedFit.EndAfterError(code); // the other ranks of an MPI job must not wait for this one
            return code;
        }
    }

    /// <summary>Whether the writer is this process's standard error and that is a terminal that understands escape codes.</summary>
    private static bool IsTerminal(TextWriter stderr) =>
        ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

    private static List<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null && r.Command is not RootCommand; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return names;
    }

    /// <summary>Maps an exception to one line on stderr and its exit code; never a stack trace unless EMIX_DEBUG=1.</summary>
    internal static int Report(Exception e, TextWriter stderr)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            e = aggregate.InnerExceptions[0];
        (int code, string message) = e switch
        {
            UsageException u => (ExitCodes.Usage, u.Message),
            ArgumentException a => (ExitCodes.Usage, WithOptionName(a)),
            PlatformNotSupportedException => (ExitCodes.Usage, e.Message),
            DataFormatException or ModelFormatException => (ExitCodes.BadInput, e.Message),
            NumericalFailureException => (ExitCodes.Numerical, e.Message),
            OperationCanceledException => (ExitCodes.Cancelled, "cancelled; nothing was written."),
            OutputException o => (ExitCodes.OutputFailed, o.Message),
            Mpi.MpiException => (ExitCodes.Distributed, $"--distributed: {e.Message}"),
            _ => (ExitCodes.InternalError, $"internal error ({e.GetType().Name}: {e.Message}). Please report it; set EMIX_DEBUG=1 for details."),
        };
        stderr.WriteLine($"emix: {OneLine(message)}");
        if (Environment.GetEnvironmentVariable("EMIX_DEBUG") == "1")
            stderr.WriteLine(e.ToString());
        return code;
    }

    /// <summary>The command-line spelling of each <see cref="GaussianMixtureOptions"/> property, for messages.</summary>
    private static readonly Dictionary<string, string> OptionNames = new(StringComparer.Ordinal)
    {
        [nameof(GaussianMixtureOptions.ComponentCount)] = "--components",
        [nameof(GaussianMixtureOptions.Tolerance)] = "--tol",
        [nameof(GaussianMixtureOptions.RegCovar)] = "--reg-covar",
        [nameof(GaussianMixtureOptions.InnerTolerance)] = "--inner-tol",
        [nameof(GaussianMixtureOptions.MaxInnerIterations)] = "--max-inner-iter",
        [nameof(GaussianMixtureOptions.CovarianceType)] = "--covariance",
        [nameof(GaussianMixtureOptions.MaxIterations)] = "--max-iter",
        [nameof(GaussianMixtureOptions.InitCount)] = "--n-init",
        [nameof(GaussianMixtureOptions.MaxDegreeOfParallelism)] = "--threads",
        [nameof(GaussianMixtureOptions.Frozen)] = "--fix",
        [nameof(GaussianMixtureOptions.OnCollapse)] = "--on-collapse",
    };

    private static string WithOptionName(ArgumentException a)
    {
        string m = a.Message;
        int at = m.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (at >= 0)
            m = m[..at];
        return a.ParamName is { } name && OptionNames.TryGetValue(name, out var option) ? $"{option}: {m}" : m;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Where a command writes, its cancellation, and how fit progress is shown.</summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, CancellationToken CancellationToken)
{
    /// <summary>Standard error is a terminal: progress is a live line (Spectre.Console) instead of plain lines.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Time between plain progress lines (about once a second; tests use zero).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sees every progress report, even with --quiet (tests cancel from here).</summary>
    public Action<FitProgress>? ProgressObserver { get; init; }

    /// <summary>Standard input (DATA given as "-"; tests give a reader of their own).</summary>
    public TextReader In { get; init; } = Console.In;
}

/// <summary>A usage error found after parsing (e.g. more components than rows).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>An output file could not be written.</summary>
internal sealed class OutputException(string message, Exception inner) : Exception(message, inner);
