using Emix.Engine;
using Emix.Initialization;
using Emix.Internals;
using Emix.Statistics;

namespace Emix.Families.Bernoulli;

/// <summary>
/// One Bernoulli fit on the engine's contract: w_j = nk_j / Σ nk, p_ja = Σ_i r_ij·x_ia / nk_j (the M-step
/// shared with every family of weighted means, <see cref="MeanStatisticsLayout.Estimate"/>); a run starts
/// from given parameters, or one M-step from its initialisation's responsibilities or the given labels.
/// </summary>
internal sealed class BernoulliEstimation(BernoulliMixtureOptions options, RowSource data, BernoulliParameters? given, CancellationToken cancellationToken)
    : IMixtureEstimation<BernoulliParameters>, IGivenResponsibilities
{
    private readonly RandomSource _rng = new(options.Seed);
    private readonly MeanStatisticsLayout _layout = new(options.ComponentCount, data.FeatureCount);

    public IMixtureFamily<BernoulliParameters> Family => BernoulliFamily.Instance;

    public string NonFiniteAdvice => "A row no component can explain (a 1 where every component's probability is 0, or a 0 where it is 1) has log-likelihood −∞; use more components or start elsewhere.";

    public BernoulliParameters Initialize(int run)
    {
        if (given is not null)
            return given;
        var resp = Initializer.For(options, data, _rng, cancellationToken);
        var statistics = InitialStatistics.Gather(data, resp, _layout, default, this, options.ChunkRows, options.MaxDegreeOfParallelism, cancellationToken);
        return Estimate(_layout, statistics.Values, data.TotalWeight);
    }

    public void StartWarmRun()
    {
    }

    public BernoulliParameters MStep(MixtureStatistics statistics, BernoulliParameters previous) => Estimate(previous.StatisticsLayout, statistics.Values, null);

    internal static BernoulliParameters Estimate(MeanStatisticsLayout layout, double[] values, double? initRowCount)
    {
        var (weights, probabilities) = layout.Estimate(values, initRowCount);
        return BernoulliParameters.Create(layout.ComponentCount, layout.FeatureCount, weights, probabilities);
    }

    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch) =>
        _layout.AccumulateResponsibilities(rows, n, resp, statistics);

    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch) =>
        _layout.AccumulateLabels(rows, n, labels, weights, statistics);
}
