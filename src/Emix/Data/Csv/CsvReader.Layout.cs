using System.Globalization;

namespace Emix.Data;

public static partial class CsvReader
{
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
}
