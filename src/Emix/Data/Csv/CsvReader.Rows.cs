using System.Runtime.CompilerServices;

namespace Emix.Data;

public static partial class CsvReader
{
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
}
