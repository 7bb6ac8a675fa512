using System.Globalization;
using System.Runtime.CompilerServices;

namespace Emix.Data;

public static partial class CsvReader
{
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
