using Emix.Statistics;

namespace Emix.Families.Mixed;

/// <summary>
/// The parameters of a mixed-type mixture: weights (k) and per feature a, by its family, component
/// values in <see cref="First"/>[a] (k: Gaussian mean, Poisson rate, Bernoulli probability of 1),
/// <see cref="Second"/>[a] (k: Gaussian variance) or <see cref="Probabilities"/>[a] (k × L_a, the
/// categorical levels <see cref="Levels"/>[a]), with what the E-step derives from them once. Never mutated.
/// </summary>
internal sealed class MixedParameters
{
    private const double Log2Pi = 1.8378770664093454835606594728112;

    private MixedParameters(FeatureFamily[] kinds, double[] weights, double[]?[] first, double[]?[] second, double[][] levels, double[]?[] probabilities)
    {
        int k = weights.Length, d = kinds.Length;
        Kinds = kinds;
        Weights = weights;
        First = first;
        Second = second;
        Levels = levels;
        Probabilities = probabilities;
        Lookup = levels.Select((l, a) => kinds[a] == FeatureFamily.Categorical ? l.Select((value, index) => (value, index)).ToDictionary(p => p.value, p => p.index) : null).ToArray();
        LogA = new double[d][];
        LogB = new double[d][];
        Constants = new double[k];
        for (int j = 0; j < k; j++)
            Constants[j] = Math.Log(weights[j]);
        for (int a = 0; a < d; a++)
        {
            var kind = kinds[a];
            int width = kind == FeatureFamily.Categorical ? k * levels[a].Length : k;
            LogA[a] = new double[width];
            LogB[a] = new double[k];
            for (int i = 0; i < width; i++)
            {
                LogA[a][i] = kind switch
                {
                    FeatureFamily.Gaussian => -0.5 * (Log2Pi + Math.Log(second[a]![i])),
                    FeatureFamily.Categorical => Math.Log(probabilities[a]![i]),
                    _ => Math.Log(first[a]![i]),
                };
            }
            for (int j = 0; j < k; j++)
            {
                if (kind == FeatureFamily.Gaussian)
                    LogB[a][j] = -0.5 / second[a]![j];
                else if (kind == FeatureFamily.Bernoulli)
                    LogB[a][j] = Math.Log(1 - first[a]![j]);
                else if (kind == FeatureFamily.Poisson)
                    Constants[j] -= first[a]![j];
            }
        }
        CentreOffsets = new int[d];
        int centres = 0;
        for (int a = 0; a < d; a++)
        {
            CentreOffsets[a] = centres;
            if (kinds[a] == FeatureFamily.Gaussian)
                centres += k;
        }
        Centres = new double[centres];
        for (int a = 0; a < d; a++)
            if (kinds[a] == FeatureFamily.Gaussian)
                first[a]!.CopyTo(Centres, CentreOffsets[a]);
    }

    public int ComponentCount => Weights.Length;
    public int FeatureCount => Kinds.Length;
    public FeatureFamily[] Kinds { get; }
    public double[] Weights { get; }
    public double[]?[] First { get; }
    public double[]?[] Second { get; }

    /// <summary>Per feature, its levels (categorical) or empty.</summary>
    public double[][] Levels { get; }

    public double[]?[] Probabilities { get; }

    /// <summary>Per categorical feature, level → index; null for the others.</summary>
    public Dictionary<double, int>?[] Lookup { get; }

    /// <summary>Gaussian: −½·log(2πv); Poisson: log λ; Bernoulli: log p; categorical: log q (k × L).</summary>
    public double[][] LogA { get; }

    /// <summary>Gaussian: −1/(2v); Bernoulli: log(1 − p); unused otherwise.</summary>
    public double[][] LogB { get; }

    /// <summary>log w_j − Σ_Poisson λ_ja: the part of a row's log-density that is the same for every row.</summary>
    public double[] Constants { get; }

    /// <summary>The Gaussian features' means, k per Gaussian feature in column order: the centres of the statistics.</summary>
    public double[] Centres { get; }

