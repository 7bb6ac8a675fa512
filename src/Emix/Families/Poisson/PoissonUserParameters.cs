using System.Globalization;

namespace Emix.Families.Poisson;

/// <summary>Checks user-given or stored Poisson parameters: shapes, finiteness, weights in [0, 1] summing to 1, rates ≥ 0.</summary>
internal static class PoissonUserParameters
{
    /// <summary>The checked parameters (the arrays are copied); the message names the first problem.</summary>
    /// <exception cref="ArgumentException">A shape or value is wrong.</exception>
    public static PoissonParameters Check(PoissonParameterValues given, int k, int d)
    {
        ArgumentNullException.ThrowIfNull(given);
        if (given.Weights.Count != k)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weights: {given.Weights.Count} values for {k} components."));
        if (given.Rates.Count != (long)k * d)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"rates: {given.Rates.Count} values for {k} components × {d} features."));
        var weights = given.Weights.ToArray();
        var rates = given.Rates.ToArray();
        double sum = 0;
        for (int j = 0; j < k; j++)
        {
            if (!double.IsFinite(weights[j]) || weights[j] < 0 || weights[j] > 1)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weight {j + 1} is {weights[j]:R}; weights must be in [0, 1]."));
            sum += weights[j];
        }
        if (Math.Abs(sum - 1) > 1e-8)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weights sum to {sum:R}, not 1."));
        for (int i = 0; i < rates.Length; i++)
        {
            if (!double.IsFinite(rates[i]) || rates[i] < 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"rate of component {(i / d) + 1}, feature {(i % d) + 1} is {rates[i]:R}; rates must be finite and >= 0."));
        }
        return PoissonParameters.Create(k, d, weights, rates);
    }

    /// <summary>
    /// Refuses rows that are not counts: the message names the source, the 1-based data row (a header
    /// not counted), the column and the value. A process of a distributed fit checks the rows it holds.
    /// </summary>
    /// <exception cref="DataFormatException">A cell is negative, not an integer, or not finite (missing).</exception>
    public static void RequireCounts(RowSource data)
    {
        int d = data.FeatureCount;
        double[]? buffer = null;
        var chunking = new Engine.Chunking(data.RowCount, Engine.Chunking.DefaultChunkRows);
        var (first, end) = data.Processes?.OwnedChunks(chunking, data.Processes.Rank) ?? (0, chunking.ChunkCount);
        for (int c = first; c < end; c++)
        {
            int start = chunking.Start(c);
            var rows = data.ReadRows(start, chunking.Length(c), ref buffer);
            for (int i = 0; i < rows.Length; i++)
            {
                double v = rows[i];
                if (v >= 0 && v == Math.Floor(v) && v <= 9.007199254740992e15)
                    continue;
                int row = start + (i / d), column = i % d;
                string what = double.IsNaN(v) ? "missing" : v.ToString("R", CultureInfo.InvariantCulture);
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Source}: data row {row + 1} (a header not counted), column {column + 1} ('{data.FeatureNames[column]}'): {what} is not a count; the Poisson family needs non-negative integers."));
            }
        }
    }
}
