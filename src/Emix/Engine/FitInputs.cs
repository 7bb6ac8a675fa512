using System.Globalization;

namespace Emix.Engine;

/// <summary>What every family's fit asks of its rows before anything is computed.</summary>
internal static class FitInputs
{
    /// <summary>
    /// At least 2 rows and at least <paramref name="componentCount"/> (of positive weight, when weighted):
    /// fewer cannot give every component a row.
    /// </summary>
    /// <exception cref="ArgumentException">Too few rows; the message says how many there are.</exception>
    public static void RequireRows(RowSource data, int componentCount)
    {
        ArgumentNullException.ThrowIfNull(data);
        int k = componentCount, n = data.RowCount;
        if (n < 2)
            throw new ArgumentException($"{data.Source}: a fit needs at least 2 rows, got {n}.", nameof(data));
        if (n < k)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{data.Source}: {k} components need at least {k} rows, got {n}. Use fewer components."), nameof(data));
        if (data.IsWeighted)
        {
            int positive = 0;
            foreach (double w in data.Weights)
                positive += w > 0 ? 1 : 0;
            if (positive < k)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Source}: {k} components need at least {k} rows of positive weight, got {positive}. Use fewer components."), nameof(data));
        }
    }
}
