using System.CommandLine;
using System.Globalization;
using Emix.Data;
using Emix.Plots;

namespace Emix.Cli;

/// <summary>
/// <c>emix report DATA -o REPORT.html [select's options]</c>: runs the model search of <c>emix select</c>
/// (the same options, cells and messages) and writes it up as one self-contained HTML page: the data
/// summary, the BIC and ICL tables, the chosen model and its pictures as inline SVG.
/// </summary>
internal static class ReportCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context, Func<string[]>? commandLine = null)
    {
        var output = CommonOptions.Output("The report to write: one HTML file (.html or .htm), written atomically.");
        output.Required = true;
        var title = new Option<string?>("--title")
        {
            Description = "Title of the report (default: \"Emix report: \" and the data file's name).",
        };

        var command = new Command("report", "Run the model search of 'emix select' and write it up as one self-contained HTML page: data summary, BIC and ICL tables, the chosen model and its pictures.");
        var search = SelectionOptionSet.AddTo(command, output, title);

        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            // A wrong file name is a usage error before any work.
            if (!Path.GetExtension(path).ToUpperInvariant().Equals(".HTML", StringComparison.Ordinal)
                && !Path.GetExtension(path).ToUpperInvariant().Equals(".HTM", StringComparison.Ordinal))
                throw new UsageException($"-o {path}: the report's file name must end in .html or .htm.");

            using var run = search.Run(parse, context, "report", rows =>
            {
                if (rows is not DataSet)
                    throw new UsageException($"{rows.Source}: the report draws the rows, and these are too large to read into memory (they would be streamed from disk; see --memory-limit); report on a sample of them.");
            });
            var report = MixtureReport.Create((DataSet)run.Rows, run.Result, new ReportOptions
            {
                Title = parse.GetValue(title),
                CommandLine = commandLine is null ? null : "emix " + string.Join(' ', commandLine().Select(Quote)),
            });
            context.CancellationToken.ThrowIfCancellationRequested();
            string html = report.ToHtml();
            try
            {
                AtomicFile.WriteText(path, w => w.Write(html));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputException($"{path}: cannot write the report ({e.Message}).", e);
            }
            context.Out.WriteLine(SelectionOptionSet.BestLine(run.Result));
            long bytes = System.Text.Encoding.UTF8.GetByteCount(html);
            context.Out.WriteLine(string.Create(Inv,
                $"Report written to {path} ({bytes / 1024.0:F0} KiB, {report.Pictures.Count} picture{(report.Pictures.Count == 1 ? "" : "s")})."));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>An argument as a POSIX shell would need it to be typed again.</summary>
    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,+@%".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
