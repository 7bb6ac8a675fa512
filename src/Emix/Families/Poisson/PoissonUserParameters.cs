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
        Engine.CellChecks.CheckWeights(weights);
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
    public static void RequireCounts(RowSource data) =>
        Engine.CellChecks.RequireAll(data, v => v >= 0 && v == Math.Floor(v) && v <= 9.007199254740992e15,
            "is not a count; the Poisson family needs non-negative integers.");
}
