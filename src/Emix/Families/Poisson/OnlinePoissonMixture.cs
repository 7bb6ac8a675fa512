using Emix.Engine;
using Emix.Families.Poisson;
using Emix.Statistics;

namespace Emix;

/// <summary>
/// Multivariate Poisson mixtures fitted by stepwise (online) EM, as <see cref="OnlineGaussianMixture"/>:
/// s₀ = (w_j, w_j·λ_j) from the start, then s_t = (1 − γ_t)·s_{t−1} + γ_t·s̄_t per batch, γ_t = (t + 2)^(−A).
/// Every batch must hold counts.
/// </summary>
public sealed class OnlinePoissonMixture
{
    private readonly StepwiseFit<PoissonParameters> _fit;

    /// <summary>An estimator with these options (<see cref="PoissonMixtureOptions.InitialParameters"/> is the start when given) and step power A.</summary>
    /// <exception cref="ArgumentException">An option is invalid, or A is outside (0.5, 1] and not 0.</exception>
    public OnlinePoissonMixture(PoissonMixtureOptions options, double stepPower)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        StepwiseFit<PoissonParameters>.CheckStepPower(stepPower);
        Options = options;
        _fit = new StepwiseFit<PoissonParameters>(PoissonStepwise.Instance, stepPower, options.ChunkRows, options.MaxDegreeOfParallelism);
    }

    /// <summary>Continues the stepwise fit that wrote <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model was not written by a stepwise fit.</exception>
    public static OnlinePoissonMixture Resume(PoissonMixtureModel model)
    {
        var (options, stepPower) = StepwiseFit<PoissonParameters>.Resumable<PoissonMixtureOptions>(model);
        var resumed = new OnlinePoissonMixture(options, stepPower);
        resumed._fit.Resume(model, model.Parameters, model.Parameters.StatisticsLayout);
        return resumed;
    }

    /// <summary>The options of the fit.</summary>
    public PoissonMixtureOptions Options { get; }

    /// <summary>The step power A of γ_t = (t + 2)^(−A).</summary>
    public double StepPower => _fit.StepPower;

    /// <summary>Steps taken (batches seen, over every pass).</summary>
    public long Steps => _fit.State?.Steps ?? 0;

    /// <summary>Rows seen, over every pass.</summary>
    public long RowsSeen => _fit.State?.RowsSeen ?? 0;

    /// <summary>Mean log-likelihood per row of the rows seen in the current pass, each batch under the parameters before its step.</summary>
    public double RunningLowerBound => _fit.RunningLowerBound;

    /// <summary>The current model (null before the first batch).</summary>
    public PoissonMixtureModel? Model => _fit.State is { } state ? ToModel(state.Parameters) : null;

    /// <summary>One step of stepwise EM on <paramref name="batch"/>; returns the model after the step.</summary>
    /// <exception cref="DataFormatException">A cell of the batch is not a count.</exception>
    public PoissonMixtureModel PartialFit(RowSource batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        PoissonUserParameters.RequireCounts(batch);
        _fit.PartialFit(batch, b => Initial(b, cancellationToken), _fit.State?.Parameters.FeatureCount ?? 0, cancellationToken);
        return Model!;
    }

    /// <summary>Passes over <paramref name="data"/> in row order, in batches of <paramref name="batchRows"/>.</summary>
    public PoissonMixtureModel Fit(RowSource data, int batchRows, int passes = 1, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        PoissonUserParameters.RequireCounts(data);
        _fit.Fit(data, batchRows, passes, b => Initial(b, cancellationToken), p => p.FeatureCount, progress, cancellationToken);
        return Model!;
    }

    /// <summary>Starts counting the running lower bound afresh (a new pass over the rows).</summary>
    public void StartPass() => _fit.StartPass();

    private PoissonParameters Initial(RowSource firstBatch, CancellationToken cancellationToken) =>
        new PoissonMixture(Options with { MaxIterations = 0, InitialLabels = null }).Fit(firstBatch, cancellationToken: cancellationToken).Parameters;

    private PoissonMixtureModel ToModel(PoissonParameters p) =>
        new(p, _fit.FeatureNames ?? OnlineGaussianMixture.DefaultNames(p.FeatureCount), _fit.Report(Options), null, null) { StepwiseStatistics = _fit.Statistics };
}
