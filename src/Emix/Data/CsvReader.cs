using System.Globalization;
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
/// lines). Numbers are parsed with <see cref="NumberStyles.Float"/> in the invariant culture.
/// </para>
/// <para>
/// Every error is a <see cref="DataFormatException"/> with a one-line message that names the source, the
/// physical line number in the file ("row") and the 1-based column within that line, and quotes the bad text.
/// </para>
/// <para>
/// When the delimiter is a space, runs of spaces and tabs separate cells and leading or trailing blanks are
/// ignored (the layout <c>numpy.savetxt</c> writes).
/// </para>
/// </remarks>
public static class CsvReader
{
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
    /// picks the default delimiter.
    /// </param>
    /// <param name="options">How to read it; <see langword="null"/> for the defaults.</param>
    /// <returns>The rows read, with the header's names for the chosen columns when there was a header.</returns>
    /// <exception cref="DataFormatException">The text is empty or malformed.</exception>
    public static DataSet Read(TextReader reader, string sourceName, CsvReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= s_defaultOptions;
        if (options.Delimiter is char explicitDelimiter && explicitDelimiter is '"' or '#' or '\r' or '\n')
            throw new ArgumentException($"'{options.Delimiter}' cannot be a delimiter.", nameof(options));
        if (options.Columns is { Count: 0 })
            throw new ArgumentException("Columns is empty; pass null to read all columns.", nameof(options));

        var lines = new LineSource(reader);
        var splitter = new CellSplitter(sourceName);

        // The first line that is neither blank nor a comment: a header or the first data row.
        ReadOnlySpan<char> line;
        do
        {
            if (!lines.TryReadLine(out line))
                throw new DataFormatException($"{sourceName}: no data rows.");
        }
        while (IsSkippable(line));

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
        bool identity = d == width && selected.AsSpan().SequenceEqual(Enumerable.Range(0, width).ToArray());
        var needed = new bool[width];
        foreach (int j in selected)
            needed[j] = true;

        string expectedFrom = hasHeader ? "the header" : "the first row";
        var rowValues = new double[width];
        var values = new double[Math.Max(d * 1024, 1024)];
        long count = 0;

        bool pending = !hasHeader; // the first line is already split and is a data row
        while (true)
        {
            int cells;
            if (pending)
            {
                cells = width;
                pending = false;
            }
            else
            {
                if (!lines.TryReadLine(out line))
                    break;
                if (IsSkippable(line))
                    continue;
                cells = splitter.Split(line, lines.LineNumber);
            }

            long lineNumber = lines.LineNumber;
            if (cells != width)
            {
                throw new DataFormatException(
                    $"{sourceName}: row {lineNumber}: has {cells} columns, expected {width} (as in {expectedFrom}).");
            }

            if (count + d > values.Length)
                values = Grow(values, count + d, sourceName);

            if (identity)
            {
                var destination = values.AsSpan((int)count, d);
                for (int j = 0; j < width; j++)
                    destination[j] = ParseCell(line, splitter, j, lineNumber, sourceName);
            }
            else
            {
                for (int j = 0; j < width; j++)
                {
                    if (needed[j])
                        rowValues[j] = ParseCell(line, splitter, j, lineNumber, sourceName);
                }
                var destination = values.AsSpan((int)count, d);
                for (int k = 0; k < d; k++)
                    destination[k] = rowValues[selected[k]];
            }
            count += d;
        }

        if (count == 0)
            throw new DataFormatException($"{sourceName}: no data rows.");
        if (count != values.Length)
            Array.Resize(ref values, (int)count);

        string[]? featureNames = headerNames is null ? null : Array.ConvertAll(selected, j => headerNames[j]);
        return DataSet.Wrap(values, d, featureNames, sourceName);
    }

    /// <summary>Opens a text file for reading, turning "not found" and access errors into messages.</summary>
    internal static StreamReader OpenText(string path)
    {
        var stream = OpenFile(path, 1 << 16);
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

    private static double[] Grow(double[] values, long required, string sourceName)
    {
        if (required > Array.MaxLength)
            throw new DataFormatException($"{sourceName}: too many values for one data set (more than {Array.MaxLength}).");
        long size = Math.Max(required, Math.Min((long)values.Length * 2, Array.MaxLength));
        var grown = new double[size];
        values.AsSpan().CopyTo(grown);
        return grown;
    }

    private static double ParseCell(ReadOnlySpan<char> line, CellSplitter splitter, int column, long lineNumber, string sourceName)
    {
        var text = splitter.Cell(line, column);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            return value;
        throw CellError(text, sourceName, lineNumber, column + 1);
    }

    private static DataFormatException CellError(ReadOnlySpan<char> text, string sourceName, long lineNumber, int column)
    {
        string shown = Quote(text);
        string problem;
        if (text.IsWhiteSpace() || IsMissingMarker(text))
            problem = $"missing value '{shown}'.";
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsNonFiniteWord(text))
            problem = $"'{shown}' is not a finite number.";
        else
            problem = $"'{shown}' is not a number.";
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
        if (string.Equals(extension, ".csv", StringComparison.OrdinalIgnoreCase))
            return ',';
        if (string.Equals(extension, ".tsv", StringComparison.OrdinalIgnoreCase)
            || string.Equals(extension, ".tab", StringComparison.OrdinalIgnoreCase))
        {
            return '\t';
        }
        return firstLine.Contains('\t') ? '\t' : ',';
    }

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
        private char[] _buffer = new char[1 << 16];
        private int _start;
        private int _end;
        private bool _eof;

        public LineSource(TextReader reader) => _reader = reader;

        /// <summary>The 1-based number of the line returned last.</summary>
        public long LineNumber { get; private set; }

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
                Array.Resize(ref _buffer, _buffer.Length * 2);
            int read = _reader.Read(_buffer, _end, _buffer.Length - _end);
            if (read <= 0)
                _eof = true;
            else
                _end += read;
        }
    }
}
