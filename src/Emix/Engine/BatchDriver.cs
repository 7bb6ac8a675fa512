using System.Globalization;

namespace Emix.Engine;

/// <summary>
/// Batch EM, as scikit-learn's <c>BaseMixture.fit_predict</c>: restarts, warm start, tolerance,
/// maximum iterations, the best run, the lower-bound history, progress, cancellation and the final
/// E-step. It knows no family: a step is the E-step pass of <see cref="Passes.EStep"/> and the
/// estimation's M-step.
/// </summary>
internal static class BatchDriver
{
    /// <summary>Settings of the loop and its passes.</summary>
    public readonly record struct Settings(int MaxIterations, double Tolerance, int InitCount, int ChunkRows, int? Threads);

    /// <summary>The kept run, and the final E-step at its parameters.</summary>
    public sealed record Result<TParameters>(
        TParameters Parameters,
        double LowerBound,
        IReadOnlyList<double> LowerBoundHistory,
        int Iterations,
        bool Converged,
        int BestRun)
    {
        /// <summary>Σ wᵢ·log p(xᵢ) of the training rows at <see cref="Parameters"/> (the final E-step).</summary>
        public double LogLikelihood { get; init; } = double.NaN;

        /// <summary>Rows whose most probable component is each j at <see cref="Parameters"/> (the final E-step).</summary>
        public int[] ClusterSizes { get; init; } = [];
    }

    /// <summary>
    /// Fits by EM: <paramref name="estimation"/> gives each run's start and the M-step; the E-step
    /// passes go over <paramref name="data"/>. With <paramref name="warmStart"/>, a single run resumes
    /// from those parameters and lower bound (scikit-learn's warm_start). The lower bound is the mean
    /// log-likelihood Σ wᵢ·log p(xᵢ) / Σ wᵢ of the parameters before each M-step.
    /// </summary>
    /// <exception cref="NumericalFailureException">A log-likelihood or a kept parameter is not finite.</exception>
    public static Result<TParameters> Fit<TParameters>(
        IMixtureEstimation<TParameters> estimation,
        RowSource data,
        Settings settings,
        (TParameters Parameters, double LowerBound)? warmStart,
        IProgress<FitProgress>? progress,
        CancellationToken cancellationToken)
        where TParameters : class
    {
        var family = estimation.Family;
        (TParameters, double) Step(TParameters p)
        {
            var statistics = Passes.EStep(family, data, p, settings.ChunkRows, settings.Threads, cancellationToken);
            double lowerBound = statistics.LogLikelihood / data.TotalWeight;
            if (!double.IsFinite(lowerBound))
            {
                // A NaN or infinite likelihood would poison the M-step and end up in the model: stop here.
                throw new NumericalFailureException(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Source}: the log-likelihood is {lowerBound} at an EM iteration: the densities under/overflow double precision. {estimation.NonFiniteAdvice}"));
            }
            var next = estimation.MStep(statistics, p);
            if (estimation is IBoundAfterMStep<TParameters> bound)
            {
                lowerBound = bound.LowerBound(statistics, p, next);
                if (!double.IsFinite(lowerBound))
                    throw new NumericalFailureException(string.Create(CultureInfo.InvariantCulture,
                        $"{data.Source}: the variational lower bound is {lowerBound} at an iteration. {estimation.NonFiniteAdvice}"));
            }
            return (next, lowerBound);
        }

        if (warmStart is not null)
            estimation.StartWarmRun();
        var result = Run(settings, estimation.Initialize, Step, warmStart, progress, cancellationToken);
        if (!family.IsFinite(result.Parameters))
        {
            throw new NumericalFailureException(
                $"The fit produced a non-finite parameter (NaN or infinity). {NumericalFailureException.CollapseAdvice}");
        }

        // The final E-step of scikit-learn's fit: cluster sizes and the log-likelihood of the kept parameters.
        var sizes = new int[family.ComponentCount(result.Parameters)];
        double logLikelihood = Passes.LogLikelihood(family, data, result.Parameters, settings.Threads, sizes);
        return result with { LogLikelihood = logLikelihood, ClusterSizes = sizes };
    }

    /// <summary>The fit report of a kept run on <paramref name="data"/> with options <paramref name="options"/>.</summary>
    public static FitReport Report<TParameters>(Result<TParameters> result, RowSource data, MixtureOptions options) =>
        new(result.Converged, result.Iterations, result.LowerBound, result.LowerBoundHistory, data.RowCount, result.BestRun, options)
        {
            WeightTotal = data.IsWeighted ? data.TotalWeight : null,
            StartedFromLabels = options.InitialLabels is not null,
        };

    /// <summary>
    /// The loop itself. <paramref name="initialize"/> gives the starting parameters of run r;
    /// <paramref name="step"/> does one E-step and M-step and returns the lower bound of the parameters it was given.
    /// </summary>
    public static Result<TParameters> Run<TParameters>(
        Settings settings,
        Func<int, TParameters> initialize,
        Func<TParameters, (TParameters Next, double LowerBound)> step,
        (TParameters Parameters, double LowerBound)? warmStart,
        IProgress<FitProgress>? progress,
        CancellationToken cancellationToken)
    {
        int runs = warmStart is null ? settings.InitCount : 1;
        Result<TParameters>? best = null;
        for (int run = 0; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TParameters parameters = warmStart is { } ws ? ws.Parameters : initialize(run);
            double lowerBound = warmStart is { } w ? w.LowerBound : double.NegativeInfinity;
            var history = new List<double>();
            bool converged = false;
            int iteration = 0;
            while (iteration < settings.MaxIterations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                iteration++;
                double previous = lowerBound;
                (parameters, lowerBound) = step(parameters);
                history.Add(lowerBound);
                double change = lowerBound - previous;
                progress?.Report(new FitProgress(run + 1, iteration, lowerBound, change));
                if (Math.Abs(change) < settings.Tolerance)
                {
                    converged = true;
                    break;
                }
            }
            // scikit-learn keeps a run when its lower bound is larger, or when nothing is kept yet.
            if (best is null || lowerBound > best.LowerBound)
                best = new Result<TParameters>(parameters, lowerBound, history, iteration, converged, run + 1);
        }
        return best!;
    }
}
