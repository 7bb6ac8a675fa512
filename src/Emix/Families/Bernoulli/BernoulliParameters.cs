using Emix.Statistics;

namespace Emix.Families.Bernoulli;

/// <summary>
/// A mixture of independent Bernoulli features (latent class analysis): weights (k) and probabilities
/// p (k×d) of a 1, with log p and log(1 − p) derived once. Never mutated after construction.
/// </summary>
internal sealed class BernoulliParameters
{
    private BernoulliParameters(int k, int d, double[] weights, double[] probabilities)
    {
        ComponentCount = k;
        FeatureCount = d;
        Weights = weights;
        Probabilities = probabilities;
        LogWeights = weights.Select(w => Math.Log(w)).ToArray();
        LogOne = probabilities.Select(p => Math.Log(p)).ToArray();
        LogZero = probabilities.Select(p => Math.Log(1 - p)).ToArray();
        LogByValue = new double[2 * probabilities.Length];
        for (int i = 0; i < probabilities.Length; i++)
        {
            LogByValue[2 * i] = LogZero[i];
            LogByValue[(2 * i) + 1] = LogOne[i];
        }
        StatisticsLayout = new MeanStatisticsLayout(k, d);
    }

    public int ComponentCount { get; }
    public int FeatureCount { get; }
    public double[] Weights { get; }
    public double[] Probabilities { get; }
    public double[] LogWeights { get; }

    /// <summary>log p_ja: the log-probability of a 1.</summary>
    public double[] LogOne { get; }

    /// <summary>log(1 − p_ja): the log-probability of a 0.</summary>
    public double[] LogZero { get; }

    /// <summary>
    /// log(1 − p_ja) and log p_ja side by side, so that a cell's term is the entry its value (0 or 1)
    /// indexes: a lookup instead of a branch on random data (which mispredicts about half the time).
    /// </summary>
    public double[] LogByValue { get; }

    private LogLinear.LogLinearTerms? _terms;

    /// <summary>The vector kernel's layout: start log w, a 0's term log(1 − p), a 1's log p (made once).</summary>
    public LogLinear.LogLinearTerms LogLinearTerms => _terms ??= LogLinear.LogLinearTerms.Indexed(ComponentCount, FeatureCount, LogWeights, LogZero, LogOne);

    /// <summary>nk and Σ r·x: the M-step's p = Σ r·x / nk.</summary>
    public MeanStatisticsLayout StatisticsLayout { get; }

    /// <summary>Takes the arrays; the caller has checked them.</summary>
    public static BernoulliParameters Create(int k, int d, double[] weights, double[] probabilities) => new(k, d, weights, probabilities);

    /// <summary>k·d probabilities and k − 1 weights (flexmix's df for <c>FLXMCmvbinary</c>).</summary>
    public long FreeParameterCount => ((long)ComponentCount * FeatureCount) + ComponentCount - 1;
}
