namespace Emix.Data;

/// <summary>The kinds of data file Emix reads.</summary>
public enum DataFileFormat
{
    /// <summary>CSV, TSV or any other delimited text (the default for an unknown extension).</summary>
    DelimitedText,

    /// <summary>A NumPy <c>.npy</c> array.</summary>
    Npy,

    /// <summary>Apache Parquet (<c>.parquet</c>, <c>.pq</c>; read by the Emix.Parquet package).</summary>
    Parquet,
}

/// <summary>The one place that maps a file to its format, by its extension (case-insensitive).</summary>
public static class DataFormats
{
    /// <summary>The format of <paramref name="path"/>: .npy, .parquet/.pq, else delimited text.</summary>
    public static DataFileFormat Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".NPY" => DataFileFormat.Npy,
            ".PARQUET" or ".PQ" => DataFileFormat.Parquet,
            _ => DataFileFormat.DelimitedText,
        };
    }
}
