using Emix.Engine;
using Emix.Families.Poisson;
using Emix.Statistics;

namespace Emix.Families.Mixed;

/// <summary>
/// Mixed-type mixtures on the engine's contract (local independence): log p_j(x) = Σ_a log p_ja(x_a)
/// with each feature's own family. Gaussian −½·log(2πv) − (x − m)²/(2v); Poisson x·log λ − λ − log x!
/// (the −log x! of a row once, outside the components, as the Poisson family); Bernoulli log p or
/// log(1 − p); categorical log q of the row's level. Log-likelihoods are the full ones.
/// </summary>
internal sealed class MixedFamily : RowwiseFamily<MixedParameters>
{
    public static readonly MixedFamily Instance = new();

    public override string Name => "mixed";

    public override int ComponentCount(MixedParameters p) => p.ComponentCount;

    public override int FeatureCount(MixedParameters p) => p.FeatureCount;

    public override StatisticsLayout Layout(MixedParameters p) => p.StatisticsLayout;

    public override ReadOnlySpan<double> Centres(MixedParameters p) => p.Centres;

    public override long FreeParameterCount(MixedParameters p) => p.FreeParameterCount;

    public override bool IsFinite(MixedParameters p)
    {
        static bool AllFinite(double[]? values) => values is null || Array.TrueForAll(values, double.IsFinite);
        return AllFinite(p.Weights) && Array.TrueForAll(p.First, AllFinite) && Array.TrueForAll(p.Second, AllFinite) && Array.TrueForAll(p.Probabilities, AllFinite);
    }

    protected override double RowLogResponsibilities(MixedParameters p, ReadOnlySpan<double> x, Span<double> logResp, RowScratch scratch)
    {
        int k = p.ComponentCount, d = x.Length;
        p.Constants.CopyTo(logResp);
        double logFactorials = 0;
        for (int a = 0; a < d; a++)
        {
            double v = x[a];
            var logA = p.LogA[a];
            switch (p.Kinds[a])
            {
                case FeatureFamily.Gaussian:
                    var means = p.First[a]!;
                    var logB = p.LogB[a];
                    for (int j = 0; j < k; j++)
                    {
                        double e = v - means[j];
                        logResp[j] += logA[j] + (logB[j] * e * e);
                    }
                    break;
                case FeatureFamily.Poisson:
                    logFactorials += LogFactorial.Of(v);
                    // 0·log λ is 0 even where λ = 0.
                    if (v != 0)
                        for (int j = 0; j < k; j++)
                            logResp[j] += v * logA[j];
                    break;
                case FeatureFamily.Bernoulli:
                    var terms = v == 1 ? logA : p.LogB[a];
                    for (int j = 0; j < k; j++)
                        logResp[j] += terms[j];
                    break;
                default:
                    int level = p.Lookup[a]![v], levels = p.Levels[a].Length;
                    scratch.PerFeature[a] = level;
                    for (int j = 0; j < k; j++)
                        logResp[j] += logA[(j * levels) + level];
                    break;
            }
        }
        return Passes.NormaliseLogRow(logResp) - logFactorials;
    }

    protected override void AddRow(MixedParameters p, ReadOnlySpan<double> x, ReadOnlySpan<double> logResp, double weight, Span<double> statistics, RowScratch scratch)
    {
        int k = p.ComponentCount;
        Span<double> r = k <= 128 ? stackalloc double[k] : new double[k];
        for (int j = 0; j < k; j++)
            r[j] = Math.Exp(logResp[j]) * weight;
        Add(p.StatisticsLayout, p.Lookup, x, r, p.Centres, statistics);
    }

    /// <summary>
    /// Adds one row with responsibilities <paramref name="r"/> (k, already times the row's weight) to the
    /// statistics; Gaussian moments around <paramref name="centres"/> (k per Gaussian feature, in column order).
    /// </summary>
    public static void Add(MixedStatisticsLayout layout, Dictionary<double, int>?[] lookup, ReadOnlySpan<double> x, ReadOnlySpan<double> r,
        ReadOnlySpan<double> centres, Span<double> statistics)
    {
        int k = layout.ComponentCount, g = 0;
        var nk = layout.Nk(statistics);
        for (int j = 0; j < k; j++)
            nk[j] += r[j];
        for (int a = 0; a < x.Length; a++)
        {
            double v = x[a];
            var block = statistics[layout.Offsets[a]..];
            switch (layout.Kinds[a])
            {
                case FeatureFamily.Gaussian:
                    var c = centres.Slice(g * k, k);
                    for (int j = 0; j < k; j++)
                    {
                        double e = v - c[j];
                        block[j] += r[j] * e;
                        block[k + j] += r[j] * e * e;
                    }
                    g++;
                    break;
                case FeatureFamily.Categorical:
                    var levels = lookup[a]!;
                    int level = levels[v], count = levels.Count;
                    for (int j = 0; j < k; j++)
                        block[(j * count) + level] += r[j];
                    break;
                default:
                    if (v != 0)
                        for (int j = 0; j < k; j++)
                            block[j] += r[j] * v;
                    break;
            }
        }
    }
}
