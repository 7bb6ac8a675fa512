namespace Emix.Parquet;

/// <summary>A named column to write with <see cref="ParquetDataWriter"/>: float64 values or int32 values.</summary>
public sealed class ParquetColumn
{
    private ParquetColumn(string name, double[]? doubles, int[]? integers)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Doubles = doubles;
        Integers = integers;
    }

    /// <summary>The column's name in the file's schema.</summary>
    public string Name { get; }

    /// <summary>Number of values.</summary>
    public int Length => Doubles?.Length ?? Integers!.Length;

    /// <summary>The float64 values, or <see langword="null"/> for an int32 column.</summary>
    public double[]? Doubles { get; }

    /// <summary>The int32 values, or <see langword="null"/> for a float64 column.</summary>
    public int[]? Integers { get; }

    /// <summary>A required float64 column.</summary>
    public static ParquetColumn Of(string name, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new ParquetColumn(name, values, null);
    }

    /// <summary>A required int32 column (component labels, counts).</summary>
    public static ParquetColumn Of(string name, int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new ParquetColumn(name, null, values);
    }
}
