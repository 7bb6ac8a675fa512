namespace Emix;

/// <summary>
/// Initial parameters given by the user, any subset, as scikit-learn's <c>weights_init</c>,
/// <c>means_init</c> and <c>precisions_init</c>. Parameters that are absent come from the
/// initialisation method, as in scikit-learn (covariances are then estimated around the
/// responsibility-weighted means even when means are given).
/// </summary>
/// <remarks>
/// Covariances and precisions are flattened row-major in scikit-learn's shape for the covariance
/// type: full k×d×d, tied d×d, diagonal k×d, spherical k. Give one of the two, not both.
/// </remarks>
public sealed record InitialParameters
{
    /// <summary>k non-negative weights summing to 1.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>k×d means, row-major (row j is component j).</summary>
    public IReadOnlyList<double>? Means { get; init; }

    /// <summary>Covariances in scikit-learn's shape for the type, flattened row-major.</summary>
    public IReadOnlyList<double>? Covariances { get; init; }

    /// <summary>Precisions (inverse covariances) in scikit-learn's shape for the type, flattened row-major.</summary>
    public IReadOnlyList<double>? Precisions { get; init; }

    /// <summary>True when weights, means and covariances (or precisions) are all given: no random numbers are drawn.</summary>
    public bool IsComplete => Weights is not null && Means is not null && (Covariances is not null || Precisions is not null);
}
