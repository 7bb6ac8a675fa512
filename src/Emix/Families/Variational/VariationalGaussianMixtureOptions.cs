namespace Emix;

/// <summary>The prior on the mixing weights of a variational Gaussian mixture (scikit-learn's <c>weight_concentration_prior_type</c>).</summary>
public enum WeightPrior
{
    /// <summary>A Dirichlet process (stick-breaking, truncated at k): switches off the components it does not need ("dirichlet_process").</summary>
    Process,

    /// <summary>A Dirichlet distribution ("dirichlet_distribution").</summary>
    Distribution,
}

/// <summary>
/// Options of a variational Bayesian Gaussian mixture fit, with scikit-learn's
/// <c>BayesianGaussianMixture</c> defaults: those of every family, the covariance structure and
/// reg_covar, and the priors (each null takes scikit-learn's default from the data).
/// </summary>
public sealed record VariationalGaussianMixtureOptions : MixtureOptions
{
    /// <summary>Covariance structure (scikit-learn <c>covariance_type</c>).</summary>
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;

    /// <summary>Non-negative value added to the diagonal of every sample covariance in the M-step (scikit-learn <c>reg_covar</c>).</summary>
    public double RegCovar { get; init; } = Defaults.RegCovar;

    /// <summary>The prior on the weights (default: a Dirichlet process).</summary>
    public WeightPrior WeightPrior { get; init; } = WeightPrior.Process;

    /// <summary>The weight concentration prior (γ of the process, α of the distribution) &gt; 0; null: 1/k.</summary>
    public double? WeightConcentration { get; init; }

    /// <summary>The precision prior of the means (β₀) &gt; 0; null: 1.</summary>
    public double? MeanPrecision { get; init; }

    /// <summary>The prior mean of the means (m₀, d values); null: the data mean.</summary>
    public IReadOnlyList<double>? MeanPrior { get; init; }

    /// <summary>The degrees-of-freedom prior of the precisions (ν₀) &gt; d − 1; null: d.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>
    /// The covariance prior (Ψ₀) in the structure's shape flattened: full and tied d × d, diagonal d,
    /// spherical 1; null: the data's covariance as scikit-learn computes it (ddof 1; for diagonal the
    /// variances, for spherical their mean).
    /// </summary>
    public IReadOnlyList<double>? CovariancePrior { get; init; }

    /// <summary>Which E-step kernel runs (as <see cref="GaussianMixtureOptions.Kernel"/>).</summary>
    public Families.Gaussian.Kernels.KernelVariant Kernel { get; init; } = Families.Gaussian.Kernels.KernelVariant.Auto;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(CovarianceType))
            Fail(nameof(CovarianceType), CovarianceType, "unknown covariance type.");
        if (!CovarianceType.IsScikitType())
            Fail(nameof(CovarianceType), CovarianceType, "the variational fit has scikit-learn's four structures only (full, tied, diag, spherical).");
        if (!Enum.IsDefined(WeightPrior))
            Fail(nameof(WeightPrior), WeightPrior, "unknown weight prior.");
        if (!(RegCovar >= 0) || double.IsPositiveInfinity(RegCovar))
            Fail(nameof(RegCovar), RegCovar, "must be a finite number >= 0.");
        if (WeightConcentration is { } gamma && !(gamma > 0 && double.IsFinite(gamma)))
            Fail(nameof(WeightConcentration), gamma, "must be a finite number > 0.");
        if (MeanPrecision is { } beta && !(beta > 0 && double.IsFinite(beta)))
            Fail(nameof(MeanPrecision), beta, "must be a finite number > 0.");
        if (DegreesOfFreedom is { } nu && !double.IsFinite(nu))
            Fail(nameof(DegreesOfFreedom), nu, "must be a finite number > d − 1.");
        if (!Enum.IsDefined(Kernel))
            Fail(nameof(Kernel), Kernel, "unknown kernel variant.");
    }
}
