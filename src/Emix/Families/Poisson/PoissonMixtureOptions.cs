namespace Emix;

/// <summary>
/// Options of a multivariate Poisson mixture fit: those of every family (<see cref="MixtureOptions"/>)
/// and optional starting parameters. Rows must hold counts (non-negative integers).
/// </summary>
public sealed record PoissonMixtureOptions : MixtureOptions
{
    /// <summary>Starting weights (k) and rates (k×d, row-major); when given, no initialisation is drawn.</summary>
    public PoissonParameterValues? InitialParameters { get; init; }
}

/// <summary>The parameters of a Poisson mixture as given by a user: weights (k, summing to 1) and rates λ (k×d, row-major, ≥ 0).</summary>
/// <param name="Weights">Mixing weights.</param>
/// <param name="Rates">Rates, component by component.</param>
public sealed record PoissonParameterValues(IReadOnlyList<double> Weights, IReadOnlyList<double> Rates);
