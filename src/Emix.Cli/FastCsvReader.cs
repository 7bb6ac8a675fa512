using System.Globalization;
using Emix.Data;
using nietras.SeparatedValues;

namespace Emix.Cli;

/// <summary>
/// Reads plain numeric CSV/TSV files with Sep, which measured several times faster than the core reader on a
/// 1e6×8 file (bench/Emix.Bench.Csv; numbers in bench/results/csv-reader.md). It takes only the common shape: no
/// comments or blank lines, no quotes, ',' ';' or tab separators, every cell a finite number. Anything
/// else — including every error — makes it step aside (<see langword="null"/>), and the core
/// <see cref="CsvReader"/> reads the file, so rules and one-line messages stay the core's.
/// The values are the same bits either way: both parsers round correctly.
/// </summary>
internal static class FastCsvReader
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>How much of the file is read to find the first line.</summary>
    private const int HeadChars = 1 << 16;

    /// <summary>
    /// Characters a plain number may contain. A cell with anything else (a thousands separator,
    /// a decimal comma, a word) goes to the core reader, which refuses it with its hint.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> s_numberChars = System.Buffers.SearchValues.Create("0123456789+-.eE \t");

    /// <summary>Missing-value markers and non-finite words that the core reader counts as numbers when it detects a header.</summary>
    private static readonly HashSet<string> s_words = new(StringComparer.OrdinalIgnoreCase)
    {
        "NA", "N/A", "null", "none", "?", "inf", "infinity", "nan", "∞",
    };

    /// <summary>Reads the file, or returns <see langword="null"/> when the core reader must.</summary>
    public static DataSet? TryRead(string path, CsvReadOptions options)
    {
        string? first;
        try
        {
            // Only the head of the file: a file with no line end (or a huge first line) is the core
            // reader's to refuse, with its bounded memory and its message.
            using var head = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[HeadChars];
            int read = head.ReadBlock(buffer, 0, buffer.Length);
            int end = Array.IndexOf(buffer, '\n', 0, read);
            if (end < 0)
                return null;
            first = new string(buffer, 0, end).TrimEnd('\r');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null; // the core reader words the message
        }
        if (first is null || first.AsSpan().TrimStart().IsEmpty || first.TrimStart()[0] == '#' || first.Contains('"', StringComparison.Ordinal))
            return null;
        char delimiter = options.Delimiter ?? DefaultDelimiter(path, first);
        if (delimiter is not (',' or ';' or '\t'))
            return null;

        var cells = first.Split(delimiter).Select(c => c.Trim(' ', '\t')).ToArray();
        int width = cells.Length;
        // Empty cells and words such as NA or inf on the first line: the core decides header or missing value.
        if (cells.Any(c => c.Length == 0 || s_words.Contains(c.TrimStart('+', '-'))))
            return null;
        bool hasHeader = options.Header switch
        {
            HeaderMode.Present => true,
            HeaderMode.Absent => false,
            _ => cells.Any(c => !double.TryParse(c, NumberStyles.Float, Inv, out _)),
        };
        // A first line that is data must be all finite numbers here; a mixed line is for the core's rules.
        if (!hasHeader && cells.Any(c => !double.TryParse(c, NumberStyles.Float, Inv, out double v) || !double.IsFinite(v)))
            return null;
        string[]? names = hasHeader ? cells.Select((c, j) => c.Length == 0 ? "x" + (j + 1).ToString(Inv) : c).ToArray() : null;
        int[]? selected = options.Columns is null ? Enumerable.Range(0, width).ToArray() : Resolve(options.Columns, names, width);
        if (selected is null)
            return null;

        int d = selected.Length;
        long estimate = Math.Max(16, new FileInfo(path).Length / Math.Max(1, first.Length + 1));
        var values = new double[Math.Min(estimate * d, Array.MaxLength / 2)];
        long count = 0;
        try
        {
            using var reader = Sep.Reader(o => o with
            {
                Sep = new Sep(delimiter),
                HasHeader = false,
                DisableColCountCheck = true,
                DisableQuotesParsing = true,
            }).FromFile(path);
            bool skip = hasHeader;
            foreach (var row in reader)
            {
                if (skip)
                {
                    skip = false;
                    continue;
                }
                if (row.ColCount != width)
                    return null;
                if ((count + 1) * d > values.Length)
                {
                    if (values.Length >= Array.MaxLength / 2)
                        return null;
                    Array.Resize(ref values, (int)Math.Min((long)values.Length * 2, Array.MaxLength));
                }
                for (int a = 0; a < d; a++)
                {
                    var cell = row[selected[a]];
                    if (cell.Span.IndexOfAnyExcept(s_numberChars) >= 0)
                        return null;
                    // Sep's parser (csFastFloat) first, twice as fast as double.Parse; a padded or unusual
                    // cell is tried as the core reader reads it. Both round correctly: the same bits.
                    if (cell.TryParse<double>() is not { } v || !double.IsFinite(v))
                    {
                        if (!double.TryParse(cell.Span.Trim(" \t"), NumberStyles.Float, Inv, out v) || !double.IsFinite(v))
                            return null;
                    }
                    values[(count * d) + a] = v;
                }
                count++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or ArgumentException or FormatException)
        {
            return null;
        }
        if (count == 0)
            return null;
        Array.Resize(ref values, (int)(count * d));
        return DataSet.Wrap(values, d, names is null ? null : selected.Select(j => names[j]).ToArray(), path);
    }

    private static char DefaultDelimiter(string path, string first)
    {
        string extension = Path.GetExtension(path).ToUpperInvariant();
        return extension switch
        {
            ".CSV" => ',',
            ".TSV" or ".TAB" => '\t',
            _ => first.Contains('\t', StringComparison.Ordinal) ? '\t' : ',',
        };
    }

    /// <summary>Names from the header (or x1…xd without one), then 1-based positions; null when the core must decide (unknown, duplicate).</summary>
    private static int[]? Resolve(IReadOnlyList<string> columns, string[]? names, int width)
    {
        var result = new int[columns.Count];
        for (int k = 0; k < columns.Count; k++)
        {
            string key = columns[k].Trim();
            int found = -1;
            if (names is not null)
            {
                var matches = Enumerable.Range(0, width).Where(j => string.Equals(names[j], key, StringComparison.Ordinal)).ToArray();
                if (matches.Length > 1)
                    return null;
                if (matches.Length == 1)
                    found = matches[0];
            }
            else if (key.Length > 1 && key[0] is 'x' or 'X' && int.TryParse(key.AsSpan(1), NumberStyles.None, Inv, out int named) && named >= 1 && named <= width)
            {
                found = named - 1;
            }
            if (found < 0 && int.TryParse(key, NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign, Inv, out int index))
            {
                if (index < 1 || index > width)
                    return null;
                found = index - 1;
            }
            if (found < 0)
                return null;
            result[k] = found;
        }
        return result;
    }
}
