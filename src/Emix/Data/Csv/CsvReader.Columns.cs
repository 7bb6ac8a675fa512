using System.Globalization;

namespace Emix.Data;

public static partial class CsvReader
{
    private const int MaxListedColumns = 20;

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
}
