using System.Globalization;

namespace Emix.Cli;

/// <summary>
/// <c>--init-labels FILE</c>: one 0-based component per data row, one per line; lines starting with
/// <c>#</c> and blank lines are skipped. Problems are named with the file and line.
/// </summary>
internal static class LabelsFile
{
    /// <exception cref="DataFormatException">The file is missing, a line is not an integer, a label is outside 0..k−1, the count differs from the rows, or a component has no row.</exception>
    public static int[] Read(string path, int rowCount, int componentCount)
    {
        if (!File.Exists(path))
            throw new DataFormatException($"{path}: initial-labels file not found.");
        var labels = new List<int>(rowCount);
        var firstLine = new int[componentCount];
        int lineNumber = 0;
        try
        {
            foreach (string raw in File.ReadLines(path))
            {
                lineNumber++;
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                    continue;
                if (!int.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int label))
                    throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}, line {lineNumber}: '{Shorten(line)}' is not a component label (a 0-based integer)."));
                if (label < 0 || label >= componentCount)
                    throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}, line {lineNumber}: label {label} is outside 0..{componentCount - 1} for {componentCount} components (-k)."));
                if (labels.Count == rowCount)
                    throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}, line {lineNumber}: more labels than the {rowCount} data rows; give one per row."));
                if (firstLine[label] == 0)
                    firstLine[label] = lineNumber;
                labels.Add(label);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{path}: cannot read ({e.Message}).");
        }
        if (labels.Count != rowCount)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {labels.Count} labels for {rowCount} data rows; give one per row (line {lineNumber} is the last)."));
        int empty = Array.IndexOf(firstLine, 0);
        if (empty >= 0)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: no row has label {empty}; every one of the {componentCount} components (-k) needs at least one row."));
        return [.. labels];
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
