using System.Globalization;

namespace Emix.Engine;

/// <summary>
/// The state of one stepwise fit of any family, with what its public estimator reports: steps, rows
/// seen, the running and per-pass lower bounds. <see cref="OnlineGaussianMixture"/> and
/// <see cref="OnlinePoissonMixture"/> are this with their family's start and model.
/// </summary>
internal sealed class StepwiseFit<TParameters>(IStepwiseEstimation<TParameters> estimation, double stepPower, int chunkRows, int? threads)
    where TParameters : class
{
    private readonly List<double> _passLowerBounds = [];
    private double _logLikelihood;
    private double _weightSeen;

    /// <summary>Checks A: (0.5, 1], where stepwise EM converges, or 0 (batch EM with one batch of all rows).</summary>
    public static void CheckStepPower(double stepPower)
    {
        if (!(stepPower == 0 || (stepPower > 0.5 && stepPower <= 1)))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"StepPower = {stepPower}: must be in (0.5, 1], where stepwise EM converges (or 0, which with one batch of all rows is batch EM)."), nameof(stepPower));
    }

    public double StepPower { get; } = stepPower;

    public StepwiseState<TParameters>? State { get; private set; }

    public IReadOnlyList<string>? FeatureNames { get; private set; }

    public IReadOnlyList<double> PassLowerBounds => _passLowerBounds;

    public double RunningLowerBound => _weightSeen > 0 ? _logLikelihood / _weightSeen : double.NegativeInfinity;

    /// <summary>The lower bound a model reports: the last finished pass's, else the running one.</summary>
    public double LowerBound => _passLowerBounds.Count > 0 ? _passLowerBounds[^1] : RunningLowerBound;

    /// <summary>Continues from a saved state.</summary>
    /// <summary>
    /// What a stepwise fit that wrote <paramref name="model"/> needs to go on: its options (of
    /// <typeparamref name="TOptions"/>), step power and running statistics.
    /// </summary>
    /// <exception cref="ArgumentException">The model was not written by a stepwise fit.</exception>
    public static (TOptions Options, double StepPower) Resumable<TOptions>(MixtureModel model)
        where TOptions : MixtureOptions
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Fit is not { Stepwise: { } stepwise, Options: TOptions options } || model.StepwiseStatistics is null)
            throw new ArgumentException("The model was not written by a stepwise fit (it has no running statistics to resume from).", nameof(model));
        return (options, stepwise.StepPower);
    }

    /// <summary>Continues from <paramref name="model"/>, written by a stepwise fit (see <see cref="Resumable"/>), whose parameters are <paramref name="parameters"/>.</summary>
    public void Resume(MixtureModel model, TParameters parameters, Emix.Statistics.StatisticsLayout layout)
    {
        var (running, stepwise, fit) = (model.StepwiseStatistics!.Value, model.Fit!.Stepwise!, model.Fit!);
        var statistics = Emix.Statistics.MixtureStatistics.Wrap(layout, (double[])running.Values.Clone(), running.Centres);
        Resume(new StepwiseState<TParameters>(parameters, statistics, stepwise.Steps, stepwise.RowsSeen), model.FeatureNames, fit.LowerBoundHistory);
    }

    public void Resume(StepwiseState<TParameters> state, IReadOnlyList<string> featureNames, IEnumerable<double> passLowerBounds)
    {
        State = state;
        FeatureNames = featureNames;
        _passLowerBounds.AddRange(passLowerBounds);
    }

    /// <summary>One step on <paramref name="batch"/>; <paramref name="initial"/> gives θ₀ from the first batch when there is no state yet.</summary>
    public void PartialFit(RowSource batch, Func<RowSource, TParameters> initial, int featureCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.HasMissing)
            throw new DataFormatException($"{batch.Source}: has missing cells; stepwise EM needs complete rows (drop them first).");
        if (State is not null && batch.FeatureCount != featureCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{batch.Source}: {batch.FeatureCount} features, but the fit has {featureCount}."), nameof(batch));
        State ??= StepwiseDriver.Start(estimation, initial(batch));
        FeatureNames ??= batch.FeatureNames;
        var (next, logLikelihood) = StepwiseDriver.Step(estimation, State, batch, StepPower, chunkRows, threads, cancellationToken);
        State = next;
        _logLikelihood += logLikelihood;
        _weightSeen += batch.TotalWeight;
    }

    /// <summary>Passes over <paramref name="data"/> in row order, in batches; progress after every step.</summary>
    public void Fit(RowSource data, int batchRows, int passes, Func<RowSource, TParameters> initial, Func<TParameters, int> featureCount,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        if (StepPower == 0 && batchRows < data.RowCount)
            throw new ArgumentException("StepPower = 0 forgets everything but the last batch: it is allowed only with one batch of all rows (batch EM).", nameof(batchRows));
        for (int pass = 0; pass < passes; pass++)
        {
            StartPass();
            for (int start = 0; start < data.RowCount; start += batchRows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double before = RunningLowerBound;
                int features = State is null ? data.FeatureCount : featureCount(State.Parameters);
                PartialFit(new RowRange(data, start, Math.Min(batchRows, data.RowCount - start)), initial, features, cancellationToken);
                progress?.Report(new FitProgress(pass + 1, (int)Math.Min(int.MaxValue, State!.Steps), RunningLowerBound, RunningLowerBound - before) { RowsSeen = State.RowsSeen });
            }
            _passLowerBounds.Add(RunningLowerBound);
        }
    }

    /// <summary>Starts counting the running lower bound afresh (a new pass over the rows).</summary>
    public void StartPass()
    {
        _logLikelihood = 0;
        _weightSeen = 0;
    }

    /// <summary>The fit report of the current state (steps as the stepwise report; one history entry per finished pass).</summary>
    public FitReport Report(MixtureOptions options) => new(false, _passLowerBounds.Count, LowerBound, [.. _passLowerBounds],
        (int)Math.Min(int.MaxValue, State?.RowsSeen ?? 0), 1, options)
    {
        Stepwise = new StepwiseReport(StepPower, State?.Steps ?? 0, State?.RowsSeen ?? 0),
    };

    /// <summary>The running statistics and centres of the current state, copied (for a model file to resume from).</summary>
    public (double[] Values, double[] Centres)? Statistics =>
        State is null ? null : (State.Statistics.Values.ToArray(), State.Statistics.Centres.ToArray());
}
