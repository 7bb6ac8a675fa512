using System.Globalization;
using Emix.Statistics;

namespace Emix.Engine;

/// <summary>
/// What a family's fit gives stepwise EM: statistics whose M-step is given parameters, and the M-step.
/// Any family whose M-step reads statistics can be fitted stepwise.
/// </summary>
internal interface IStepwiseEstimation<TParameters>
    where TParameters : class
{
    /// <summary>The family whose parameters this fit estimates.</summary>
    IMixtureFamily<TParameters> Family { get; }

    /// <summary>
    /// s₀ for parameters θ₀, per-row normalised (nk sums to 1): for a Gaussian component w_j, w_j·μ_j,
    /// w_j·(Σ_j + μ_jμ_jᵀ) — in the layout of an E-step under θ₀, around its centres.
    /// </summary>
    MixtureStatistics StatisticsOf(TParameters p);

    /// <summary>θ = M(s), with the family's regularisation.</summary>
    TParameters MStep(MixtureStatistics statistics, TParameters previous);
}

/// <summary>Where a stepwise fit stands: θ_t, s_t, the steps taken and the rows seen.</summary>
internal sealed record StepwiseState<TParameters>(TParameters Parameters, MixtureStatistics Statistics, long Steps, long RowsSeen)
    where TParameters : class;

/// <summary>
/// Stepwise (online) EM, Cappé and Moulines (2009): for batch t (t = 0, 1, … over every pass),
/// s̄_t = the per-row mean statistics of the batch under θ_{t−1}, s_t = (1 − γ_t)·s_{t−1} + γ_t·s̄_t with
/// γ_t = (t + 2)^(−A), and θ_t = M(s_t). s_{−1} = s₀ is formed from the initial parameters as given,
/// whose E-step is the first. Statistics of different steps are gathered around different centres
/// (each E-step's means) and combine through <see cref="MixtureStatistics.Add"/>, which re-centres.
/// </summary>
internal static class StepwiseDriver
{
    /// <summary>γ_t = (t + 2)^(−A).</summary>
    public static double StepSize(long step, double power) => Math.Pow(step + 2, -power);

    /// <summary>The state before any batch: θ₀ and s₀.</summary>
    public static StepwiseState<TParameters> Start<TParameters>(IStepwiseEstimation<TParameters> estimation, TParameters initial)
        where TParameters : class =>
        new(initial, estimation.StatisticsOf(initial), 0, 0);

    /// <summary>
    /// One step on <paramref name="batch"/> (all its rows, whatever their number); returns the next
    /// state and Σ wᵢ·log p(xᵢ) of the batch under the parameters before the step.
    /// </summary>
    /// <exception cref="NumericalFailureException">The batch's log-likelihood is not finite.</exception>
    public static (StepwiseState<TParameters> Next, double LogLikelihood) Step<TParameters>(IStepwiseEstimation<TParameters> estimation,
        StepwiseState<TParameters> state, RowSource batch, double power, int chunkRows, int? threads, CancellationToken cancellationToken)
        where TParameters : class
    {
        var mean = Passes.EStep(estimation.Family, batch, state.Parameters, chunkRows, threads, cancellationToken);
        double logLikelihood = mean.LogLikelihood;
        if (!double.IsFinite(logLikelihood))
        {
            throw new NumericalFailureException(string.Create(CultureInfo.InvariantCulture,
                $"{batch.Source}: the log-likelihood of a batch is {logLikelihood} at step {state.Steps + 1}: the densities under/overflow double precision. Scale the input data."));
        }
        double gamma = StepSize(state.Steps, power);
        mean.Scale(gamma / batch.TotalWeight);
        if (gamma != 1)
        {
            var previous = state.Statistics.Copy();
            previous.Scale(1 - gamma);
            mean.Add(previous);
        }
        var next = estimation.MStep(mean, state.Parameters);
        return (new StepwiseState<TParameters>(next, mean, state.Steps + 1, state.RowsSeen + batch.RowCount), logLikelihood);
    }
}
