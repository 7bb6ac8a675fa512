using System.Runtime.CompilerServices;

namespace Emix.Data;

public static partial class CsvReader
{
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
}
