using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Data;

/// <summary>
/// Reads delimited text (CSV, TSV) of numbers into a <see cref="DataSet"/>.
/// </summary>
/// <remarks>
/// <para>
/// Lines whose first non-blank character is '#' and blank lines are skipped; a UTF-8 byte order mark is
/// ignored; LF, CRLF and lone CR line ends all work. Cells are trimmed of spaces and tabs, and a cell in
/// double quotes loses its quotes (a doubled quote inside stands for one quote; quoted cells cannot span
/// lines). Numbers are parsed with <see cref="NumberStyles.Float"/> in the invariant culture: a decimal point,
/// no digit grouping. A cell with thousands separators (<c>1,234.5</c>, <c>1 234</c>) or a decimal comma
/// (<c>1,5</c>) is refused with a message that says so and what to do; it is never guessed.
/// </para>
/// <para>
/// Text is UTF-8; UTF-16 and UTF-32 with a byte order mark are decoded too. A NUL character (binary data, or
/// UTF-16 without a byte order mark) is reported as such. A line longer than <see cref="MaxLineLength"/>
/// characters stops the read, so a file without line ends cannot exhaust memory.
/// </para>
/// <para>
/// Every error is a <see cref="DataFormatException"/> with a one-line message that names the source, the
/// physical line number in the file ("row") and the 1-based column within that line, and quotes the bad text.
/// </para>
/// <para>
/// When the delimiter is a space, runs of spaces and tabs separate cells and leading or trailing blanks are
/// ignored (the layout <c>numpy.savetxt</c> writes).
/// </para>
/// <para>
/// Large inputs are parsed in blocks of lines on several threads; the values, and the error reported
/// (always the first one in the file), do not depend on the number of threads.
/// </para>
/// </remarks>
public static partial class CsvReader
{
    /// <summary>The longest line read (16 Mi characters: a million numeric columns); longer is refused.</summary>
    public const int MaxLineLength = 1 << 24;

    private static readonly CsvReadOptions s_defaultOptions = new();

    /// <summary>Reads a file. The path is used as the source name in the data set and in messages.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">How to read it; <see langword="null"/> for the defaults.</param>
    /// <returns>The rows read, with the header's names for the chosen columns when there was a header.</returns>
    /// <exception cref="DataFormatException">The file is missing, unreadable, empty or malformed.</exception>
    public static DataSet Read(string path, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = OpenText(path);
        return Read(reader, path, options);
    }

    /// <summary>Reads delimited text from a reader.</summary>
    /// <param name="reader">The text; a leading byte order mark character is ignored.</param>
    /// <param name="sourceName">
    /// Names the source in messages and in the data set; its extension (<c>.csv</c>, <c>.tsv</c>, <c>.tab</c>)
    /// picks the default delimiter: a comma for <c>.csv</c> (a semicolon when the first line has semicolons and
    /// no comma), a tab for <c>.tsv</c> and <c>.tab</c>, and for other names a tab, a semicolon or a comma,
    /// whichever the first line suggests in that order.
    /// </param>
    /// <param name="options">How to read it; <see langword="null"/> for the defaults.</param>
    /// <returns>The rows read, with the header's names for the chosen columns when there was a header.</returns>
    /// <exception cref="DataFormatException">The text is empty or malformed.</exception>
    public static DataSet Read(TextReader reader, string sourceName, CsvReadOptions? options = null)
    {
        var (values, d, featureNames) = ReadCore(reader, sourceName, options, sink: null);
        return options?.AllowMissing == true
            ? DataSet.WrapWithMissing(values, d, featureNames, sourceName)
            : DataSet.Wrap(values, d, featureNames, sourceName);
    }

