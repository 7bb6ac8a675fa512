using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

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
public static class CsvReader
{
    /// <summary>The longest line read (16 Mi characters: a million numeric columns); longer is refused.</summary>
    public const int MaxLineLength = 1 << 24;

    private const int MaxQuotedTextLength = 60;
    private const int MaxListedColumns = 20;

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

    /// <summary>Opens a text file for reading, turning "not found" and access errors into messages.</summary>
    internal static StreamReader OpenText(string path)
    {
        var stream = OpenFile(path, bufferSize: 1); // the StreamReader buffers
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>Opens a file for sequential reading, turning "not found" and access errors into messages.</summary>
    internal static FileStream OpenFile(string path, int bufferSize)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException($"{path}: file not found.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new DataFormatException($"{path}: cannot be read: {OneLine(ex.Message)}", ex);
        }
    }

    /// <summary>
    /// Turns a column selection (names, <c>x1</c>…<c>xd</c> default names when there is no header, or
    /// 1-based indices) into 0-based column indices.
    /// </summary>
    internal static int[] ResolveColumns(IReadOnlyList<string> columns, IReadOnlyList<string>? headerNames, int width, string sourceName)
    {
        var result = new int[columns.Count];
        for (int k = 0; k < columns.Count; k++)
        {
            string entry = columns[k] ?? throw new ArgumentException("A column entry is null.", nameof(columns));
            string key = entry.Trim();
            int found = -1;

            if (headerNames is not null)
            {
                for (int j = 0; j < headerNames.Count; j++)
                {
                    if (!string.Equals(headerNames[j], key, StringComparison.Ordinal))
                        continue;
                    if (found >= 0)
                    {
                        throw new DataFormatException(
                            $"{sourceName}: column name '{Quote(key)}' appears more than once (columns {found + 1} and {j + 1}); select the column by its number instead.");
                    }
                    found = j;
                }
            }
            else if (key.Length > 1 && key[0] is 'x' or 'X'
                && int.TryParse(key.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int defaultIndex)
                && defaultIndex >= 1 && defaultIndex <= width)
            {
                found = defaultIndex - 1;
            }

            if (found < 0 && int.TryParse(key, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign,
                    CultureInfo.InvariantCulture, out int index))
            {
                if (index < 1 || index > width)
                {
                    throw new DataFormatException(
                        $"{sourceName}: column {index} is out of range: there are {width} columns (1 to {width}{DescribeColumns(headerNames, width)}).");
                }
                found = index - 1;
            }

            if (found < 0)
            {
                throw new DataFormatException(
                    $"{sourceName}: there is no column named '{Quote(key)}'; available columns: {ListColumns(headerNames, width)}.");
            }
            result[k] = found;
        }
        return result;
    }

    private static string DescribeColumns(IReadOnlyList<string>? headerNames, int width) =>
        headerNames is null ? string.Empty : ": " + ListColumns(headerNames, width);

    private static string ListColumns(IReadOnlyList<string>? headerNames, int width)
    {
        if (headerNames is null)
        {
            string last = width.ToString(CultureInfo.InvariantCulture);
            return width == 1 ? "x1 (or 1)" : $"x1 to x{last} (or 1 to {last})";
        }
        var listed = headerNames.Take(MaxListedColumns).Select(n => "'" + Quote(n) + "'");
        string list = string.Join(", ", listed);
        return headerNames.Count > MaxListedColumns
            ? $"{list}, … ({headerNames.Count.ToString(CultureInfo.InvariantCulture)} in all)"
            : list;
    }

