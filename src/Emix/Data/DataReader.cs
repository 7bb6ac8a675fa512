namespace Emix.Data;

/// <summary>Reads a data file of any supported kind, chosen by its extension.</summary>
public static class DataReader
{
    /// <summary>
    /// Reads <c>.npy</c> files with <see cref="NpyReader"/> and every other file as delimited text with
    /// <see cref="CsvReader"/>.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="csvOptions">
    /// How to read delimited text. For a <c>.npy</c> file only <see cref="CsvReadOptions.Columns"/> and
    /// <see cref="CsvReadOptions.AllowMissing"/> apply: the first selects columns by 1-based index (<c>"3"</c>)
    /// or default name (<c>"x3"</c>), the second makes NaN a missing cell.
    /// </param>
    /// <returns>The rows read.</returns>
    /// <exception cref="DataFormatException">The file is missing, unreadable or malformed.</exception>
    public static DataSet Read(string path, CsvReadOptions? csvOptions = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (DataFormats.Of(path) != DataFileFormat.Npy)
            return CsvReader.Read(path, csvOptions);

        bool allowMissing = csvOptions?.AllowMissing == true;
        var data = NpyReader.Read(path, allowMissing);
        if (csvOptions?.Columns is not { } columns)
            return data;
        if (columns.Count == 0)
            throw new ArgumentException("Columns is empty; pass null to read all columns.", nameof(csvOptions));

        int width = data.FeatureCount;
        int[] selected = CsvReader.ResolveColumns(columns, null, width, path);
        if (selected.AsSpan().SequenceEqual(Enumerable.Range(0, width).ToArray()))
            return data;

        int d = selected.Length;
        var values = new double[checked(data.RowCount * d)];
        var source = data.Values;
        for (int i = 0; i < data.RowCount; i++)
        {
            var row = source.Slice(i * width, width);
            var destination = values.AsSpan(i * d, d);
            for (int k = 0; k < d; k++)
                destination[k] = row[selected[k]];
        }
        return allowMissing ? DataSet.WrapWithMissing(values, d, null, path) : DataSet.Wrap(values, d, null, path);
    }
}
