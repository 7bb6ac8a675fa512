using System.Globalization;

namespace Emix;

/// <summary>
/// Rows of float64 features held in memory, row-major. Every value is finite: constructors
/// check and name the first offending row and column. The one exception is a data set made to
/// hold missing cells (<see cref="WrapWithMissing"/>, or a reader told to allow them), where NaN
/// marks a missing cell; infinities are refused there too.
/// </summary>
/// <remarks>
/// The engine reads a data set in fixed-size chunks of rows (see <see cref="Engine.Chunking"/>); this
/// class is the in-memory source. Readers for CSV/TSV and NumPy files return one.
/// </remarks>
public sealed partial class DataSet : RowSource
{
    private readonly double[] _values;

    private DataSet(double[] values, int rowCount, int featureCount, IReadOnlyList<string> featureNames, string source, long missingCount = 0)
    {
        _values = values;
        _missingCount = missingCount;
        RowCount = rowCount;
        FeatureCount = featureCount;
        FeatureNames = featureNames;
        Source = source;
    }

    /// <summary>Number of rows (samples).</summary>
    public override int RowCount { get; }

    /// <summary>Number of columns (features) per row.</summary>
    public override int FeatureCount { get; }

    /// <summary>Column names: from a header when there was one, otherwise <c>x1</c>, <c>x2</c>, …</summary>
    public override IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Where the rows came from (a file path, or "array"), for messages.</summary>
    public override string Source { get; }

    /// <summary>All values, row-major: row <c>i</c> is <c>[i*FeatureCount, (i+1)*FeatureCount)</c>.</summary>
    public ReadOnlySpan<double> Values => _values;

    internal double[] RawValues => _values;

    /// <inheritdoc/>
    protected internal override bool IsInMemory => true;

    /// <inheritdoc/>
    protected internal override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer) =>
        _values.AsSpan(start * FeatureCount, count * FeatureCount);

    /// <summary>The same rows (not copied) with per-row sample weights; see <see cref="RowSource.WithWeights"/>.</summary>
    /// <exception cref="DataFormatException">A weight is negative, not finite, all are zero, or the count differs from <see cref="RowCount"/>.</exception>
    public override DataSet WithWeights(ReadOnlySpan<double> weights)
    {
        var checkedWeights = CheckWeights(weights, RowCount, Source);
        var weighted = new DataSet(_values, RowCount, FeatureCount, FeatureNames, Source, _missingCount);
        weighted.AttachWeights(checkedWeights);
        return weighted;
    }

    /// <summary>One row.</summary>
    public ReadOnlySpan<double> Row(int index) => _values.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>The value at a row and column (0-based).</summary>
    public double this[int row, int column] => _values[(row * FeatureCount) + column];

    /// <summary>Copies a rectangular array (rows × features).</summary>
    public static DataSet FromArray(double[,] values, string source = "array")
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.GetLength(0), d = values.GetLength(1);
        var copy = new double[checked(n * d)];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                copy[(i * d) + j] = values[i, j];
        return Create(copy, n, d, null, source);
    }

    /// <summary>Copies jagged rows; every row must have the same length.</summary>
    public static DataSet FromRows(IReadOnlyList<double[]> rows, string source = "array")
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            throw new DataFormatException($"{source}: no rows.");
        int d = rows[0]?.Length ?? 0;
        var copy = new double[checked(rows.Count * d)];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row is null || row.Length != d)
                throw DataFormatException.At(source, i + 1, Math.Min(row?.Length ?? 0, d) + 1,
                    $"row has {row?.Length ?? 0} values, expected {d} like the first row.");
            row.CopyTo(copy, i * d);
        }
        return Create(copy, rows.Count, d, null, source);
    }

    /// <summary>Copies row-major values with the given number of features per row.</summary>
    public static DataSet FromRowMajor(ReadOnlySpan<double> values, int featureCount, string source = "array")
    {
        if (featureCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "featureCount must be positive.");
        if (values.Length % featureCount != 0)
            throw new DataFormatException(
                $"{source}: {values.Length} values do not make whole rows of {featureCount} features.");
        return Create(values.ToArray(), values.Length / featureCount, featureCount, null, source);
    }

    /// <summary>
    /// Takes ownership of a row-major buffer (no copy). For readers inside Emix and callers that
    /// built the buffer themselves and will not touch it again.
    /// </summary>
    public static DataSet Wrap(double[] values, int featureCount, IReadOnlyList<string>? featureNames = null, string source = "array") =>
        WrapChecked(values, featureCount, featureNames, source, allowMissing: false);

    /// <summary>The shared checks of <see cref="Wrap"/> and <see cref="WrapWithMissing"/>.</summary>
    private static DataSet WrapChecked(double[] values, int featureCount, IReadOnlyList<string>? featureNames, string source, bool allowMissing)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (featureCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "featureCount must be positive.");
        if (values.Length % featureCount != 0)
            throw new DataFormatException(
                $"{source}: {values.Length} values do not make whole rows of {featureCount} features.");
        return Create(values, values.Length / featureCount, featureCount, featureNames, source, allowMissing);
    }

    private static DataSet Create(double[] values, int n, int d, IReadOnlyList<string>? names, string source, bool allowMissing = false)
    {
        if (n == 0 || d == 0)
            throw new DataFormatException($"{source}: no data (rows: {n}, columns: {d}).");
        long missing = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                if (allowMissing && double.IsNaN(values[i]))
                {
                    missing++;
                    continue;
                }
                throw DataFormatException.At(source, (i / d) + 1, (i % d) + 1,
                    $"value {values[i].ToString("R", CultureInfo.InvariantCulture)} is not a finite number.");
            }
        }
        if (names is not null && names.Count != d)
            throw new ArgumentException($"{names.Count} feature names for {d} columns.", nameof(names));
        names ??= Enumerable.Range(1, d).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new DataSet(values, n, d, names, source, missing);
    }
}
