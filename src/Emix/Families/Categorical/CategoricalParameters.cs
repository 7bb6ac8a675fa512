using Emix.Statistics;

namespace Emix.Families.Categorical;

/// <summary>
/// A mixture of independent categorical features: weights (k), the levels of each feature (its distinct
/// values, ascending) and, per component and feature, a probability for every level, flat as
/// [j·T + offset_a + ℓ] with T = Σ_a L_a. Never mutated after construction.
/// </summary>
internal sealed class CategoricalParameters
{
    private CategoricalParameters(int k, double[][] levels, double[] weights, double[] probabilities)
    {
        ComponentCount = k;
        Levels = levels;
        Weights = weights;
        Probabilities = probabilities;
        LogWeights = weights.Select(w => Math.Log(w)).ToArray();
        LogProbabilities = probabilities.Select(p => Math.Log(p)).ToArray();
        Offsets = new int[levels.Length + 1];
        for (int a = 0; a < levels.Length; a++)
            Offsets[a + 1] = Offsets[a] + levels[a].Length;
        Lookup = levels.Select(l => l.Select((value, index) => (value, index)).ToDictionary(p => p.value, p => p.index)).ToArray();
        StatisticsLayout = new CategoricalStatisticsLayout(k, Offsets);
    }

    public int ComponentCount { get; }
    public int FeatureCount => Levels.Length;
    public double[][] Levels { get; }
    public double[] Weights { get; }
    public double[] Probabilities { get; }
    public double[] LogWeights { get; }
    public double[] LogProbabilities { get; }

    /// <summary>Where each feature's levels start in a component's block; the last entry is T = Σ L_a.</summary>
    public int[] Offsets { get; }

    /// <summary>Per feature, a value's level index.</summary>
    public Dictionary<double, int>[] Lookup { get; }

    public CategoricalStatisticsLayout StatisticsLayout { get; }

    public int LevelTotal => Offsets[^1];

    public static CategoricalParameters Create(int k, double[][] levels, double[] weights, double[] probabilities) => new(k, levels, weights, probabilities);

    /// <summary>k·Σ(L_a − 1) probabilities and k − 1 weights.</summary>
    public long FreeParameterCount => ((long)ComponentCount * (LevelTotal - FeatureCount)) + ComponentCount - 1;
}

/// <summary>[Σ log p(x_i)], nk (k), then per component and feature Σ r over the rows at each level (k × T).</summary>
internal sealed class CategoricalStatisticsLayout(int k, int[] offsets) : StatisticsLayout(k, 1 + k + (k * offsets[^1]), 0)
{
    public int[] Offsets { get; } = offsets;

    public Span<double> Counts(Span<double> buffer) => buffer[(1 + ComponentCount)..];

    public override bool SameAs(StatisticsLayout other) =>
        other is CategoricalStatisticsLayout c && c.ComponentCount == ComponentCount && c.Offsets.AsSpan().SequenceEqual(Offsets);
}
