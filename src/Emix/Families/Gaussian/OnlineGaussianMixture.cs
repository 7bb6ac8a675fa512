using System.Globalization;
using Emix.Engine;
using Emix.Families.Gaussian;

namespace Emix;

/// <summary>
/// Gaussian mixtures fitted by stepwise (online) EM, Cappé and Moulines (2009): each batch of rows
/// moves the running statistics by γ_t = (t + 2)^(−A) toward the batch's own and re-estimates the
/// parameters, so a stream is fitted in one pass with memory bounded by the batch.
/// <see cref="PartialFit"/> takes one batch; <see cref="Fit"/> runs passes over rows in order.
/// </summary>
/// <remarks>
/// With A = 0 and one batch of all rows, a step is one batch EM iteration. A in (0.5, 1] is the range
/// where stepwise EM converges; smaller A forgets faster. The first step's E-step uses the initial
/// parameters, and its statistics s₀ are those of the initial parameters as given (w_j, w_j·μ_j,
/// w_j·(Σ_j + μ_jμ_jᵀ)). Frozen parameters and collapse policies are not applied: a collapse fails.
/// </remarks>
public sealed class OnlineGaussianMixture
{
    private readonly GaussianStepwise _estimation;
    private StepwiseState<GaussianParameters>? _state;
    private IReadOnlyList<string>? _featureNames;
    private readonly List<double> _passLowerBounds = [];
    private double _logLikelihood;
    private double _weightSeen;

