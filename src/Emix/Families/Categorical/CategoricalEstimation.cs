using Emix.Engine;
using Emix.Initialization;
using Emix.Internals;
using Emix.Statistics;

namespace Emix.Families.Categorical;

/// <summary>
/// One categorical fit: w_j = nkReg_j / Σ nkReg, π_ja[ℓ] = (Σ_i r_ij [x_ia = ℓ] + α) / (nkReg_j + α·L_a) with
/// the pseudo-count α (0: plain maximum likelihood) and nkReg = nk + 10·eps; a run starts from one M-step
/// from its initialisation's responsibilities (computed on the integer codes) or the given labels.
/// </summary>
internal sealed class CategoricalEstimation(CategoricalMixtureOptions options, RowSource data, double[][] levels, CancellationToken cancellationToken)
    : IMixtureEstimation<CategoricalParameters>, IGivenResponsibilities
{
    private readonly RandomSource _rng = new(options.Seed);
    private readonly CategoricalParameters _shape = CategoricalParameters.Create(options.ComponentCount, levels,
        Enumerable.Repeat(1.0 / options.ComponentCount, options.ComponentCount).ToArray(), new double[options.ComponentCount * levels.Sum(l => l.Length)]);

    public IMixtureFamily<CategoricalParameters> Family => CategoricalFamily.Instance;

    public string NonFiniteAdvice => "A row with a level that has probability 0 in every component has log-likelihood −∞; set a pseudo-count (--pseudo-count) or use more components.";

    public CategoricalParameters Initialize(int run)
    {
        var resp = Initializer.For(options, data, _rng, cancellationToken);
        var statistics = InitialStatistics.Gather(data, resp, _shape.StatisticsLayout, default, this, options.ChunkRows, options.MaxDegreeOfParallelism, cancellationToken);
        return Estimate(statistics.Values, data.TotalWeight);
    }

    public void StartWarmRun()
    {
    }

    public CategoricalParameters MStep(MixtureStatistics statistics, CategoricalParameters previous) => Estimate(statistics.Values, null);

    private CategoricalParameters Estimate(double[] values, double? initRowCount) => Estimate(_shape, values, initRowCount, options.PseudoCount);

    /// <summary>The M-step for parameters shaped as <paramref name="shape"/> (its levels), with pseudo-count <paramref name="alpha"/>.</summary>
    internal static CategoricalParameters Estimate(CategoricalParameters shape, double[] values, double? initRowCount, double alpha)
    {
        int k = shape.ComponentCount, d = shape.FeatureCount, total = shape.LevelTotal;
        var layout = shape.StatisticsLayout;
        var nk = layout.Nk(values);
        var counts = layout.Counts(values);
        var weights = new double[k];
        var probabilities = new double[k * total];
        double sum = 0;
        for (int j = 0; j < k; j++)
        {
            double nkReg = nk[j] + StatisticsLayout.NkGuard;
            weights[j] = nkReg;
            sum += nkReg;
            for (int a = 0; a < d; a++)
            {
                int from = shape.Offsets[a], levelsOfA = shape.Offsets[a + 1] - from;
                double denominator = nkReg + (alpha * levelsOfA);
                for (int l = 0; l < levelsOfA; l++)
                    probabilities[(j * total) + from + l] = (counts[(j * total) + from + l] + alpha) / denominator;
            }
        }
        double divisor = initRowCount ?? sum;
        for (int j = 0; j < k; j++)
            weights[j] /= divisor;
        return CategoricalParameters.Create(k, shape.Levels, weights, probabilities);
    }

    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch)
    {
        int k = _shape.ComponentCount, d = _shape.FeatureCount, total = _shape.LevelTotal;
        var nk = _shape.StatisticsLayout.Nk(statistics);
        var counts = _shape.StatisticsLayout.Counts(statistics);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double r = resp[(i * k) + j];
                nk[j] += r;
                if (r == 0)
                    continue;
                for (int a = 0; a < d; a++)
                    counts[(j * total) + _shape.Offsets[a] + _shape.Lookup[a][rows[(i * d) + a]]] += r;
            }
        }
    }

    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch)
    {
        int d = _shape.FeatureCount, total = _shape.LevelTotal;
        var nk = _shape.StatisticsLayout.Nk(statistics);
        var counts = _shape.StatisticsLayout.Counts(statistics);
        for (int i = 0; i < n; i++)
        {
            int j = labels[i];
            double r = weights.IsEmpty ? 1.0 : weights[i];
            nk[j] += r;
            if (r == 0)
                continue;
            for (int a = 0; a < d; a++)
                counts[(j * total) + _shape.Offsets[a] + _shape.Lookup[a][rows[(i * d) + a]]] += r;
        }
    }
}