    private static DataFormatException CellError(ReadOnlySpan<char> text, string sourceName, long lineNumber, int column)
    {
        string shown = Quote(text);
        string problem;
        if (text.Contains('\0'))
            problem = $"'{shown}' {NumberTextHints.NulCharacter}";
        else if (text.IsWhiteSpace() || IsMissingMarker(text))
            problem = $"missing value '{shown}'.";
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsNonFiniteWord(text))
            problem = $"'{shown}' is not a finite number.";
        else
            problem = $"'{shown}' is not a number{NumberTextHints.Explain(text)}.";
        return DataFormatException.At(sourceName, lineNumber, column, problem);
    }

    private static bool IsMissingMarker(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        return text.Equals("NA", StringComparison.OrdinalIgnoreCase)
            || text.Equals("N/A", StringComparison.OrdinalIgnoreCase)
            || text.Equals("null", StringComparison.OrdinalIgnoreCase)
            || text.Equals("none", StringComparison.OrdinalIgnoreCase)
            || text.Equals("?", StringComparison.Ordinal);
    }

    private static bool IsNonFiniteWord(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.Length > 0 && text[0] is '+' or '-')
            text = text[1..];
        return text.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || text.Equals("infinity", StringComparison.OrdinalIgnoreCase)
            || text.Equals("nan", StringComparison.OrdinalIgnoreCase)
            || text.Equals("∞", StringComparison.Ordinal);
    }

    private static bool LooksLikeHeader(ReadOnlySpan<char> line, CellSplitter splitter, int width)
    {
        for (int j = 0; j < width; j++)
        {
            var text = splitter.Cell(line, j);
            if (text.IsWhiteSpace() || IsMissingMarker(text) || IsNonFiniteWord(text))
                continue;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                return true;
        }
        return false;
    }

    private static char ChooseDelimiter(string sourceName, ReadOnlySpan<char> firstLine)
    {
        string extension = Path.GetExtension(sourceName);
        // "a;b" with no comma is the European CSV layout (a semicolon between cells, often a decimal comma).
        char commaOrSemicolon = firstLine.Contains(';') && !firstLine.Contains(',') ? ';' : ',';
        if (string.Equals(extension, ".csv", StringComparison.OrdinalIgnoreCase))
            return commaOrSemicolon;
        if (string.Equals(extension, ".tsv", StringComparison.OrdinalIgnoreCase)
            || string.Equals(extension, ".tab", StringComparison.OrdinalIgnoreCase))
        {
            return '\t';
        }
        return firstLine.Contains('\t') ? '\t' : commaOrSemicolon;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsSkippable(ReadOnlySpan<char> line)
    {
        var trimmed = line.TrimStart();
        return trimmed.IsEmpty || trimmed[0] == '#';
    }

    /// <summary>Quotes text for a one-line message: shortened when long, control characters escaped.</summary>
    private static string Quote(ReadOnlySpan<char> text)
    {
        bool shortened = text.Length > MaxQuotedTextLength;
        if (shortened)
            text = text[..MaxQuotedTextLength];
        var builder = new StringBuilder(text.Length + 1);
        foreach (char c in text)
        {
            if (char.IsControl(c))
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        if (shortened)
            builder.Append('…');
        return builder.ToString();
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>
    /// Parses the common short decimal forms (<c>-12.5</c>, <c>3e-4</c>) exactly as
    /// <see cref="double.Parse(string, NumberStyles, IFormatProvider)"/> does, but faster; returns
    /// <see langword="false"/> for anything else, which then goes to <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/>.
    /// </summary>
    /// <remarks>
    /// Clinger's fast path: with at most 15 significant digits the digits form an integer that a double
    /// holds exactly, and so does 10^k for |k| ≤ 22; one multiplication or division of two exact values is
    /// correctly rounded, which is what the full parser returns too.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseFast(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        int i = 0;
        int n = text.Length;
        bool negative = false;
        if (i < n && text[i] is '-' or '+')
        {
            negative = text[i] == '-';
            i++;
        }

        ulong mantissa = 0;
        int significant = 0;
        int pendingZeros = 0; // zeros after the last non-zero digit, not yet multiplied in
        int exponent = 0;

        int integerStart = i;
        for (; i < n; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
                break;
            if (!Accumulate(digit, ref mantissa, ref significant, ref pendingZeros))
                return false;
        }
        if (i == integerStart)
            return false;

        if (i < n && text[i] == '.')
        {
            i++;
            int fractionStart = i;
            for (; i < n; i++)
            {
                uint digit = (uint)(text[i] - '0');
                if (digit > 9)
                    break;
                if (!Accumulate(digit, ref mantissa, ref significant, ref pendingZeros))
                    return false;
                exponent--;
            }
            if (i == fractionStart)
                return false;
        }

        if (i < n && text[i] is 'e' or 'E')
        {
            i++;
            bool negativeExponent = false;
            if (i < n && text[i] is '-' or '+')
            {
                negativeExponent = text[i] == '-';
                i++;
            }
            int exponentStart = i;
            int written = 0;
            for (; i < n; i++)
            {
                uint digit = (uint)(text[i] - '0');
                if (digit > 9)
                    break;
                if (i - exponentStart >= 4)
                    return false;
                written = (written * 10) + (int)digit;
            }
            if (i == exponentStart)
                return false;
            exponent += negativeExponent ? -written : written;
        }
        if (i != n)
            return false;

        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }
        exponent += pendingZeros;
        if (exponent is < -22 or > 22)
            return false;
        double result = exponent >= 0 ? mantissa * s_powersOf10[exponent] : mantissa / s_powersOf10[-exponent];
        value = negative ? -result : result;
        return true;
    }

    private static bool Accumulate(uint digit, ref ulong mantissa, ref int significant, ref int pendingZeros)
    {
        if (digit == 0)
        {
            if (mantissa != 0)
                pendingZeros++;
            return true;
        }
        significant += pendingZeros + 1;
        if (significant > 15)
            return false;
        for (; pendingZeros > 0; pendingZeros--)
            mantissa *= 10;
        mantissa = (mantissa * 10) + digit;
        return true;
    }

    private static readonly double[] s_powersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ParseCell(ReadOnlySpan<char> text, RowLayout layout, long lineNumber, int column)
    {
        if (TryParseFast(text, out double value))
            return value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
            return value;
        if (layout.AllowMissing && IsMissingCell(text))
            return double.NaN;
        throw CellError(text, layout.SourceName, lineNumber, column + 1);
    }

    /// <summary>A cell that means "missing" when missing values are allowed: blank, a marker such as NA, or NaN (any sign or case).</summary>
    internal static bool IsMissingCell(ReadOnlySpan<char> text)
    {
        if (text.IsWhiteSpace() || IsMissingMarker(text))
            return true;
        text = text.Trim();
        if (text.Length > 0 && text[0] is '+' or '-')
            text = text[1..];
        return text.Equals("nan", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What every data row must look like; shared, read-only, by the threads that parse rows.</summary>
    private sealed class RowLayout
    {
        private volatile bool _abandoned;

        public RowLayout(string sourceName, char delimiter, int width, int[] selected, string expectedFrom)
        {
            SourceName = sourceName;
            Delimiter = delimiter;
            Width = width;
            Selected = selected;
            ExpectedFrom = expectedFrom;
            Identity = selected.Length == width && selected.AsSpan().SequenceEqual(Enumerable.Range(0, width).ToArray());
            Needed = new bool[width];
            foreach (int j in selected)
                Needed[j] = true;
        }

        public string SourceName { get; }

        public char Delimiter { get; }

        /// <summary>Cells in every row.</summary>
        public int Width { get; }

        /// <summary>The file columns (0-based) that become features, in order.</summary>
        public int[] Selected { get; }

        public int FeatureCount => Selected.Length;

        /// <summary>Whether all columns are selected in file order.</summary>
        public bool Identity { get; }

        /// <summary>Whether each file column is selected at least once.</summary>
        public bool[] Needed { get; }

        /// <summary>Where the expected width came from, for the ragged-row message.</summary>
        public string ExpectedFrom { get; }

        /// <summary>Whether a missing cell is read as NaN instead of being an error.</summary>
        public bool AllowMissing { get; init; }

        /// <summary>Set when an error has been reported, so that chunks still being parsed stop early.</summary>
        public bool Abandoned
        {
            get => _abandoned;
            set => _abandoned = value;
        }
    }

    /// <summary>A block of data lines copied out of the reader, parsed on its own (possibly on a worker thread).</summary>
    private sealed class RowChunk
    {
        private const int TextCapacity = 1 << 17;
        private const int LineCapacity = 8192;

        private readonly RowLayout _layout;
        private readonly CellSplitter _splitter;
        private readonly double[] _rowValues;
        private readonly int[] _starts = new int[LineCapacity];
        private readonly int[] _lengths = new int[LineCapacity];
        private readonly long[] _lineNumbers = new long[LineCapacity];
        private char[] _text = new char[TextCapacity];
        private int _textLength;
        private double[] _values = [];

        public RowChunk(RowLayout layout)
        {
            _layout = layout;
            _splitter = new CellSplitter(layout.SourceName) { Delimiter = layout.Delimiter };
            _rowValues = new double[layout.Width];
        }

        public int LineCount { get; private set; }

        /// <summary>The first error in the chunk, after <see cref="Parse"/>.</summary>
        public DataFormatException? Error { get; private set; }

        /// <summary>The parse running on a worker thread, if any.</summary>
        public Task? Task { get; set; }

        /// <summary>The parsed rows, row-major, after <see cref="Parse"/>.</summary>
        public ReadOnlySpan<double> Values => _values.AsSpan(0, LineCount * _layout.FeatureCount);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryAdd(ReadOnlySpan<char> line, long lineNumber)
        {
            if (LineCount == LineCapacity)
                return false;
            if (_textLength + line.Length > _text.Length)
            {
                if (LineCount > 0)
                    return false;
                _text = new char[line.Length]; // one line longer than a whole chunk
            }
            line.CopyTo(_text.AsSpan(_textLength));
            _starts[LineCount] = _textLength;
            _lengths[LineCount] = line.Length;
            _lineNumbers[LineCount] = lineNumber;
            _textLength += line.Length;
            LineCount++;
            return true;
        }

        public void Reset()
        {
            _textLength = 0;
            LineCount = 0;
            Error = null;
            Task = null;
            if (_text.Length > TextCapacity)
                _text = new char[TextCapacity];
        }

        /// <summary>Parses every line, or stops at the first error and keeps it in <see cref="Error"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Parse()
        {
            int d = _layout.FeatureCount;
            int required = checked(LineCount * d);
            if (_values.Length < required)
                _values = new double[required];
            try
            {
                for (int i = 0; i < LineCount; i++)
                {
                    if (_layout.Abandoned)
                        return;
                    ParseRow(_text.AsSpan(_starts[i], _lengths[i]), _lineNumbers[i], _values.AsSpan(i * d, d));
                }
            }
            catch (DataFormatException ex)
            {
                Error = ex;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ParseRow(ReadOnlySpan<char> line, long lineNumber, Span<double> destination)
        {
            var layout = _layout;
            var splitter = _splitter;
            int cells = splitter.Split(line, lineNumber);
            if (cells != layout.Width)
            {
                throw new DataFormatException(
                    $"{layout.SourceName}: row {lineNumber}: has {cells} columns, expected {layout.Width} (as in {layout.ExpectedFrom}).");
            }
            if (layout.Identity)
            {
                for (int j = 0; j < destination.Length; j++)
                    destination[j] = ParseCell(splitter.Cell(line, j), layout, lineNumber, j);
                return;
            }
            var needed = layout.Needed;
            for (int j = 0; j < needed.Length; j++)
            {
                if (needed[j])
                    _rowValues[j] = ParseCell(splitter.Cell(line, j), layout, lineNumber, j);
            }
            var selected = layout.Selected;
            for (int k = 0; k < destination.Length; k++)
                destination[k] = _rowValues[selected[k]];
        }
    }

    /// <summary>
    /// Gathers data lines into chunks, parses full chunks on worker threads (a bounded number at a time),
    /// and appends their rows in file order, so that values and the error reported (the first one in the
    /// file) do not depend on the number of threads.
    /// </summary>
    private sealed class RowCollector
    {
        private readonly RowLayout _layout;
        private readonly Queue<RowChunk> _inFlight = new();
        private readonly Stack<RowChunk> _free = new();
        private readonly int _maxInFlight = Environment.ProcessorCount > 1 ? Math.Min(2 * Environment.ProcessorCount, 16) : 0;
        private RowChunk _current;
        private double[] _values = [];
        private long _count;

        private readonly Action<ReadOnlySpan<double>>? _sink;

        /// <summary>Collects parsed rows in memory, or hands each block to <paramref name="sink"/> in file order.</summary>
        public RowCollector(RowLayout layout, Action<ReadOnlySpan<double>>? sink = null)
        {
            _layout = layout;
            _sink = sink;
            _current = new RowChunk(layout);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<char> line, long lineNumber)
        {
            if (_current.TryAdd(line, lineNumber))
                return;
            Dispatch(_current);
            _current = _free.Count > 0 ? _free.Pop() : new RowChunk(_layout);
            _current.TryAdd(line, lineNumber);
        }

        /// <summary>Parses what is left and returns all values, exactly sized.</summary>
        public double[] Finish()
        {
            if (_current.LineCount > 0)
            {
                if (_inFlight.Count == 0)
                {
                    // Small inputs (one chunk) never leave the calling thread.
                    _current.Parse();
                    Collect(_current);
                }
                else
                {
                    Dispatch(_current);
                }
            }
            while (_inFlight.Count > 0)
                Collect(_inFlight.Dequeue());

            if (_count == 0)
                throw new DataFormatException($"{_layout.SourceName}: no data rows.");
            if (_sink is null && _count != _values.Length)
                Array.Resize(ref _values, (int)_count);
            return _values;
        }

        private void Dispatch(RowChunk chunk)
        {
            if (_maxInFlight == 0)
            {
                chunk.Parse();
                Collect(chunk);
                return;
            }
            chunk.Task = Task.Run(chunk.Parse);
            _inFlight.Enqueue(chunk);
            while (_inFlight.Count > _maxInFlight)
                Collect(_inFlight.Dequeue());
        }

        private void Collect(RowChunk chunk)
        {
            try
            {
                chunk.Task?.GetAwaiter().GetResult();
            }
            catch
            {
                _layout.Abandoned = true;
                throw;
            }
            if (chunk.Error is { } error)
            {
                _layout.Abandoned = true;
                throw error;
            }

            var rows = chunk.Values;
            long required = _count + rows.Length;
            if (_sink is not null)
            {
                _sink(rows);
                _count = required;
                chunk.Reset();
                _free.Push(chunk);
                return;
            }
            if (required > _values.Length)
            {
                if (required > Array.MaxLength)
                {
                    _layout.Abandoned = true;
                    throw new DataFormatException(
                        $"{_layout.SourceName}: too many values for one data set (more than {Array.MaxLength}).");
                }
                long size = Math.Max(required, Math.Min(Math.Max((long)_values.Length * 2, 1024), Array.MaxLength));
                var grown = new double[size];
                _values.AsSpan(0, (int)_count).CopyTo(grown);
                _values = grown;
            }
            rows.CopyTo(_values.AsSpan((int)_count));
            _count = required;
            chunk.Reset();
            _free.Push(chunk);
        }
    }

    /// <summary>
    /// Splits a line into cells, remembering each cell's range; the ranges stay valid until the next split.
    /// </summary>
    private sealed class CellSplitter
    {
        private readonly string _sourceName;
        private int[] _starts = new int[16];
        private int[] _lengths = new int[16];
        private bool[] _escaped = new bool[16];

        public CellSplitter(string sourceName) => _sourceName = sourceName;

        public char Delimiter { get; set; } = ',';

        /// <summary>Splits the line and returns the number of cells.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Split(ReadOnlySpan<char> line, long lineNumber)
        {
            if (Delimiter == ' ')
                return SplitOnBlanks(line);
            if (line.Contains('"'))
                return SplitQuoted(line, lineNumber);

            char delimiter = Delimiter;
            int count = 0;
            int start = 0;
            while (true)
            {
                int length = line[start..].IndexOf(delimiter);
                bool last = length < 0;
                if (last)
                    length = line.Length - start;
                Add(count++, line, start, length, escaped: false);
                if (last)
                    return count;
                start += length + 1;
            }
        }

        /// <summary>The text of a cell, trimmed and without its quotes (doubled quotes are left doubled).</summary>
        public ReadOnlySpan<char> Cell(ReadOnlySpan<char> line, int index) => line.Slice(_starts[index], _lengths[index]);

        /// <summary>The text of a cell as a string, with doubled quotes inside a quoted cell made single.</summary>
        public string CellText(ReadOnlySpan<char> line, int index)
        {
            string text = Cell(line, index).ToString();
            return _escaped[index] ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
        }

        private int SplitOnBlanks(ReadOnlySpan<char> line)
        {
            int count = 0;
            int i = 0;
            while (true)
            {
                while (i < line.Length && line[i] is ' ' or '\t')
                    i++;
                if (i == line.Length)
                    return count;
                int start = i;
                while (i < line.Length && line[i] is not (' ' or '\t'))
                    i++;
                int length = i - start;
                if (length >= 2 && line[start] == '"' && line[i - 1] == '"')
                    AddRaw(count++, start + 1, length - 2, escaped: false);
                else
                    AddRaw(count++, start, length, escaped: false);
            }
        }

        private int SplitQuoted(ReadOnlySpan<char> line, long lineNumber)
        {
            char delimiter = Delimiter;
            int count = 0;
            int i = 0;
            while (true)
            {
                int cellStart = i;
                while (i < line.Length && line[i] is ' ' or '\t' && line[i] != delimiter)
                    i++;
                if (i < line.Length && line[i] == '"')
                {
                    int contentStart = i + 1;
                    bool escaped = false;
                    int j = contentStart;
                    while (true)
                    {
                        int next = j < line.Length ? line[j..].IndexOf('"') : -1;
                        if (next < 0)
                        {
                            throw DataFormatException.At(_sourceName, lineNumber, count + 1,
                                $"the quote in '{Quote(line[cellStart..])}' is not closed (quoted cells cannot span lines).");
                        }
                        j += next;
                        if (j + 1 < line.Length && line[j + 1] == '"')
                        {
                            escaped = true;
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    AddRaw(count++, contentStart, j - contentStart, escaped);
                    i = j + 1;
                    while (i < line.Length && line[i] is ' ' or '\t' && line[i] != delimiter)
                        i++;
                    if (i == line.Length)
                        return count;
                    if (line[i] != delimiter)
                    {
                        int end = line[i..].IndexOf(delimiter);
                        var cell = end < 0 ? line[cellStart..] : line[cellStart..(i + end)];
                        throw DataFormatException.At(_sourceName, lineNumber, count,
                            $"'{Quote(cell.Trim())}' has text after its closing quote.");
                    }
                    i++;
                }
                else
                {
                    int length = line[cellStart..].IndexOf(delimiter);
                    bool last = length < 0;
                    if (last)
                        length = line.Length - cellStart;
                    Add(count++, line, cellStart, length, escaped: false);
                    if (last)
                        return count;
                    i = cellStart + length + 1;
                }
            }
        }

        private void Add(int index, ReadOnlySpan<char> line, int start, int length, bool escaped)
        {
            // Trim spaces and tabs (a tab delimiter never reaches here inside a cell).
            int end = start + length;
            while (start < end && line[start] is ' ' or '\t')
                start++;
            while (end > start && line[end - 1] is ' ' or '\t')
                end--;
            // A quoted cell on the fast path cannot happen: lines with quotes go through SplitQuoted.
            AddRaw(index, start, end - start, escaped);
        }

        private void AddRaw(int index, int start, int length, bool escaped)
        {
            if (index == _starts.Length)
            {
                Array.Resize(ref _starts, index * 2);
                Array.Resize(ref _lengths, index * 2);
                Array.Resize(ref _escaped, index * 2);
            }
            _starts[index] = start;
            _lengths[index] = length;
            _escaped[index] = escaped;
        }
    }

    /// <summary>
    /// Yields lines from a text reader as spans over one reusable buffer, counting physical lines
    /// (LF, CRLF and lone CR each end one line). A leading byte order mark character is dropped.
    /// </summary>
    private sealed class LineSource
    {
        private readonly TextReader _reader;
        private readonly string _sourceName;
        private char[] _buffer = new char[1 << 16];
        private int _start;
        private int _end;
        private bool _eof;

        public LineSource(TextReader reader, string sourceName)
        {
            _reader = reader;
            _sourceName = sourceName;
        }

        /// <summary>The 1-based number of the line returned last.</summary>
        public long LineNumber { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryReadLine(out ReadOnlySpan<char> line)
        {
            int scanFrom = _start;
            while (true)
            {
                int found = _buffer.AsSpan(scanFrom, _end - scanFrom).IndexOfAny('\n', '\r');
                if (found >= 0)
                {
                    int position = scanFrom + found;
                    if (_buffer[position] == '\r' && position + 1 == _end && !_eof)
                    {
                        // A CR at the end of the buffer: read on to see whether an LF follows.
                        int offset = position - _start;
                        Fill();
                        scanFrom = _start + offset;
                        continue;
                    }
                    int next = position + 1;
                    if (_buffer[position] == '\r' && next < _end && _buffer[next] == '\n')
                        next++;
                    line = Finish(_start, position);
                    _start = next;
                    return true;
                }
                if (_eof)
                {
                    if (_start == _end)
                    {
                        line = default;
                        return false;
                    }
                    line = Finish(_start, _end);
                    _start = _end;
                    return true;
                }
                int scanned = _end - _start;
                Fill();
                scanFrom = _start + scanned;
            }
        }

        private ReadOnlySpan<char> Finish(int start, int end)
        {
            LineNumber++;
            var line = _buffer.AsSpan(start, end - start);
            if (LineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF')
                line = line[1..];
            return line;
        }

        /// <summary>Moves the unread text to the front, grows the buffer when full, and reads more.</summary>
        private void Fill()
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                // The buffer is full of one unfinished line: grow it, up to the limit.
                if (_buffer.Length >= MaxLineLength)
                {
                    throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{_sourceName}: row {LineNumber + 1}: no line end in the first {MaxLineLength} characters; lines longer than that are refused. Is this a text data file?"));
                }
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineLength));
            }
            int read = _reader.Read(_buffer, _end, _buffer.Length - _end);
            if (read <= 0)
                _eof = true;
            else
                _end += read;
        }
    }
}
