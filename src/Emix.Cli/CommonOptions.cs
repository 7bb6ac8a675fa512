using System.CommandLine;
using System.Globalization;
using Emix.Data;
using Emix.Parquet;

namespace Emix.Cli;

/// <summary>Options shared by the commands that read data, and safe output writing.</summary>
internal static class CommonOptions
{
    /// <summary>
    /// The structure named by <c>--covariance</c> (scikit-learn's name or mclust's code, any case); a usage
    /// error (exit 2) listing the valid names otherwise.
    /// </summary>
    public static CovarianceType ParseCovarianceType(string? text) =>
        MixtureNames.TryParseCovarianceType(text, out var type) ? type
            : throw new UsageException($"--covariance {text}: unknown covariance structure; expected one of {string.Join(", ", MixtureNames.CovarianceTypeNames)} (any case; E and V are tied and full for one feature).");

    public static Argument<string> DataArgument() => new("DATA")
    {
        Description = "Data file: CSV, TSV (.tsv/.tab), NumPy .npy (float64/float32) or Parquet (.parquet: numeric columns). '#' lines in text are comments.",
    };

    public static Argument<string> ModelArgument() => new("MODEL")
    {
        Description = "Model file written by 'emix fit -o'.",
    };

    public static Option<string?> Columns() => new("--columns")
    {
        Description = "Columns to use, comma-separated: header (or Parquet column) names or 1-based indices (default: all; all numeric ones for Parquet).",
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

    public static Option<bool> Quiet() => new("--quiet", "-q")
    {
        Description = "Do not show fit progress on standard error.",
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

        public DataSet Read(ParseResult parse, string path) => ReadData(path, ReadOptions(parse));

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

    /// <summary>
    /// Reads a data file by its extension: Parquet (<c>.parquet</c>, <c>.pq</c>) with Emix.Parquet, <c>.npy</c>
    /// with the core reader, and delimited text with Sep when the file is plain numbers (faster), else the core reader.
    /// </summary>
    public static DataSet ReadData(string path, CsvReadOptions options)
    {
        var format = DataFormats.Of(path);
        if (format == DataFileFormat.Parquet)
            return ParquetDataReader.Read(path, options.Columns);
        if (format == DataFileFormat.DelimitedText && FastCsvReader.TryRead(path, options) is { } fast)
            return fast;
        return DataReader.Read(path, options);
    }

    /// <summary>Whether an output path asks for Parquet (by its extension) rather than CSV.</summary>
    public static bool IsParquet(string? path) =>
        path is not null && DataFormats.Of(path) == DataFileFormat.Parquet;

    /// <summary>
    /// Writes a table of named columns (float64 or int32): Parquet when the path ends in .parquet or .pq,
    /// otherwise CSV (to standard output when <paramref name="path"/> is null). Atomic either way.
    /// </summary>
    public static void WriteTable(CliContext context, string? path, IReadOnlyList<ParquetColumn> columns)
    {
        if (IsParquet(path))
        {
            try
            {
                ParquetDataWriter.Write(path!, columns);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputException($"{path}: cannot write ({e.Message}).", e);
            }
            return;
        }
        var inv = CultureInfo.InvariantCulture;
        WriteText(context, path, w =>
        {
            w.WriteLine(string.Join(',', columns.Select(c => CsvName(c.Name))));
            int rows = columns.Count == 0 ? 0 : columns[0].Length;
            for (int i = 0; i < rows; i++)
            {
                for (int c = 0; c < columns.Count; c++)
                {
                    if (c > 0)
                        w.Write(',');
                    w.Write(columns[c].Doubles is { } doubles ? doubles[i].ToString("R", inv) : columns[c].Integers![i].ToString(inv));
                }
                w.WriteLine();
            }
        });
    }

    private static string CsvName(string name) =>
        name.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : name;

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

    public static void SaveModel(MixtureModel model, string path)
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