    /// <summary>Where each Gaussian feature's k centres start in <see cref="Centres"/>.</summary>
    public int[] CentreOffsets { get; }

    private MixedStatisticsLayout? _layout;

    public MixedStatisticsLayout StatisticsLayout => _layout ??= new MixedStatisticsLayout(Kinds, Levels, ComponentCount);

    /// <summary>Takes the arrays (not copied); the caller has checked them.</summary>
    public static MixedParameters Create(FeatureFamily[] kinds, double[] weights, double[]?[] first, double[]?[] second, double[][] levels, double[]?[] probabilities) =>
        new(kinds, weights, first, second, levels, probabilities);

    /// <summary>
    /// Free parameters: k − 1 weights and per feature 2k (Gaussian), k (Poisson, Bernoulli) or
    /// k·(L − 1) (categorical with L levels).
    /// </summary>
    public long FreeParameterCount
    {
        get
        {
            long k = ComponentCount, count = k - 1;
            for (int a = 0; a < FeatureCount; a++)
            {
                count += Kinds[a] switch
                {
                    FeatureFamily.Gaussian => 2 * k,
                    FeatureFamily.Categorical => k * (Levels[a].Length - 1),
                    _ => k,
                };
            }
            return count;
        }
    }
}

/// <summary>
/// The mixed family's statistics: [Σ log p(x_i)], nk (k), then per feature in column order:
/// Gaussian Σ r·(x − c) and Σ r·(x − c)² (k each, c the feature's centres: the E-step's means),
/// Poisson and Bernoulli Σ r·x (k), categorical the level counts Σ r·[x = level] (k × L).
/// </summary>
internal sealed class MixedStatisticsLayout : StatisticsLayout
{
    public MixedStatisticsLayout(FeatureFamily[] kinds, double[][] levels, int k)
        : base(k, Size(kinds, levels, k), kinds.Count(f => f == FeatureFamily.Gaussian) * k)
    {
        Kinds = kinds;
        Offsets = new int[kinds.Length];
        int at = 1 + k;
        for (int a = 0; a < kinds.Length; a++)
        {
            Offsets[a] = at;
            at += Width(kinds[a], levels[a], k);
        }
    }

    public FeatureFamily[] Kinds { get; }

    /// <summary>Where each feature's block starts.</summary>
    public int[] Offsets { get; }

    private static int Width(FeatureFamily kind, double[] levels, int k) => kind switch
    {
        FeatureFamily.Gaussian => 2 * k,
        FeatureFamily.Categorical => k * levels.Length,
        _ => k,
    };

    private static int Size(FeatureFamily[] kinds, double[][] levels, int k)
    {
        int size = 1 + k;
        for (int a = 0; a < kinds.Length; a++)
            size += Width(kinds[a], levels[a], k);
        return size;
    }

    /// <summary>Each Gaussian feature: S1' = S1 + nk·Δ, S2' = S2 + 2Δ·S1 + nk·Δ² with Δ = c − c' (S2 from the old S1, so S1 last).</summary>
    public override void Recentre(Span<double> buffer, ReadOnlySpan<double> from, ReadOnlySpan<double> to)
    {
        int k = ComponentCount, g = 0;
        var nk = Nk(buffer);
        for (int a = 0; a < Kinds.Length; a++)
        {
            if (Kinds[a] != FeatureFamily.Gaussian)
                continue;
            var s1 = buffer.Slice(Offsets[a], k);
            var s2 = buffer.Slice(Offsets[a] + k, k);
            for (int j = 0; j < k; j++)
            {
                double delta = from[(g * k) + j] - to[(g * k) + j];
                s2[j] += (2 * delta * s1[j]) + (nk[j] * delta * delta);
                s1[j] += nk[j] * delta;
            }
            g++;
        }
    }

    public override bool SameAs(StatisticsLayout other) =>
        other is MixedStatisticsLayout m && m.Length == Length && m.ComponentCount == ComponentCount && m.Kinds.AsSpan().SequenceEqual(Kinds);
}
