using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Emix.Parquet;

/// <summary>
/// Reads numeric columns of an Apache Parquet file into a <see cref="DataSet"/>: float64, float32 and
/// integer columns (converted to float64), chosen by name. Nested, repeated and text columns are left
/// out unless named, which is an error. A missing (null) or non-finite value stops the read with a
/// message naming the row and column, as the CSV reader does.
/// </summary>
public static class ParquetDataReader
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Reads a Parquet file.</summary>
    /// <param name="path">The file; its path names the source in messages.</param>
    /// <param name="columns">
    /// Columns to read, in this order: names, or 1-based positions among the file's top-level columns
    /// (a name wins over a position). <see langword="null"/> reads every numeric top-level column.
    /// </param>
    /// <exception cref="DataFormatException">The file is missing, not Parquet, has no numeric column, names an
    /// unknown or non-numeric column, or holds a missing or non-finite value.</exception>
    public static DataSet Read(string path, IReadOnlyList<string>? columns = null) =>
        ReadAsync(path, columns).GetAwaiter().GetResult();

    /// <inheritdoc cref="Read(string, IReadOnlyList{string}?)"/>
    public static Task<DataSet> ReadAsync(string path, IReadOnlyList<string>? columns = null, CancellationToken cancellationToken = default) =>
        ReadAsync(path, columns, 0, long.MaxValue, cancellationToken);

    /// <summary>
    /// Reads rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) only:
    /// row groups outside the range are not read at all (one rank's share of a distributed fit).
    /// Messages name rows by their index in the whole file.
    /// </summary>
    /// <inheritdoc cref="Read(string, IReadOnlyList{string}?)"/>
    public static DataSet Read(string path, IReadOnlyList<string>? columns, long firstRow, long rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowCount, 1);
        return ReadAsync(path, columns, firstRow, firstRow + rowCount, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Number of rows of a Parquet file, from its metadata (no data is read).</summary>
    /// <exception cref="DataFormatException">The file is missing or not Parquet.</exception>
    public static long RowCount(string path) => RowCountAsync(path).GetAwaiter().GetResult();

    private static async Task<long> RowCountAsync(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = Open(path);
        await using var _ = stream.ConfigureAwait(false);
        try
        {
            var reader = await ParquetReader.CreateAsync(stream).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                long total = 0;
                for (int g = 0; g < reader.RowGroupCount; g++)
                    total += reader.RowGroups[g].RowCount;
                return total;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new DataFormatException($"{path}: not a readable Parquet file ({OneLine(e.Message)}).", e);
        }
    }

    private static async Task<DataSet> ReadAsync(string path, IReadOnlyList<string>? columns, long from, long to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (columns is { Count: 0 })
            throw new ArgumentException("Columns is empty; pass null to read all numeric columns.", nameof(columns));
        var stream = Open(path);
        await using (stream.ConfigureAwait(false))
        {
            ParquetReader reader;
            try
            {
                reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
            {
                throw new DataFormatException($"{path}: not a readable Parquet file ({OneLine(e.Message)}).", e);
            }
            await using (reader.ConfigureAwait(false))
                return await ReadAsync(reader, path, columns, from, to, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<DataSet> ReadAsync(ParquetReader reader, string path, IReadOnlyList<string>? columns, long from, long to, CancellationToken cancellationToken)
    {
        // Top-level leaf columns, in file order: the ones a user sees as a table's columns.
        var fields = reader.Schema.Fields.OfType<DataField>().Where(f => !f.IsArray).ToArray();
        var selected = columns is null ? fields.Where(IsNumeric).ToArray() : Resolve(columns, fields, path);
        if (selected.Length == 0)
            throw new DataFormatException($"{path}: no numeric column; columns: {Describe(fields)}.");

        long fileRows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
            fileRows += reader.RowGroups[g].RowCount;
        int d = selected.Length;
        if (fileRows == 0)
            throw new DataFormatException($"{path}: no data rows.");
        to = Math.Min(to, fileRows);
        if (from >= to)
            throw new DataFormatException(string.Create(Inv, $"{path}: has {fileRows} rows; rows from {from + 1} were asked for."));
        long total = to - from;
        if (total * d > Array.MaxLength)
            throw new DataFormatException(string.Create(Inv, $"{path}: {total} rows × {d} columns do not fit in memory as one array."));

        var values = new double[total * d];
        long offset = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            long groupRows = reader.RowGroups[g].RowCount;
            if (offset + groupRows <= from || offset >= to)
            {
                offset += groupRows; // a row group outside the range is not read
                continue;
            }
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            long keepFrom = Math.Max(from, offset) - offset, keepTo = Math.Min(to, offset + rows) - offset;
            var column = new double[rows];
            for (int a = 0; a < d; a++)
            {
                var field = selected[a];
                int fileColumn = Array.IndexOf(fields, field) + 1;
                await ReadColumnAsync(group, field, column, path, offset, fileColumn, cancellationToken).ConfigureAwait(false);
                for (long i = keepFrom; i < keepTo; i++)
                {
                    double v = column[i];
                    if (!double.IsFinite(v))
                        throw DataFormatException.At(path, offset + i + 1, fileColumn, $"'{field.Name}' is {v.ToString("R", Inv)}, not a finite number.");
                    values[((offset + i - from) * d) + a] = v;
                }
            }
            offset += rows;
        }
        return DataSet.Wrap(values, d, selected.Select(f => f.Name).ToArray(), path);
    }

    /// <summary>Reads one column of a row group as float64, whatever its numeric type.</summary>
    private static ValueTask ReadColumnAsync(ParquetRowGroupReader group, DataField field, double[] into, string path, long offset, int fileColumn, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return type switch
        {
            _ when type == typeof(double) => Read<double>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(float) => Read<float>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(long) => Read<long>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(int) => Read<int>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(short) => Read<short>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(sbyte) => Read<sbyte>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(ulong) => Read<ulong>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(uint) => Read<uint>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(ushort) => Read<ushort>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(byte) => Read<byte>(group, field, into, v => v, path, offset, fileColumn, ct),
            _ when type == typeof(decimal) => Read<decimal>(group, field, into, v => (double)v, path, offset, fileColumn, ct),
            _ => throw new DataFormatException($"{path}: column '{field.Name}' holds {TypeName(field)}, not numbers."),
        };
    }

    private static async ValueTask Read<T>(ParquetRowGroupReader group, DataField field, double[] into, Func<T, double> convert,
        string path, long offset, int fileColumn, CancellationToken ct) where T : struct
    {
        int rows = into.Length;
        if (field.IsNullable)
        {
            var buffer = new T?[rows];
            await group.ReadAsync<T>(field, buffer.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            for (int i = 0; i < rows; i++)
            {
                if (buffer[i] is not { } v)
                    throw DataFormatException.At(path, offset + i + 1, fileColumn, $"'{field.Name}' is missing (null); fill or drop the row first.");
                into[i] = convert(v);
            }
        }
        else
        {
            var buffer = new T[rows];
            await group.ReadAsync<T>(field, buffer.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            for (int i = 0; i < rows; i++)
                into[i] = convert(buffer[i]);
        }
    }

    private static DataField[] Resolve(IReadOnlyList<string> columns, DataField[] fields, string path)
    {
        var result = new DataField[columns.Count];
        for (int k = 0; k < columns.Count; k++)
        {
            string key = (columns[k] ?? throw new ArgumentException("A column entry is null.", nameof(columns))).Trim();
            var field = fields.FirstOrDefault(f => string.Equals(f.Name, key, StringComparison.Ordinal));
            if (field is null && int.TryParse(key, NumberStyles.None, Inv, out int index))
            {
                if (index < 1 || index > fields.Length)
                    throw new DataFormatException(string.Create(Inv, $"{path}: column {index} is out of range: there are {fields.Length} columns: {Describe(fields)}."));
                field = fields[index - 1];
            }
            if (field is null)
                throw new DataFormatException($"{path}: there is no column named '{key}'; columns: {Describe(fields)}.");
            if (!IsNumeric(field))
                throw new DataFormatException($"{path}: column '{field.Name}' holds {TypeName(field)}, not numbers.");
            result[k] = field;
        }
        return result;
    }

    private static bool IsNumeric(DataField field)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return type == typeof(double) || type == typeof(float) || type == typeof(decimal)
            || type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte)
            || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(byte);
    }

    /// <summary>The column's type in words: float64, int32, text, bytes, … (Parquet.Net gives text as ReadOnlyMemory&lt;char&gt;).</summary>
    private static string TypeName(DataField field)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return type switch
        {
            _ when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => "text",
            _ when type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) => "bytes",
            _ when type == typeof(double) => "float64",
            _ when type == typeof(float) => "float32",
            _ when type == typeof(long) => "int64",
            _ when type == typeof(int) => "int32",
            _ when type == typeof(short) => "int16",
            _ when type == typeof(bool) => "boolean",
            _ => type.Name,
        };
    }

    private static string Describe(DataField[] fields)
    {
        const int Listed = 20;
        string list = string.Join(", ", fields.Take(Listed).Select(f => $"'{f.Name}' ({TypeName(f)})"));
        return fields.Length > Listed ? string.Create(Inv, $"{list}, … ({fields.Length} in all)") : fields.Length == 0 ? "none" : list;
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException($"{path}: file not found.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new DataFormatException($"{path}: cannot be read: {OneLine(e.Message)}", e);
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
