namespace Emix;

/// <summary>How a model was fitted. Absent (null) on a model built from given parameters.</summary>
/// <param name="Converged">Whether the kept run's lower bound changed by less than the tolerance.</param>
/// <param name="Iterations">EM iterations of the kept run.</param>
/// <param name="LowerBound">Mean per-sample log-likelihood of the parameters before the last M-step (scikit-learn's <c>lower_bound_</c>).</param>
/// <param name="LowerBoundHistory">The kept run's lower bound after each iteration.</param>
/// <param name="RowCount">Rows the model was fitted on.</param>
/// <param name="BestRun">Which of the initialisations was kept (1-based).</param>
/// <param name="Options">The options of the fit.</param>
public sealed record FitReport(
    bool Converged,
    int Iterations,
    double LowerBound,
    IReadOnlyList<double> LowerBoundHistory,
    int RowCount,
    int BestRun,
    MixtureOptions Options)
{
    /// <summary>For a stepwise (online) fit: its step power, steps and rows seen; null for batch EM.</summary>
    public StepwiseReport? Stepwise { get; init; }

    /// <summary>Whether each run started from given labels (<see cref="MixtureOptions.InitialLabels"/>, which the model file does not keep) instead of the init method.</summary>
    public bool StartedFromLabels { get; init; }

    /// <summary>Σ of the sample weights of a weighted fit (its effective n for BIC), or null when rows were unweighted.</summary>
    public double? WeightTotal { get; init; }

    /// <summary>Components of the kept run that collapsed and were reseeded or dropped (<see cref="GaussianMixtureOptions.OnCollapse"/>; Gaussian fits), in order.</summary>
    public IReadOnlyList<CollapseEvent> Collapses { get; init; } = [];
}

/// <summary>How far a stepwise (online) fit went.</summary>
/// <param name="StepPower">A of the step size γ_t = (t + 2)^(−A).</param>
/// <param name="Steps">Steps taken (batches, over every pass).</param>
/// <param name="RowsSeen">Rows seen, over every pass.</param>
public sealed record StepwiseReport(double StepPower, long Steps, long RowsSeen);
