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
    private readonly MeanStatisticsLayout _layout = new(options.ComponentCount, data.FeatureCount);

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

    /// <summary>Weights and rates from the statistics (see <see cref="MeanStatisticsLayout.Estimate"/>).</summary>
    internal static PoissonParameters Estimate(MeanStatisticsLayout layout, double[] values, double? initRowCount)
    {
        var (weights, rates) = layout.Estimate(values, initRowCount);
        return PoissonParameters.Create(layout.ComponentCount, layout.FeatureCount, weights, rates);
    }

    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch) =>
        _layout.AccumulateResponsibilities(rows, n, resp, statistics);

    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch) =>
        _layout.AccumulateLabels(rows, n, labels, weights, statistics);
}
