using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Emix.ML;

/// <summary>
/// The rows of an ML.NET <see cref="IDataView"/> as an Emix <see cref="RowSource"/>: every pass of a fit
/// reads the view again through its cursors, so no copy of the whole view is made (memory stays that of
/// the view plus a chunk per thread). Any Emix estimator fits on it, as on a <see cref="DataSet"/>, with
/// the same bits for the same values in the same order.
/// </summary>
/// <remarks>
/// The features are one column: a known-size vector (as <c>Concatenate</c> makes) or a scalar, of
/// <see cref="float"/> or <see cref="double"/> (a <see cref="float"/> widens to the <see cref="double"/>
/// of the same value). The feature names are the column's slot names where it has them, else
/// <c>x1</c>…<c>xd</c>. The view must give the same rows in the same order on every cursor, as every
/// loader and row-to-row transform of ML.NET does (the constructor reads it once, to count the rows and
/// check every value). Reads of row ranges move cursors forward only; the few kept open are released by
/// <see cref="Dispose()"/>.
/// </remarks>
public sealed class DataViewRowSource : RowSource, IDisposable
{
    private readonly IDataView _view;
    private readonly DataViewSchema.Column _features;
    private readonly bool _isDouble;
    private readonly long _missingCount;
    private readonly List<PositionedCursor> _idle = [];
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Reads <paramref name="view"/> once to count its rows and check its values.</summary>
    /// <param name="view">The rows.</param>
    /// <param name="featureColumnName">The column of features (a vector or scalar of <see cref="float"/> or <see cref="double"/>).</param>
    /// <param name="allowMissing">Whether NaN marks a missing cell (EM for data missing at random); otherwise a NaN is an error naming its row and column.</param>
    /// <param name="source">Where the rows come from, for messages (default "data view").</param>
    /// <exception cref="DataFormatException">No such column, not numeric, a vector of unknown size, no rows, or a value not finite (NaN unless <paramref name="allowMissing"/>).</exception>
    public DataViewRowSource(IDataView view, string featureColumnName = "Features", bool allowMissing = false, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(featureColumnName);
        _view = view;
        Source = source ?? "data view";
        _features = NumericColumn(view.Schema, featureColumnName, Source, out _isDouble, out int featureCount, vectorAllowed: true);
        FeatureCount = featureCount;
        FeatureNames = NamesOf(_features, featureCount);
        var (rows, missing) = Scan(allowMissing);
        if (rows == 0)
            throw new DataFormatException($"{Source}: no data rows.");
        if (rows > int.MaxValue)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{Source}: {rows} rows; a source holds at most {int.MaxValue}."));
        RowCount = (int)rows;
        _missingCount = missing;
    }

    /// <inheritdoc/>
    public override int RowCount { get; }

    /// <inheritdoc/>
    public override int FeatureCount { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc/>
    public override string Source { get; }

    /// <inheritdoc/>
    public override long MissingCount => _missingCount;

    /// <summary>
    /// The sample weights in a scalar <see cref="float"/> or <see cref="double"/> column of the view, one per
    /// row, for <see cref="RowSource.WithWeights"/>.
    /// </summary>
    /// <exception cref="DataFormatException">No such column, or not a scalar number.</exception>
    public double[] ReadColumn(string columnName)
    {
        ArgumentNullException.ThrowIfNull(columnName);
        var column = NumericColumn(_view.Schema, columnName, Source, out _, out _, vectorAllowed: false);
        using var cursor = _view.GetRowCursor([column]);
        var getter = ScalarGetter(cursor, column);
        var values = new double[RowCount];
        int row = 0;
        while (cursor.MoveNext())
        {
            if (row == values.Length)
                throw new DataFormatException($"{Source}: the view gave more rows on a later read; it must give the same rows on every cursor.");
            values[row++] = getter();
        }
        if (row != values.Length)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{Source}: the view ended at row {row} on a later read; it must give the same rows on every cursor."));
        return values;
    }

    /// <summary>
    /// Rows [start, start + count): a cursor at or before <paramref name="start"/> is taken from those
    /// kept (or a new one opened), moved forward to it and read. The engine reads each pass in
    /// increasing row order on every thread, so cursors rarely move far.
    /// </summary>
    protected override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer)
    {
        int d = FeatureCount;
        if (buffer is null || buffer.Length < count * d)
            buffer = new double[count * d];
        var cursor = Take(start);
        try
        {
            while (cursor.Position < start - 1)
                cursor.MoveNext(Source);
            for (int r = 0; r < count; r++)
            {
                cursor.MoveNext(Source);
                cursor.Read(buffer.AsSpan(r * d, d));
            }
        }
        catch
        {
            cursor.Dispose();
            throw;
        }
        Return(cursor);
        return buffer.AsSpan(0, count * d);
    }