    /// <summary>
    /// Converts delimited text to a float64 C-order <c>.npy</c> file without holding the rows in
    /// memory (the first step of an out-of-core fit of a CSV file). Same rules and messages as
    /// <see cref="Read(string, CsvReadOptions?)"/>; the output is written atomically.
    /// </summary>
    /// <returns>The column names (from the header, or null) and the number of rows written.</returns>
    public static (IReadOnlyList<string>? FeatureNames, long RowCount) ConvertToNpy(string path, string npyPath, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(npyPath);
        using var reader = OpenText(path);
        IReadOnlyList<string>? names = null;
        long rows = 0;
        AtomicFile.Write(npyPath, stream =>
        {
            // The row count is known only at the end: reserve a header of fixed length, rewrite it then.
            const int HeaderBytes = 128;
            stream.Write(new byte[HeaderBytes]);
            long values = 0;
            int width = 0;
            var (_, d, featureNames) = ReadCore(reader, path, options, block =>
            {
                stream.Write(MemoryMarshal.AsBytes(block));
                values += block.Length;
            }, columns => width = columns);
            names = featureNames;
            rows = values / d;
            stream.Position = 0;
            stream.Write(NpyWriter.BuildHeader(checked((int)rows), width, HeaderBytes));
        });
        return (names, rows);
    }

    private static (double[] Values, int FeatureCount, string[]? FeatureNames) ReadCore(TextReader reader, string sourceName, CsvReadOptions? options,
        Action<ReadOnlySpan<double>>? sink, Action<int>? onWidth = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= s_defaultOptions;
        if (options.Delimiter is char explicitDelimiter && explicitDelimiter is '"' or '#' or '\r' or '\n')
            throw new ArgumentException($"'{options.Delimiter}' cannot be a delimiter.", nameof(options));
        if (options.Columns is { Count: 0 })
            throw new ArgumentException("Columns is empty; pass null to read all columns.", nameof(options));

        var lines = new LineSource(reader, sourceName);
        var splitter = new CellSplitter(sourceName);

        // The first line that is neither blank nor a comment: a header or the first data row.
        ReadOnlySpan<char> line;
        do
        {
            if (!lines.TryReadLine(out line))
                throw new DataFormatException($"{sourceName}: no data rows.");
        }
        while (IsSkippable(line));
        if (line.Contains('\0'))
            throw new DataFormatException($"{sourceName}: row {lines.LineNumber}: {NumberTextHints.NulCharacter}");

        char delimiter = options.Delimiter ?? ChooseDelimiter(sourceName, line);
        splitter.Delimiter = delimiter;
        int width = splitter.Split(line, lines.LineNumber);
        bool hasHeader = options.Header switch
        {
            HeaderMode.Present => true,
            HeaderMode.Absent => false,
            _ => LooksLikeHeader(line, splitter, width),
        };

        string[]? headerNames = null;
        if (hasHeader)
        {
            headerNames = new string[width];
            for (int j = 0; j < width; j++)
            {
                string name = splitter.CellText(line, j);
                headerNames[j] = name.Length == 0 ? "x" + (j + 1).ToString(CultureInfo.InvariantCulture) : name;
            }
        }

        int[] selected = options.Columns is null
            ? Enumerable.Range(0, width).ToArray()
            : ResolveColumns(options.Columns, headerNames, width, sourceName);
        int d = selected.Length;

        var layout = new RowLayout(sourceName, delimiter, width, selected,
            hasHeader ? "the header" : "the first row")
        {
            AllowMissing = options.AllowMissing,
        };
        onWidth?.Invoke(d);
        var rows = new RowCollector(layout, sink);
        if (!hasHeader)
            rows.Add(line, lines.LineNumber); // the first line is a data row
        while (lines.TryReadLine(out line))
        {
            if (!IsSkippable(line))
                rows.Add(line, lines.LineNumber);
        }
        double[] values = rows.Finish();

        string[]? featureNames = headerNames is null ? null : Array.ConvertAll(selected, j => headerNames[j]);
        return (values, d, featureNames);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsSkippable(ReadOnlySpan<char> line)
    {
        var trimmed = line.TrimStart();
        return trimmed.IsEmpty || trimmed[0] == '#';
    }
}
