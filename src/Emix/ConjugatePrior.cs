using System.Globalization;

namespace Emix;

/// <summary>
/// mclust's conjugate prior on the component means and covariances (Fraley and Raftery 2007,
/// "Bayesian regularization for normal mixture estimation and model-based clustering"): EM then
/// finds the posterior mode (MAP) instead of the maximum-likelihood estimate. Each hyperparameter
/// left null takes the value of mclust's <c>defaultPrior</c> for the data, the component count and
/// the structure; <see cref="Default"/> is <c>priorControl()</c>.
/// </summary>
/// <remarks>
/// mclust has a MAP M-step for EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV and VVV (and E, V in one
/// dimension); for VEE, EVE, VVE and EVV it has none and neither has Emix (see <see cref="Supports"/>).
/// The fitted model's log-likelihood is the plain one at the MAP parameters, and its BIC is computed from
/// it as without a prior, as mclust's <c>bic()</c> does.
/// </remarks>
public sealed record ConjugatePrior
{
    /// <summary>mclust's <c>priorControl()</c>: every hyperparameter as <c>defaultPrior</c> computes it.</summary>
    public static ConjugatePrior Default { get; } = new();

    /// <summary>
    /// κ, the prior's weight on the prior mean in units of rows (mclust's <c>shrinkage</c>, default 0.01):
    /// component j's mean is (n_j·x̄_j + κ·μ_p) / (n_j + κ). 0 leaves the means at the sample means.
    /// </summary>
    public double Shrinkage { get; init; } = 0.01;

    /// <summary>μ_p, the prior mean (d values); null: the column means of the data (mclust's default).</summary>
    public IReadOnlyList<double>? Mean { get; init; }

    /// <summary>ν_p, the degrees of freedom of the inverse-gamma / inverse-Wishart part; null: d + 2 (3 in one dimension), mclust's default.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>
    /// The prior scale: one value for the spherical and diagonal structures (EII, VII, EEI, VEI, EVI, VVI,
    /// and E, V in one dimension), a d×d matrix in row-major order for the ellipsoidal ones (EEE, EEV, VEV,
    /// VVV). Null: mclust's default, (1/k)^(2/d)·Σ_a var_a / d, or (1/k)^(2/d)·the covariance matrix of the data
    /// (its diagonal when n ≤ d), or var/k² in one dimension, every variance with divisor n − 1.
    /// </summary>
    public IReadOnlyList<double>? Scale { get; init; }

    /// <summary>Whether mclust (and so Emix) has a MAP M-step for <paramref name="type"/> with this prior: all but VEE, EVE, VVE and EVV.</summary>
    public static bool Supports(CovarianceType type) => type is not (CovarianceType.EllipsoidalVariableVolume or CovarianceType.EllipsoidalVariableShape
        or CovarianceType.EllipsoidalEqualOrientation or CovarianceType.EllipsoidalEqualVolume);

    /// <summary>The message for a structure <see cref="Supports"/> refuses, as mclust's "model is not available with prior".</summary>
    internal static string NotAvailableMessage(CovarianceType type) => string.Create(CultureInfo.InvariantCulture,
        $"the {type.ToMclustCode()} model is not available with the conjugate prior (as in mclust); it is available for EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV and VVV.");

    /// <summary>The refusal of <paramref name="type"/> (one the prior does not support), for messages outside the library.</summary>
    public static string NotAvailableMessageFor(CovarianceType type) => NotAvailableMessage(type);

    /// <summary>Checks the given hyperparameters (those left null are always valid).</summary>
    internal void Validate()
    {
        if (!(Shrinkage >= 0) || double.IsPositiveInfinity(Shrinkage))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Prior.Shrinkage = {Shrinkage}: must be a finite number >= 0."), nameof(Shrinkage));
        if (DegreesOfFreedom is { } dof && (!(dof > 0) || double.IsPositiveInfinity(dof)))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Prior.DegreesOfFreedom = {dof}: must be a finite number > 0."), nameof(DegreesOfFreedom));
        if (Mean is { } mean && mean.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("Prior.Mean: every value must be finite.", nameof(Mean));
        if (Scale is { } scale && scale.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("Prior.Scale: every value must be finite.", nameof(Scale));
    }
}
