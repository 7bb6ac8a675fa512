using System.Globalization;

namespace Emix.Families.Bernoulli;

/// <summary>Checks of given or stored Bernoulli parameters.</summary>
internal static class BernoulliUserParameters
{
    public static BernoulliParameters Check(BernoulliParameterValues given, int k, int d)
    {
        ArgumentNullException.ThrowIfNull(given);
        if (given.Weights.Count != k)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weights: {given.Weights.Count} values for {k} components."));
        if (given.Probabilities.Count != (long)k * d)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"probabilities: {given.Probabilities.Count} values for {k} components × {d} features."));
        var weights = given.Weights.ToArray();
        var probabilities = given.Probabilities.ToArray();
        Engine.CellChecks.CheckWeights(weights);
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"probability of component {(i / d) + 1}, feature {(i % d) + 1} is {probabilities[i]:R}; probabilities must be in [0, 1]."));
        }
        return BernoulliParameters.Create(k, d, weights, probabilities);
    }
}
