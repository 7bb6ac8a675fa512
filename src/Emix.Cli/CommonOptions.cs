using System.CommandLine;
using Emix.Data;

namespace Emix.Cli;

/// <summary>Options shared by the commands that read data, and safe output writing.</summary>
internal static class CommonOptions
{
    public static Argument<string> DataArgument() => new("DATA")
    {
        Description = "Data file: CSV, TSV (.tsv/.tab) or NumPy .npy (float64/float32). '#' lines are comments.",
    };

    public static Argument<string> ModelArgument() => new("MODEL")
    {
        Description = "Model file written by 'emix fit -o'.",
    };

    public static Option<string?> Columns() => new("--columns")
    {
        Description = "Columns to use, comma-separated: header names or 1-based indices (default: all).",
    };

    public static Option<bool> Header() => new("--header")
    {
        Description = "The first line is a header (default: detected: a header when a cell of it is not a number).",
    };

    public static Option<bool> NoHeader() => new("--no-header")
    {
        Description = "The first line is data, not a header.",
    };

    public static Option<string?> Output(string what) => new("--output", "-o")
    {
        Description = what,
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "Threads for the E-step (default: all cores). Results are identical for any thread count.",
    };

    /// <summary>The data options of a command, read back from a parse result.</summary>
    internal sealed record DataOptions(Option<string?> Columns, Option<bool> Header, Option<bool> NoHeader)
    {
        public static DataOptions AddTo(Command command)
        {
            var options = new DataOptions(CommonOptions.Columns(), CommonOptions.Header(), CommonOptions.NoHeader());
            command.Options.Add(options.Columns);
            command.Options.Add(options.Header);
            command.Options.Add(options.NoHeader);
            return options;
        }

        public DataSet Read(ParseResult parse, string path) => DataReader.Read(path, ReadOptions(parse));

        public CsvReadOptions ReadOptions(ParseResult parse)
        {
            bool header = parse.GetValue(Header), noHeader = parse.GetValue(NoHeader);
            if (header && noHeader)
                throw new UsageException("--header and --no-header contradict each other; give one.");
            var columns = parse.GetValue(Columns)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new CsvReadOptions
            {
                Header = header ? HeaderMode.Present : noHeader ? HeaderMode.Absent : HeaderMode.Detect,
                Columns = columns is { Length: > 0 } ? columns : null,
            };
        }
    }

    /// <summary>Writes text to a file atomically, or to stdout when <paramref name="path"/> is null.</summary>
    public static void WriteText(CliContext context, string? path, Action<TextWriter> write)
    {
        if (path is null)
        {
            write(context.Out);
            context.Out.Flush();
            return;
        }
        try
        {
            AtomicFile.WriteText(path, write);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"{path}: cannot write ({e.Message}).", e);
        }
    }

    public static void SaveModel(GaussianMixtureModel model, string path)
    {
        try
        {
            model.Save(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"{path}: cannot write the model ({e.Message}).", e);
        }
    }
}
