namespace Emix;

/// <summary>Kinds of mixture parameters, combinable: <c>Weights | Means</c>.</summary>
[Flags]
public enum ParameterKinds
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Mixing weights.</summary>
    Weights = 1,
    /// <summary>Component means.</summary>
    Means = 2,
    /// <summary>Covariances (for tied: the one shared covariance, so all components or none).</summary>
    Covariances = 4,
}

/// <summary>
/// Parameters EM leaves as given (from <see cref="GaussianMixtureOptions.InitialParameters"/>)
/// while it maximises the likelihood over the rest, as the seed tutorial's EM "constrained to just
/// the distribution means". Every frozen kind must be given in the initial parameters.
/// </summary>
/// <remarks>
/// The M-step stays exact given the frozen part: covariances of a component with a frozen mean are
/// estimated around that mean (not around the weighted average of its rows), and free weights share
/// 1 − Σ(frozen weights) in proportion to their responsibilities.
/// </remarks>
public sealed record FrozenParameters
{
    /// <summary>Kinds frozen for every component.</summary>
    public ParameterKinds AllComponents { get; init; }

    /// <summary>Kinds frozen per component (k entries), added to <see cref="AllComponents"/>; null for none.</summary>
    public IReadOnlyList<ParameterKinds>? PerComponent { get; init; }

    /// <summary>The kinds frozen for component <paramref name="component"/>.</summary>
    public ParameterKinds For(int component) =>
        AllComponents | (PerComponent is { } per && component < per.Count ? per[component] : ParameterKinds.None);

    /// <summary>The same kinds frozen for every component.</summary>
    public static FrozenParameters All(ParameterKinds kinds) => new() { AllComponents = kinds };
}

/// <summary>What a fit does when a component collapses (its covariance is no longer positive definite).</summary>
public enum CollapsePolicy
{
    /// <summary>Stop with <see cref="NumericalFailureException"/>, as scikit-learn (the default).</summary>
    Error,
    /// <summary>
    /// Restart the component at the row the mixture explains worst, with the data's per-feature
    /// variances as covariance and weight 1/k (weights renormalised). After
    /// <see cref="CollapseEvent.MaxReseeds"/> reseeds in one run further collapses are dropped.
    /// </summary>
    Reseed,
    /// <summary>Remove the component and go on with k − 1 (weights renormalised).</summary>
    Drop,
}

/// <summary>One collapsed component and what was done about it, recorded in the fit report and model file.</summary>
/// <param name="Iteration">EM iteration whose M-step collapsed it (0: the initialisation).</param>
/// <param name="Component">The component's index (0-based) among the components alive at that moment.</param>
/// <param name="Action">Reseed or drop.</param>
/// <param name="Row">For a reseed: the row (0-based) the component restarted at; otherwise -1.</param>
public sealed record CollapseEvent(int Iteration, int Component, CollapsePolicy Action, long Row)
{
    /// <summary>Reseeds allowed per run before collapses are dropped instead (a component that keeps collapsing would loop).</summary>
    public const int MaxReseeds = 10;
}