    /// <summary>
    /// An estimator with these options (<see cref="GaussianMixtureOptions.InitialParameters"/>, when complete, is the start;
    /// otherwise the first batch is initialised by <see cref="MixtureOptions.Init"/>) and step power A.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid, or A is outside (0.5, 1] and not 0.</exception>
    public OnlineGaussianMixture(GaussianMixtureOptions options, double stepPower)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!(stepPower == 0 || (stepPower > 0.5 && stepPower <= 1)))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"StepPower = {stepPower}: must be in (0.5, 1], where stepwise EM converges (or 0, which with one batch of all rows is batch EM)."), nameof(stepPower));
        if (options.Frozen is not null)
            throw new ArgumentException("Frozen: frozen parameters are not supported by stepwise EM.", nameof(options));
        Options = options;
        StepPower = stepPower;
        _estimation = new GaussianStepwise(GaussianFamily.For(Families.Gaussian.Kernels.KernelSelector.Create(options.Kernel), missing: false), options.RegCovar);
    }

    /// <summary>
    /// Continues the stepwise fit that wrote <paramref name="model"/> (a model file of an online fit keeps its
    /// running statistics, steps and step power): the next batch is step t + 1 as if the fit had not stopped.
    /// </summary>
    /// <exception cref="ArgumentException">The model was not written by a stepwise fit.</exception>
    public static OnlineGaussianMixture Resume(GaussianMixtureModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Fit is not { Stepwise: { } stepwise, Options: GaussianMixtureOptions options } fit || model.StepwiseStatistics is not { } running)
            throw new ArgumentException("The model was not written by a stepwise fit (it has no running statistics to resume from).", nameof(model));
        var resumed = new OnlineGaussianMixture(options, stepwise.StepPower);
        var statistics = Statistics.MixtureStatistics.Wrap(model.Parameters.StatisticsLayout, (double[])running.Values.Clone(), running.Centres);
        resumed._state = new StepwiseState<GaussianParameters>(model.Parameters, statistics, stepwise.Steps, stepwise.RowsSeen);
        resumed._featureNames = model.FeatureNames;
        resumed._passLowerBounds.AddRange(fit.LowerBoundHistory);
        return resumed;
    }

    /// <summary>The options of the fit.</summary>
    public GaussianMixtureOptions Options { get; }

    /// <summary>The step power A of γ_t = (t + 2)^(−A).</summary>
    public double StepPower { get; }

    /// <summary>Steps taken (batches seen, over every pass).</summary>
    public long Steps => _state?.Steps ?? 0;

    /// <summary>Rows seen, over every pass.</summary>
    public long RowsSeen => _state?.RowsSeen ?? 0;

    /// <summary>Mean log-likelihood per row of the rows seen in the current pass, each batch under the parameters before its step.</summary>
    public double RunningLowerBound => _weightSeen > 0 ? _logLikelihood / _weightSeen : double.NegativeInfinity;

    /// <summary>The current model (null before the first batch unless the start was given).</summary>
    public GaussianMixtureModel? Model => _state is null ? null : ToModel(_state);

    /// <summary>One step of stepwise EM on <paramref name="batch"/> (every row of it); returns the model after the step.</summary>
    /// <exception cref="ArgumentException">The batch has another number of features than the model.</exception>
    /// <exception cref="NumericalFailureException">A component collapsed, or the batch's log-likelihood is not finite.</exception>
    public GaussianMixtureModel PartialFit(RowSource batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.HasMissing)
            throw new DataFormatException($"{batch.Source}: has missing cells; stepwise EM needs complete rows (drop them first).");
        _state ??= StepwiseDriver.Start(_estimation, Initial(batch, cancellationToken));
        _featureNames ??= batch.FeatureNames;
        if (batch.FeatureCount != _state.Parameters.FeatureCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{batch.Source}: {batch.FeatureCount} features, but the fit has {_state.Parameters.FeatureCount}."), nameof(batch));
        var (next, logLikelihood) = StepwiseDriver.Step(_estimation, _state, batch, StepPower, Options.ChunkRows, Options.MaxDegreeOfParallelism, cancellationToken);
        _state = next;
        _logLikelihood += logLikelihood;
        _weightSeen += batch.TotalWeight;
        return ToModel(next);
    }

    /// <summary>
    /// <paramref name="passes"/> passes over <paramref name="data"/> in row order, in batches of <paramref name="batchRows"/>
    /// (the last of a pass may be shorter); progress after every step (iteration = step, lower bound = the running one).
    /// </summary>
    public GaussianMixtureModel Fit(RowSource data, int batchRows, int passes = 1, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
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
                PartialFit(new RowRange(data, start, Math.Min(batchRows, data.RowCount - start)), cancellationToken);
                progress?.Report(new FitProgress(pass + 1, (int)Math.Min(int.MaxValue, Steps), RunningLowerBound, RunningLowerBound - before) { RowsSeen = RowsSeen });
            }
            _passLowerBounds.Add(RunningLowerBound);
        }
        return Model!;
    }

    /// <summary>Starts counting the running lower bound afresh (a new pass over the rows).</summary>
    public void StartPass()
    {
        _logLikelihood = 0;
        _weightSeen = 0;
    }

    /// <summary>
    /// θ₀: the initial parameters as given when they are complete, else the batch estimator's start on the
    /// first batch (its init method and one M-step, no EM iteration; labels given for the whole data do not apply).
    /// </summary>
    private GaussianParameters Initial(RowSource firstBatch, CancellationToken cancellationToken) =>
        new GaussianMixture(Options with { MaxIterations = 0, InitialLabels = null }).Fit(firstBatch, cancellationToken: cancellationToken).Parameters;

    /// <summary>
    /// The model of a state: its parameters, a fit report (steps as iterations, the last pass's lower bound, one
    /// history entry per finished pass) and the running statistics, so that a saved model can resume.
    /// </summary>
    private GaussianMixtureModel ToModel(StepwiseState<GaussianParameters> state)
    {
        var p = state.Parameters;
        double lowerBound = _passLowerBounds.Count > 0 ? _passLowerBounds[^1] : RunningLowerBound;
        var fit = new FitReport(false, _passLowerBounds.Count, lowerBound, [.. _passLowerBounds], (int)Math.Min(int.MaxValue, state.RowsSeen), 1, Options)
        {
            Stepwise = new StepwiseReport(StepPower, state.Steps, state.RowsSeen),
        };
        return GaussianMixtureModel.FromStored(p, _featureNames ?? DefaultNames(p.FeatureCount), fit, null, null,
            (state.Statistics.Values.ToArray(), state.Statistics.Centres.ToArray()));
    }

    private static string[] DefaultNames(int d) => Enumerable.Range(1, d).Select(a => "x" + a.ToString(CultureInfo.InvariantCulture)).ToArray();
}