    /// <summary>Releases the cursors kept open between reads.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var cursor in _idle)
                cursor.Dispose();
            _idle.Clear();
        }
    }

    private PositionedCursor Take(int start)
    {
        List<PositionedCursor>? ahead = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int best = -1;
            for (int i = 0; i < _idle.Count; i++)
                if (_idle[i].Position < start && (best < 0 || _idle[i].Position > _idle[best].Position))
                    best = i;
            if (best >= 0)
            {
                var cursor = _idle[best];
                _idle.RemoveAt(best);
                return cursor;
            }
            // A read of the first row starts a pass (passes follow one another, so no other thread is
            // reading then): the kept cursors are past it and would serve only the pass's last rows,
            // while each holds the view's buffers (ML.NET's binary loader keeps about 16 MiB per
            // cursor), so they go before a new one opens. Within a pass they stay for the other threads.
            if (start == 0)
            {
                ahead = [.. _idle];
                _idle.Clear();
            }
        }
        foreach (var cursor in ahead ?? [])
            cursor.Dispose();
        return Open();
    }

    // Keeps a few cursors: about one per reading thread. One at the last row can serve no later read;
    // when the pool is full, the one furthest on goes, as the least likely to serve the next read.
    private void Return(PositionedCursor cursor)
    {
        PositionedCursor? evicted = cursor;
        lock (_gate)
        {
            if (!_disposed && cursor.Position < RowCount - 1)
            {
                _idle.Add(cursor);
                evicted = null;
                if (_idle.Count > Environment.ProcessorCount)
                {
                    int furthest = 0;
                    for (int i = 1; i < _idle.Count; i++)
                        if (_idle[i].Position > _idle[furthest].Position)
                            furthest = i;
                    evicted = _idle[furthest];
                    _idle.RemoveAt(furthest);
                }
            }
        }
        evicted?.Dispose();
    }

    private PositionedCursor Open() => new(_view.GetRowCursor([_features]), _features, _isDouble);

    private (long Rows, long Missing) Scan(bool allowMissing)
    {
        using var cursor = Open();
        var row = new double[FeatureCount];
        long rows = 0, missing = 0;
        while (cursor.TryMoveNext())
        {
            cursor.Read(row);
            rows++;
            for (int j = 0; j < row.Length; j++)
            {
                if (double.IsFinite(row[j]))
                    continue;
                if (allowMissing && double.IsNaN(row[j]))
                {
                    missing++;
                    continue;
                }
                throw DataFormatException.At(Source, rows, j + 1, double.IsNaN(row[j])
                    ? $"value of '{FeatureNames[j]}' is missing (NaN); drop the incomplete rows or allow missing values."
                    : $"value {row[j].ToString("R", CultureInfo.InvariantCulture)} of '{FeatureNames[j]}' is not a finite number.");
            }
        }
        return (rows, missing);
    }

    private static Func<double> ScalarGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type == NumberDataViewType.Double)
        {
            var getter = cursor.GetGetter<double>(column);
            return () =>
            {
                double value = 0;
                getter(ref value);
                return value;
            };
        }
        var single = cursor.GetGetter<float>(column);
        return () =>
        {
            float value = 0;
            single(ref value);
            return value;
        };
    }

    /// <summary>Finds a numeric column and says, in the CLI's words, why another will not do.</summary>
    internal static DataViewSchema.Column NumericColumn(DataViewSchema schema, string name, string source, out bool isDouble, out int size, bool vectorAllowed)
    {
        var column = schema.GetColumnOrNull(name) ?? throw new DataFormatException(
            $"{source}: there is no column named '{name}'; available columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        var itemType = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
        isDouble = itemType == NumberDataViewType.Double;
        if (!isDouble && itemType != NumberDataViewType.Single)
        {
            throw new DataFormatException(
                $"{source}: column '{name}' holds {itemType} values, not numbers; name a column of Single or Double values{(vectorAllowed ? " (a scalar or a vector, as Concatenate makes)" : string.Empty)}.");
        }
        if (column.Type is VectorDataViewType vector)
        {
            if (!vectorAllowed)
                throw new DataFormatException($"{source}: column '{name}' is a vector; it must hold one number per row.");
            if (!vector.IsKnownSize)
                throw new DataFormatException($"{source}: column '{name}' is a vector of variable size; every row must have the same number of features.");
            size = vector.Size;
        }
        else
        {
            size = 1;
        }
        return column;
    }

    private static string[] NamesOf(DataViewSchema.Column column, int size)
    {
        var names = Enumerable.Range(1, size).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (column.Type is not VectorDataViewType)
            return [column.Name];
        if (column.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> slots = default;
            column.GetSlotNames(ref slots);
            var values = slots.DenseValues().ToArray();
            if (values.Length == size && values.All(s => !s.IsEmpty) && values.Select(s => s.ToString()).Distinct(StringComparer.Ordinal).Count() == size)
                return values.Select(s => s.ToString()).ToArray();
        }
        return names;
    }

    /// <summary>An open cursor and the index of the row it is on (−1 before the first).</summary>
    private sealed class PositionedCursor : IDisposable
    {
        private readonly ValueGetter<VBuffer<float>>? _singles;
        private readonly ValueGetter<VBuffer<double>>? _doubles;
        private readonly ValueGetter<float>? _single;
        private readonly ValueGetter<double>? _double;
        private VBuffer<float> _singleBuffer;
        private VBuffer<double> _doubleBuffer;

        public PositionedCursor(DataViewRowCursor cursor, DataViewSchema.Column features, bool isDouble)
        {
            Cursor = cursor;
            bool vector = features.Type is VectorDataViewType;
            if (vector && isDouble)
                _doubles = cursor.GetGetter<VBuffer<double>>(features);
            else if (vector)
                _singles = cursor.GetGetter<VBuffer<float>>(features);
            else if (isDouble)
                _double = cursor.GetGetter<double>(features);
            else
                _single = cursor.GetGetter<float>(features);
        }

        public DataViewRowCursor Cursor { get; }

        public long Position { get; private set; } = -1;

        public bool TryMoveNext()
        {
            if (!Cursor.MoveNext())
                return false;
            Position++;
            return true;
        }

        public void MoveNext(string source)
        {
            if (!TryMoveNext())
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: the view ended at row {Position + 1} on a later read; it must give the same rows on every cursor."));
        }

        public void Read(Span<double> row)
        {
            if (_doubles is not null)
            {
                _doubles(ref _doubleBuffer);
                _doubleBuffer.CopyTo(row);
            }
            else if (_singles is not null)
            {
                _singles(ref _singleBuffer);
                if (_singleBuffer.IsDense)
                {
                    var values = _singleBuffer.GetValues();
                    for (int j = 0; j < row.Length; j++)
                        row[j] = values[j];
                }
                else
                {
                    row.Clear();
                    var values = _singleBuffer.GetValues();
                    var indices = _singleBuffer.GetIndices();
                    for (int i = 0; i < indices.Length; i++)
                        row[indices[i]] = values[i];
                }
            }
            else if (_double is not null)
            {
                double value = 0;
                _double(ref value);
                row[0] = value;
            }
            else
            {
                float value = 0;
                _single!(ref value);
                row[0] = value;
            }
        }

        public void Dispose() => Cursor.Dispose();
    }
}
