using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Emix.Cli;

/// <summary>
/// Shows the progress of a fit on standard error: iteration, lower bound, its change and the rate.
/// A terminal gets one live line (Spectre.Console status); anything else (a log, a pipe, a test) gets
/// a plain line about once a second, and a closing line when any was written; <c>--quiet</c> shows
/// nothing. Short fits therefore stay silent in logs.
/// </summary>
internal sealed class ProgressDisplay
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly CliContext _context;
    private readonly string _label;
    private readonly long _rowCount;
    private readonly int _runCount;
    private readonly bool _quiet;
    private readonly Stopwatch _clock = new();
    private TimeSpan _lastShown;
    private int _iterationsAtLastShown;
    private int _iterations;
    private bool _wroteLine;
    private FitProgress _last;

    private ProgressDisplay(CliContext context, string label, long rowCount, int runCount, bool quiet)
    {
        _context = context;
        _label = label;
        _rowCount = rowCount;
        _runCount = runCount;
        _quiet = quiet;
    }

    /// <summary>
    /// Runs <paramref name="fit"/> with a progress sink that shows its reports.
    /// </summary>
    /// <param name="context">Where to write, the terminal flag and the interval.</param>
    /// <param name="label">What is being fitted, e.g. "fit" or "plot: k=3 full (7/36)".</param>
    /// <param name="rowCount">Rows of the data, for the rows-per-second rate.</param>
    /// <param name="runCount">Initialisations (n_init) of the fit.</param>
    /// <param name="quiet">Show nothing.</param>
    /// <param name="fit">The fit, given the progress sink to pass on to the library.</param>
    public static T Run<T>(CliContext context, string label, long rowCount, int runCount, bool quiet, Func<IProgress<FitProgress>, T> fit)
    {
        var display = new ProgressDisplay(context, label, rowCount, runCount, quiet);
        display._clock.Start();
        if (quiet || !context.ErrorIsTerminal)
        {
            var result = fit(new Sink(display, null));
            display.Closing();
            return result;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Error),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        var value = console.Status()
            .Spinner(Spinner.Known.Dots)
            .AutoRefresh(true)
            .Start(Markup.Escape($"{label}: starting…"), status => fit(new Sink(display, status)));
        console.MarkupLine(Markup.Escape(display.Summary()));
        return value;
    }

    /// <summary>The <see cref="IProgress{T}"/> handed to the library; reports arrive on the fitting thread.</summary>
    private sealed class Sink(ProgressDisplay display, StatusContext? status) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => display.Report(value, status);
    }

    private void Report(FitProgress p, StatusContext? status)
    {
        _context.ProgressObserver?.Invoke(p);
        _iterations++;
        _last = p;
        if (_quiet)
            return;
        var now = _clock.Elapsed;
        if (status is not null)
        {
            // A live line: refresh the text at most ten times a second (the spinner redraws on its own).
            if (now - _lastShown < TimeSpan.FromMilliseconds(100) && _iterations > 1)
                return;
            status.Status = $"[bold]{Markup.Escape(_label)}[/]: {Markup.Escape(Line(p, now))}";
            _lastShown = now;
            _iterationsAtLastShown = _iterations;
            return;
        }
        if (now - _lastShown < _context.ProgressInterval)
            return;
        _context.Error.WriteLine($"emix {_label}: {Line(p, now)}");
        _context.Error.Flush();
        _wroteLine = true;
        _lastShown = now;
        _iterationsAtLastShown = _iterations;
    }

    /// <summary>"run 1/3, iteration 57, lower bound -3.14159, change 2.3e-06, 14.2 it/s (2.8M rows/s), 4.0 s".</summary>
    private string Line(FitProgress p, TimeSpan now)
    {
        double seconds = (now - _lastShown).TotalSeconds;
        int iterations = _iterations - _iterationsAtLastShown;
        if (iterations == 0 || seconds <= 0)
        {
            seconds = now.TotalSeconds;
            iterations = _iterations;
        }
        double rate = seconds > 0 ? iterations / seconds : 0;
        string run = _runCount > 1 ? string.Create(Inv, $"run {p.Run}/{_runCount}, ") : "";
        string change = double.IsFinite(p.Change) ? p.Change.ToString("+0.00e+00;-0.00e+00;0", Inv) : "n/a";
        string perSecond = rate < 10 ? rate.ToString("F2", Inv) : rate.ToString("F1", Inv);
        if (p.RowsSeen > 0)
        {
            // A stepwise fit: steps of one batch each, rows seen, and the running mean log-likelihood.
            string pass = p.Run > 1 ? string.Create(Inv, $"pass {p.Run}, ") : "";
            return string.Create(Inv,
                $"{pass}step {p.Iteration}, {Rows(p.RowsSeen)} rows seen, log-likelihood per row {p.LowerBound:G10}, {perSecond} steps/s, {now.TotalSeconds:F1} s");
        }
        return string.Create(Inv,
            $"{run}iteration {p.Iteration}, lower bound {p.LowerBound:G10}, change {change}, {perSecond} it/s ({Rows(rate * _rowCount)} rows/s), {now.TotalSeconds:F1} s");
    }

    private void Closing()
    {
        if (_wroteLine && !_quiet)
        {
            _context.Error.WriteLine($"emix {_label}: {Summary()}");
            _context.Error.Flush();
        }
    }

    private string Summary()
    {
        double seconds = _clock.Elapsed.TotalSeconds;
        return string.Create(Inv,
            $"done: {_iterations} iteration{(_iterations == 1 ? "" : "s")} in {seconds:F1} s, last lower bound {_last.LowerBound:G10}");
    }

    private static string Rows(double perSecond) => perSecond switch
    {
        >= 1e9 => string.Create(Inv, $"{perSecond / 1e9:F1}G"),
        >= 1e6 => string.Create(Inv, $"{perSecond / 1e6:F1}M"),
        >= 1e3 => string.Create(Inv, $"{perSecond / 1e3:F1}k"),
        _ => string.Create(Inv, $"{perSecond:F0}"),
    };
}
