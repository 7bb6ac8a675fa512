using Emix.Engine;
using Emix.Families.Bernoulli;

namespace Emix;

/// <summary>
/// Bernoulli mixtures fitted by stepwise (online) EM, as <see cref="OnlineGaussianMixture"/>: s₀ = (w_j, w_j·p_j)
/// from the start, then s_t = (1 − γ_t)·s_{t−1} + γ_t·s̄_t per batch, γ_t = (t + 2)^(−A). Every batch must hold 0/1 cells.
/// </summary>
public sealed class OnlineBernoulliMixture
{
    private readonly StepwiseFit<BernoulliParameters> _fit;
    private readonly Func<RowSource, CancellationToken, BernoulliParameters> _initial;

    /// <summary>An estimator with these options (<see cref="BernoulliMixtureOptions.InitialParameters"/> is the start when given) and step power A.</summary>
    public OnlineBernoulliMixture(BernoulliMixtureOptions options, double stepPower)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        StepwiseFit<BernoulliParameters>.CheckStepPower(stepPower);
        Options = options;
        _initial = (batch, ct) => new BernoulliMixture(options with { MaxIterations = 0, InitialLabels = null }).Fit(batch, cancellationToken: ct).Parameters;
        _fit = new StepwiseFit<BernoulliParameters>(BernoulliStepwise.Instance, stepPower, options.ChunkRows, options.MaxDegreeOfParallelism);
    }

    /// <summary>Continues the stepwise fit that wrote <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model was not written by a stepwise fit.</exception>
    public static OnlineBernoulliMixture Resume(BernoulliMixtureModel model)
    {
        var (options, stepPower) = StepwiseFit<BernoulliParameters>.Resumable<BernoulliMixtureOptions>(model);
        var resumed = new OnlineBernoulliMixture(options, stepPower);
        resumed._fit.Resume(model, model.Parameters, model.Parameters.StatisticsLayout);
        return resumed;
    }

    /// <summary>The options of the fit.</summary>
    public BernoulliMixtureOptions Options { get; }

    /// <summary>Steps taken (batches seen, over every pass).</summary>
    public long Steps => _fit.State?.Steps ?? 0;

    /// <summary>Rows seen, over every pass.</summary>
    public long RowsSeen => _fit.State?.RowsSeen ?? 0;

    /// <summary>Mean log-likelihood per row of the rows seen in the current pass, each batch under the parameters before its step.</summary>
    public double RunningLowerBound => _fit.RunningLowerBound;

    /// <summary>The current model (null before the first batch).</summary>
    public BernoulliMixtureModel? Model => _fit.State is { } state ? ToModel(state.Parameters) : null;

    /// <summary>One step of stepwise EM on <paramref name="batch"/>; returns the model after the step.</summary>
    public BernoulliMixtureModel PartialFit(RowSource batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        BernoulliFamily.RequireBinary(batch);
        _fit.PartialFit(batch, b => _initial(b, cancellationToken), _fit.State?.Parameters.FeatureCount ?? 0, cancellationToken);
        return Model!;
    }

    /// <summary>Passes over <paramref name="data"/> in row order, in batches of <paramref name="batchRows"/>.</summary>
    public BernoulliMixtureModel Fit(RowSource data, int batchRows, int passes = 1, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        BernoulliFamily.RequireBinary(data);
        _fit.Fit(data, batchRows, passes, b => _initial(b, cancellationToken), p => p.FeatureCount, progress, cancellationToken);
        return Model!;
    }

    private BernoulliMixtureModel ToModel(BernoulliParameters p) =>
        new(p, _fit.FeatureNames ?? OnlineGaussianMixture.DefaultNames(p.FeatureCount), _fit.Report(Options), null, null) { StepwiseStatistics = _fit.Statistics };
}
