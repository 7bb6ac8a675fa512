using Emix.Engine;
using Emix.Families.Categorical;

namespace Emix;

/// <summary>
/// Categorical mixtures fitted by stepwise (online) EM, as <see cref="OnlineGaussianMixture"/>: s₀ = (w_j, w_j·π_ja)
/// from the start, then s_t = (1 − γ_t)·s_{t−1} + γ_t·s̄_t per batch, γ_t = (t + 2)^(−A). The levels are fixed at the
/// start: those of all rows for <see cref="Fit"/>, those of the first batch for <see cref="PartialFit"/>; a later
/// batch with another code is refused (its row and column named).
/// </summary>
public sealed class OnlineCategoricalMixture
{
    private readonly StepwiseFit<CategoricalParameters> _fit;
    private double[][]? _levels;

    /// <summary>An estimator with these options and step power A.</summary>
    public OnlineCategoricalMixture(CategoricalMixtureOptions options, double stepPower)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        StepwiseFit<CategoricalParameters>.CheckStepPower(stepPower);
        Options = options;
        _fit = new StepwiseFit<CategoricalParameters>(new CategoricalStepwise(options.PseudoCount), stepPower, options.ChunkRows, options.MaxDegreeOfParallelism);
    }

    /// <summary>Continues the stepwise fit that wrote <paramref name="model"/>, with the levels it fixed.</summary>
    /// <exception cref="ArgumentException">The model was not written by a stepwise fit.</exception>
    public static OnlineCategoricalMixture Resume(CategoricalMixtureModel model)
    {
        var (options, stepPower) = StepwiseFit<CategoricalParameters>.Resumable<CategoricalMixtureOptions>(model);
        var resumed = new OnlineCategoricalMixture(options, stepPower) { _levels = model.Parameters.Levels };
        resumed._fit.Resume(model, model.Parameters, model.Parameters.StatisticsLayout);
        return resumed;
    }

    /// <summary>The options of the fit.</summary>
    public CategoricalMixtureOptions Options { get; }

    /// <summary>Steps taken (batches seen, over every pass).</summary>
    public long Steps => _fit.State?.Steps ?? 0;

    /// <summary>Rows seen, over every pass.</summary>
    public long RowsSeen => _fit.State?.RowsSeen ?? 0;

    /// <summary>Mean log-likelihood per row of the rows seen in the current pass, each batch under the parameters before its step.</summary>
    public double RunningLowerBound => _fit.RunningLowerBound;

    /// <summary>The current model (null before the first batch).</summary>
    public CategoricalMixtureModel? Model => _fit.State is { } state ? ToModel(state.Parameters) : null;

    /// <summary>One step of stepwise EM on <paramref name="batch"/>; returns the model after the step.</summary>
    /// <exception cref="DataFormatException">A cell is not an integer, or not among the levels fixed at the start.</exception>
    public CategoricalMixtureModel PartialFit(RowSource batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_fit.State is { } state)
            CategoricalFamily.RequireKnownLevels(batch, state.Parameters);
        _fit.PartialFit(batch, b => Initial(b, cancellationToken), _fit.State?.Parameters.FeatureCount ?? 0, cancellationToken);
        return Model!;
    }

    /// <summary>Passes over <paramref name="data"/> in row order, in batches of <paramref name="batchRows"/>; the levels are those of all rows.</summary>
    public CategoricalMixtureModel Fit(RowSource data, int batchRows, int passes = 1, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        _levels ??= CategoricalFamily.FindLevels(data);
        _fit.Fit(data, batchRows, passes, b => Initial(b, cancellationToken), p => p.FeatureCount, progress, cancellationToken);
        return Model!;
    }

    /// <summary>θ₀: the batch estimator's start on the first batch (its init method and one M-step), with the levels fixed at the start.</summary>
    private CategoricalParameters Initial(RowSource firstBatch, CancellationToken cancellationToken)
    {
        FitInputs.RequireRows(firstBatch, Options.ComponentCount);
        var levels = _levels ??= CategoricalFamily.FindLevels(firstBatch);
        return new CategoricalEstimation(Options with { InitialLabels = null }, firstBatch, levels, cancellationToken).Initialize(0);
    }

    private CategoricalMixtureModel ToModel(CategoricalParameters p) =>
        new(p, _fit.FeatureNames ?? OnlineGaussianMixture.DefaultNames(p.FeatureCount), _fit.Report(Options), null, null) { StepwiseStatistics = _fit.Statistics };
}
