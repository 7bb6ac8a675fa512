namespace Emix;

/// <summary>
/// Progress of a fit, reported after every EM iteration.
/// </summary>
/// <param name="Run">1-based initialisation (of <see cref="MixtureOptions.InitCount"/>).</param>
/// <param name="Iteration">1-based iteration within the run.</param>
/// <param name="LowerBound">Mean per-sample log-likelihood of the parameters before this iteration's M-step.</param>
/// <param name="Change">Change of the lower bound from the previous iteration (infinite on the first).</param>
public readonly record struct FitProgress(int Run, int Iteration, double LowerBound, double Change)
{
    /// <summary>Rows seen so far by a stepwise fit (where <see cref="Iteration"/> counts steps and <see cref="Run"/> passes); 0 for batch EM.</summary>
    public long RowsSeen { get; init; }
}
