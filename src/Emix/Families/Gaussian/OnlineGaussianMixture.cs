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
    private readonly StepwiseFit<GaussianParameters> _fit;

    /// <summary>
    /// An estimator with these options (<see cref="GaussianMixtureOptions.InitialParameters"/>, when complete, is the start;
    /// otherwise the first batch is initialised by <see cref="MixtureOptions.Init"/>) and step power A.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid, or A is outside (0.5, 1] and not 0.</exception>
    public OnlineGaussianMixture(GaussianMixtureOptions options, double stepPower)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        StepwiseFit<GaussianParameters>.CheckStepPower(stepPower);
        if (options.Frozen is not null)
            throw new ArgumentException("Frozen: frozen parameters are not supported by stepwise EM.", nameof(options));
        if (options.Prior is not null)
            throw new ArgumentException("Prior: the conjugate prior is available for batch EM (GaussianMixture) only, not stepwise EM.", nameof(options));
        Options = options;
        var family = GaussianFamily.For(Families.Gaussian.Kernels.KernelSelector.Create(options.Kernel), missing: false);
        _fit = new StepwiseFit<GaussianParameters>(new GaussianStepwise(family, options.RegCovar), stepPower, options.ChunkRows, options.MaxDegreeOfParallelism);
    }

    /// <summary>
    /// Continues the stepwise fit that wrote <paramref name="model"/> (a model file of an online fit keeps its
    /// running statistics, steps and step power): the next batch is step t + 1 as if the fit had not stopped.
    /// </summary>
    /// <exception cref="ArgumentException">The model was not written by a stepwise fit.</exception>
    public static OnlineGaussianMixture Resume(GaussianMixtureModel model)
    {
        var (options, stepPower) = StepwiseFit<GaussianParameters>.Resumable<GaussianMixtureOptions>(model);
        var resumed = new OnlineGaussianMixture(options, stepPower);
        resumed._fit.Resume(model, model.Parameters, model.Parameters.StatisticsLayout);
        return resumed;
    }

    /// <summary>The options of the fit.</summary>
    public GaussianMixtureOptions Options { get; }

    /// <summary>The step power A of γ_t = (t + 2)^(−A).</summary>
    public double StepPower => _fit.StepPower;

    /// <summary>Steps taken (batches seen, over every pass).</summary>
    public long Steps => _fit.State?.Steps ?? 0;

    /// <summary>Rows seen, over every pass.</summary>
    public long RowsSeen => _fit.State?.RowsSeen ?? 0;

    /// <summary>Mean log-likelihood per row of the rows seen in the current pass, each batch under the parameters before its step.</summary>
    public double RunningLowerBound => _fit.RunningLowerBound;

    /// <summary>The current model (null before the first batch).</summary>
    public GaussianMixtureModel? Model => _fit.State is { } state ? ToModel(state.Parameters) : null;

    /// <summary>One step of stepwise EM on <paramref name="batch"/> (every row of it); returns the model after the step.</summary>
    /// <exception cref="ArgumentException">The batch has another number of features than the model.</exception>
    /// <exception cref="NumericalFailureException">A component collapsed, or the batch's log-likelihood is not finite.</exception>
    public GaussianMixtureModel PartialFit(RowSource batch, CancellationToken cancellationToken = default)
    {
        _fit.PartialFit(batch, b => Initial(b, cancellationToken), _fit.State?.Parameters.FeatureCount ?? 0, cancellationToken);
        return Model!;
    }

    /// <summary>
    /// <paramref name="passes"/> passes over <paramref name="data"/> in row order, in batches of <paramref name="batchRows"/>
    /// (the last of a pass may be shorter); progress after every step (iteration = step, lower bound = the running one).
    /// </summary>
    public GaussianMixtureModel Fit(RowSource data, int batchRows, int passes = 1, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        _fit.Fit(data, batchRows, passes, b => Initial(b, cancellationToken), p => p.FeatureCount, progress, cancellationToken);
        return Model!;
    }

    /// <summary>Starts counting the running lower bound afresh (a new pass over the rows).</summary>
    public void StartPass() => _fit.StartPass();

    /// <summary>
    /// θ₀: the initial parameters as given when they are complete, else the batch estimator's start on the
    /// first batch (its init method and one M-step, no EM iteration; labels given for the whole data do not apply).
    /// </summary>
    private GaussianParameters Initial(RowSource firstBatch, CancellationToken cancellationToken) =>
        new GaussianMixture(Options with { MaxIterations = 0, InitialLabels = null }).Fit(firstBatch, cancellationToken: cancellationToken).Parameters;

    private GaussianMixtureModel ToModel(GaussianParameters p) =>
        GaussianMixtureModel.FromStored(p, _fit.FeatureNames ?? DefaultNames(p.FeatureCount), _fit.Report(Options), null, null, _fit.Statistics);

    internal static string[] DefaultNames(int d) => Enumerable.Range(1, d).Select(a => "x" + a.ToString(CultureInfo.InvariantCulture)).ToArray();
}
