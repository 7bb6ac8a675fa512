using Emix.Engine;
using Emix.Initialization;
using Emix.Internals;
using Emix.Statistics;

namespace Emix.Families.Gaussian;

/// <summary>
/// One Gaussian fit on the engine's contract: each run's start (user parameters, an init method or
/// given labels, then scikit-learn's one M-step with weights nk/n), and the M-step with reg_covar,
/// frozen parts and the collapse policy. The batch driver runs the loop.
/// </summary>
internal sealed class GaussianEstimation : IMixtureEstimation<GaussianParameters>, IGivenResponsibilities
{
    private readonly GaussianMixtureOptions _options;
    private readonly RowSource _data;
    private readonly RowSource _initRows;
    private readonly CovarianceStructure _structure;
    private readonly InnerIterations _inner;
    private readonly GaussianStatisticsLayout _layout;
    private readonly UserParameters? _user;
    private readonly RandomSource _rng;
    private readonly CollapseHandler _collapses;
    private readonly Dictionary<int, List<CollapseEvent>> _collapsesByRun = [];
    private readonly CancellationToken _cancellationToken;
    private readonly PriorHyperparameters? _prior;

    public GaussianEstimation(GaussianMixtureOptions options, RowSource data, UserParameters? user, Kernels.IEStepKernel kernel, CancellationToken cancellationToken)
    {
        _options = options;
        _data = data;
        _structure = CovarianceStructure.For(options.CovarianceType);
        _inner = new InnerIterations(options.InnerTolerance, options.MaxInnerIterations);
        _layout = new GaussianStatisticsLayout(_structure, options.ComponentCount, data.FeatureCount);
        _user = user;
        _rng = new RandomSource(options.Seed);
        _cancellationToken = cancellationToken;
        Family = GaussianFamily.For(kernel, data);
        // Rows with missing cells: the initialisation sees them filled with column means (docs/missing-values.md).
        _initRows = Missing.MissingValueEm.InitializationRows(data);
        // The prior's defaults are the data's column moments: one deterministic pass each, once per fit.
        _prior = options.Prior is { } prior
            ? PriorHyperparameters.Resolve(prior, _structure, options.ComponentCount, _initRows, options.MaxDegreeOfParallelism)
            : null;
        _collapses = new CollapseHandler(options.OnCollapse, data, _initRows, Family, options.MaxDegreeOfParallelism, _structure, options.RegCovar);
    }

    public IMixtureFamily<GaussianParameters> Family { get; }

    /// <summary>The options' prior with every hyperparameter as this fit used it (null without a prior): what the model records.</summary>
    public ConjugatePrior? ResolvedPrior => _prior is null ? null : new ConjugatePrior
    {
        Shrinkage = _prior.Shrinkage,
        Mean = _prior.Mean,
        DegreesOfFreedom = _prior.DegreesOfFreedom,
        Scale = _prior.MatrixScale ?? [_prior.ScalarScale],
    };

    public string NonFiniteAdvice => "Scale the input data, or increase reg_covar (--reg-covar).";

    /// <summary>The collapses handled in run <paramref name="run"/> (1-based, as the driver's best run).</summary>
    public IReadOnlyList<CollapseEvent> CollapsesOfRun(int run) => _collapsesByRun[run - 1];

    public GaussianParameters Initialize(int run)
    {
        int k = _options.ComponentCount, d = _data.FeatureCount;
        StartRun(run);
        if (_user is { Complete: true })
            return _user.Apply(null, _structure, k, d);
        var resp = Initializer.For(_options, _initRows, _rng, _cancellationToken);
        var (weights, means, covariances, decomposition) = InitialEstimate(resp);
        if (_user is not null)
        {
            (weights, means, covariances) = _user.ApplyValues(weights, means, covariances);
            decomposition = null;
        }
        return _collapses.Build(weights, means, covariances, previous: null, decomposition);
    }

    public void StartWarmRun() => StartRun(0);

    private void StartRun(int run)
    {
        _collapses.StartRun(FrozenParts.Create(_options.Frozen, _user, _structure, _options.ComponentCount, _data.FeatureCount));
        _collapsesByRun[run] = _collapses.Events;
    }

    public GaussianParameters MStep(MixtureStatistics statistics, GaussianParameters previous)
    {
        _collapses.Iteration++;
        var (weights, means, covariances, decomposition) = GaussianEm.MStepWithDecomposition(_structure, previous.ComponentCount, previous.FeatureCount,
            statistics.Values, statistics.Centres, _options.RegCovar, null, _collapses.Frozen, previous.Decomposition, _inner, _prior);
        return _collapses.Build(weights, means, covariances, previous, decomposition);
    }

    /// <summary>scikit-learn's <c>_initialize</c>: one M-step from the initial responsibilities, weights nk/n; statistics centred on the data mean.</summary>
    private (double[] Weights, double[] Means, double[] Covariances, CovarianceDecomposition? Decomposition) InitialEstimate(InitialResponsibilities resp)
    {
        int k = _options.ComponentCount, d = _initRows.FeatureCount;
        var mean = ColumnMoments.Mean(_initRows, _options.MaxDegreeOfParallelism);
        var shifts = new double[k * d];
        for (int j = 0; j < k; j++)
            mean.CopyTo(shifts, j * d);
        var statistics = InitialStatistics.Gather(_initRows, resp, _layout, shifts, this, _options.ChunkRows, _options.MaxDegreeOfParallelism, _cancellationToken);
        return GaussianEm.MStepWithDecomposition(_structure, k, d, statistics.Values, shifts, _options.RegCovar, initRowCount: _initRows.TotalWeight,
            frozen: null, previous: null, _inner, _prior);
    }

    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch) =>
        GaussianEm.AccumulateChunk(_structure, _layout, rows, n, resp, centres, statistics, scratch);

    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch)
        => _structure.AccumulateLabelled(rows, n, _layout.FeatureCount, labels, weights, centres,
            _layout.Nk(statistics), _layout.FirstMoment(statistics), _layout.SecondMoment(statistics), scratch);
}
