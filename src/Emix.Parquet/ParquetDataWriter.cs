using Emix.Data;
using Parquet;
using Parquet.Schema;

namespace Emix.Parquet;

/// <summary>Writes columns of numbers (predictions, samples, scores) to an Apache Parquet file.</summary>
public static class ParquetDataWriter
{
    /// <summary>Rows per row group: bounds the memory a reader needs for one group.</summary>
    public const int RowGroupRows = 1 << 20;

    /// <summary>Writes the columns to <paramref name="path"/> atomically (a temporary file renamed into place).</summary>
    /// <exception cref="ArgumentException">No columns, columns of different lengths, or a name used twice.</exception>
    public static void Write(string path, IReadOnlyList<ParquetColumn> columns)
    {
        Check(columns);
        AtomicFile.Write(path, stream => WriteAsync(stream, columns).GetAwaiter().GetResult());
    }

    /// <summary>Writes the columns to a stream, in row groups of <see cref="RowGroupRows"/> rows.</summary>
    /// <exception cref="ArgumentException">No columns, columns of different lengths, or a name used twice.</exception>
    public static async Task WriteAsync(Stream stream, IReadOnlyList<ParquetColumn> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Check(columns);
        var fields = columns.Select(c => new DataField(c.Name, c.Doubles is not null ? typeof(double) : typeof(int), isNullable: false)).ToArray();
        int rows = columns[0].Length;
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            for (int start = 0; start < rows || (rows == 0 && start == 0); start += RowGroupRows)
            {
                int length = Math.Min(RowGroupRows, rows - start);
                using var group = writer.CreateRowGroup();
                for (int c = 0; c < columns.Count; c++)
                {
                    if (columns[c].Doubles is { } doubles)
                        await group.WriteAsync<double>(fields[c], doubles.AsMemory(start, length), cancellationToken: cancellationToken).ConfigureAwait(false);
                    else
                        await group.WriteAsync<int>(fields[c], columns[c].Integers.AsMemory(start, length), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                if (rows == 0)
                    break;
            }
        }
    }

    private static void Check(IReadOnlyList<ParquetColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
            throw new ArgumentException("At least one column is needed.", nameof(columns));
        if (columns.Any(c => c is null))
            throw new ArgumentException("A column is null.", nameof(columns));
        if (columns.Any(c => c.Length != columns[0].Length))
            throw new ArgumentException("All columns must have the same length.", nameof(columns));
        var duplicate = columns.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"The column name '{duplicate.Key}' is used twice.", nameof(columns));
    }
}
