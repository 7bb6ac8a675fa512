using System.Globalization;

namespace Emix.Engine;

/// <summary>The checks of cells and weights that families whose data are codes or counts share; messages name the source, row and column.</summary>
internal static class CellChecks
{
    /// <summary>
    /// Refuses the first cell (of the rows this process holds) that <paramref name="accept"/> rejects:
    /// "SOURCE: data row R (a header not counted), column C ('NAME'): VALUE <paramref name="problem"/>".
    /// </summary>
    /// <exception cref="DataFormatException">A cell is rejected.</exception>
    public static void RequireAll(RowSource data, Func<double, bool> accept, string problem) =>
        RequireAll(data, (_, v) => accept(v), _ => problem);

    /// <summary>The same with a test and a problem per column (0-based), for tables whose columns differ in kind.</summary>
    /// <exception cref="DataFormatException">A cell is rejected.</exception>
    public static void RequireAll(RowSource data, Func<int, double, bool> accept, Func<int, string> problem)
    {
        int d = data.FeatureCount;
        double[]? buffer = null;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var (first, end) = data.Processes?.OwnedChunks(chunking, data.Processes.Rank) ?? (0, chunking.ChunkCount);
        for (int c = first; c < end; c++)
        {
            int start = chunking.Start(c);
            var rows = data.ReadRows(start, chunking.Length(c), ref buffer);
            for (int i = 0; i < rows.Length; i++)
            {
                if (!accept(i % d, rows[i]))
                    throw Bad(data, start + (i / d), i % d, rows[i], problem(i % d));
            }
        }
    }

    /// <summary>The one-line error of cell (<paramref name="row"/>, <paramref name="column"/>), both 0-based.</summary>
    public static DataFormatException Bad(RowSource data, long row, int column, double value, string problem)
    {
        string what = double.IsNaN(value) ? "missing" : value.ToString("R", CultureInfo.InvariantCulture);
        return new DataFormatException(string.Create(CultureInfo.InvariantCulture,
            $"{data.Source}: data row {row + 1} (a header not counted), column {column + 1} ('{data.FeatureNames[column]}'): {what} {problem}"));
    }

    /// <summary>Mixing weights each in [0, 1] and summing to 1 (±1e-8).</summary>
    /// <exception cref="ArgumentException">The first weight out of range, or the sum.</exception>
    public static void CheckWeights(ReadOnlySpan<double> weights)
    {
        double sum = 0;
        for (int j = 0; j < weights.Length; j++)
        {
            if (!double.IsFinite(weights[j]) || weights[j] < 0 || weights[j] > 1)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weight {j + 1} is {weights[j]:R}; weights must be in [0, 1]."));
            sum += weights[j];
        }
        if (Math.Abs(sum - 1) > 1e-8)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weights sum to {sum:R}, not 1."));
    }
}
