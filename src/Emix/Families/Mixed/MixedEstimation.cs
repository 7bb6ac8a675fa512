using Emix.Engine;
using Emix.Initialization;
using Emix.Internals;
using Emix.Statistics;

namespace Emix.Families.Mixed;

/// <summary>
/// One mixed-type fit on the engine's contract. M-step from the statistics (nkReg = nk + 10·eps):
/// w_j = nkReg_j / Σ nkReg; Gaussian m = c + S1/nkReg, v = S2/nkReg − (S1/nkReg)² + reg_covar;
/// Poisson and Bernoulli Σ r·x / nkReg; categorical the level counts / nkReg. A run starts with one
/// M-step from its initialisation's responsibilities or the given labels, weights nk/n, the
/// Gaussian moments around the column means.
/// </summary>
internal sealed class MixedEstimation(MixedMixtureOptions options, RowSource data, FeatureFamily[] kinds, double[][] levels, CancellationToken cancellationToken)
    : IMixtureEstimation<MixedParameters>, IGivenResponsibilities
{
    private readonly RandomSource _rng = new(options.Seed);
    private readonly MixedStatisticsLayout _layout = new(kinds, levels, options.ComponentCount);
    private readonly Dictionary<double, int>?[] _lookup = levels.Select((l, a) => kinds[a] == FeatureFamily.Categorical
        ? l.Select((value, index) => (value, index)).ToDictionary(p => p.value, p => p.index) : null).ToArray();

    public IMixtureFamily<MixedParameters> Family => MixedFamily.Instance;

    public string NonFiniteAdvice => "Check the columns' families, or increase reg_covar (--reg-covar) if a Gaussian column's variance collapses.";

    public MixedParameters Initialize(int run)
    {
        int k = options.ComponentCount;
        var resp = Initializer.For(options, data, _rng, cancellationToken);
        var mean = ColumnMoments.Mean(data, options.MaxDegreeOfParallelism);
        var centres = new double[_layout.CentreLength];
        int g = 0;
        for (int a = 0; a < kinds.Length; a++)
        {
            if (kinds[a] != FeatureFamily.Gaussian)
                continue;
            centres.AsSpan(g * k, k).Fill(mean[a]);
            g++;
        }
        var statistics = InitialStatistics.Gather(data, resp, _layout, centres, this, options.ChunkRows, options.MaxDegreeOfParallelism, cancellationToken);
        return Estimate(statistics.Values, centres, data.TotalWeight);
    }

    public void StartWarmRun()
    {
    }

    public MixedParameters MStep(MixtureStatistics statistics, MixedParameters previous) =>
        Estimate(statistics.Values, statistics.Centres, null);

    private MixedParameters Estimate(double[] values, ReadOnlySpan<double> centres, double? initRowCount)
    {
        int k = _layout.ComponentCount, d = kinds.Length;
        var stats = values.AsSpan();
        var nk = _layout.Nk(stats);
        var nkReg = new double[k];
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            nkReg[j] = nk[j] + StatisticsLayout.NkGuard;
            total += nkReg[j];
        }
        var weights = new double[k];
        for (int j = 0; j < k; j++)
            weights[j] = nkReg[j] / (initRowCount ?? total);
        var first = new double[]?[d];
        var second = new double[]?[d];
        var probabilities = new double[]?[d];
        int g = 0;
        for (int a = 0; a < d; a++)
        {
            var block = stats[_layout.Offsets[a]..];
            switch (kinds[a])
            {
                case FeatureFamily.Gaussian:
                    var means = first[a] = new double[k];
                    var variances = second[a] = new double[k];
                    for (int j = 0; j < k; j++)
                    {
                        double delta = block[j] / nkReg[j];
                        means[j] = centres[(g * k) + j] + delta;
                        variances[j] = (block[k + j] / nkReg[j]) - (delta * delta) + options.RegCovar;
                    }
                    g++;
                    break;
                case FeatureFamily.Categorical:
                    int count = levels[a].Length;
                    var q = probabilities[a] = new double[k * count];
                    for (int j = 0; j < k; j++)
                        for (int l = 0; l < count; l++)
                            q[(j * count) + l] = block[(j * count) + l] / nkReg[j];
                    break;
                default:
                    var rates = first[a] = new double[k];
                    for (int j = 0; j < k; j++)
                        rates[j] = block[j] / nkReg[j];
                    break;
            }
        }
        return MixedParameters.Create(kinds, weights, first, second, levels, probabilities);
    }

    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch)
    {
        int k = _layout.ComponentCount, d = kinds.Length;
        for (int i = 0; i < n; i++)
            MixedFamily.Add(_layout, _lookup, rows.Slice(i * d, d), resp.Slice(i * k, k), centres, statistics);
    }

    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch)
    {
        int k = _layout.ComponentCount, d = kinds.Length;
        Span<double> r = k <= 128 ? stackalloc double[k] : new double[k];
        for (int i = 0; i < n; i++)
        {
            r.Clear();
            r[labels[i]] = weights.IsEmpty ? 1 : weights[i];
            MixedFamily.Add(_layout, _lookup, rows.Slice(i * d, d), r, centres, statistics);
        }
    }
}
