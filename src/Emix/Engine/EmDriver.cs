namespace Emix.Engine;

/// <summary>
/// The EM loop, as scikit-learn's <c>BaseMixture.fit_predict</c>: restarts, warm start,
/// tolerance, maximum iterations, the best run, the lower-bound history, progress and
/// cancellation. It knows nothing of Gaussian algebra: a step maps parameters to the next
/// parameters and the lower bound of the parameters it was given.
/// </summary>
internal static class EmDriver
{
    /// <summary>Settings of the loop.</summary>
    public readonly record struct Settings(int MaxIterations, double Tolerance, int InitCount);

    /// <summary>The kept run.</summary>
    public sealed record Result<TParameters>(
        TParameters Parameters,
        double LowerBound,
        IReadOnlyList<double> LowerBoundHistory,
        int Iterations,
        bool Converged,
        int BestRun);

    /// <summary>
    /// Runs EM. <paramref name="initialize"/> gives the starting parameters of run r;
    /// <paramref name="step"/> does one E-step and M-step. With <paramref name="warmStart"/>,
    /// a single run resumes from those parameters and lower bound (scikit-learn's warm_start).
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
