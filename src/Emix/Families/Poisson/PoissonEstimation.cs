using Emix.Engine;
using Emix.Initialization;
using Emix.Internals;
using Emix.Statistics;

namespace Emix.Families.Poisson;

/// <summary>
/// One Poisson fit on the engine's contract. M-step: w_j = nk_j / Σ nk, λ_ja = Σ_i r_ij·x_ia / nk_j
/// (nk with scikit-learn's 10·eps guard, so an empty component gets rate 0 rather than NaN). A run
/// starts from given parameters, or with one M-step from its initialisation's responsibilities or
/// the given labels, weights nk/n (as the Gaussian family and scikit-learn).
/// </summary>
internal sealed class PoissonEstimation(PoissonMixtureOptions options, RowSource data, PoissonParameters? given, CancellationToken cancellationToken)
    : IMixtureEstimation<PoissonParameters>, IGivenResponsibilities
{
    private readonly RandomSource _rng = new(options.Seed);
    private readonly PoissonStatisticsLayout _layout = new(options.ComponentCount, data.FeatureCount);

    public IMixtureFamily<PoissonParameters> Family => PoissonFamily.Instance;

    public string NonFiniteAdvice => "Check the counts: a row no component can explain (a count where every component's rate is 0) has log-likelihood −∞.";

    public PoissonParameters Initialize(int run)
    {
        if (given is not null)
            return given;
        var resp = Initializer.For(options, data, _rng, cancellationToken);
        var statistics = InitialStatistics.Gather(data, resp, _layout, default, this, options.ChunkRows, options.MaxDegreeOfParallelism, cancellationToken);
        return Estimate(statistics.Values, data.TotalWeight);
    }

    public void StartWarmRun()
    {
    }

    public PoissonParameters MStep(MixtureStatistics statistics, PoissonParameters previous) => Estimate(_layout, statistics.Values, null);

    private PoissonParameters Estimate(double[] values, double? initRowCount) => Estimate(_layout, values, initRowCount);

    /// <summary>Weights nkReg / <paramref name="initRowCount"/> after an initialisation (as scikit-learn), nkReg / Σ nkReg after an E-step.</summary>
    internal static PoissonParameters Estimate(PoissonStatisticsLayout layout, double[] values, double? initRowCount)
    {
        int k = layout.ComponentCount, d = layout.FeatureCount;
        var nk = layout.Nk(values);
        var sums = layout.Sums(values);
        var weights = new double[k];
        var rates = new double[k * d];
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            double nkReg = nk[j] + StatisticsLayout.NkGuard;
            weights[j] = nkReg;
            total += nkReg;
            for (int a = 0; a < d; a++)
                rates[(j * d) + a] = sums[(j * d) + a] / nkReg;
        }
        double divisor = initRowCount ?? total;
        for (int j = 0; j < k; j++)
            weights[j] /= divisor;
        return PoissonParameters.Create(k, d, weights, rates);
    }

    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch)
    {
        int k = _layout.ComponentCount, d = _layout.FeatureCount;
        var nk = _layout.Nk(statistics);
        var sums = _layout.Sums(statistics);
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * d, d);
            for (int j = 0; j < k; j++)
            {
                double r = resp[(i * k) + j];
                nk[j] += r;
                if (r == 0)
                    continue;
                var sum = sums.Slice(j * d, d);
                for (int a = 0; a < d; a++)
                    sum[a] += r * x[a];
            }
        }
    }

    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch)
    {
        int d = _layout.FeatureCount;
        var nk = _layout.Nk(statistics);
        var sums = _layout.Sums(statistics);
        for (int i = 0; i < n; i++)
        {
            int j = labels[i];
            double r = weights.IsEmpty ? 1.0 : weights[i];
            nk[j] += r;
            if (r == 0)
                continue;
            var sum = sums.Slice(j * d, d);
            var x = rows.Slice(i * d, d);
            for (int a = 0; a < d; a++)
                sum[a] += r * x[a];
        }
    }
}
