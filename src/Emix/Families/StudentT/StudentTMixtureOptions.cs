namespace Emix;

/// <summary>
/// Options of a Student-t mixture fit (ECM of Peel and McLachlan 2000): those of every family
/// (<see cref="MixtureOptions"/>), the scale structure (full or diagonal), the regularisation added to
/// every scale's diagonal after each M-step, and the degrees of freedom: estimated per component
/// (starting from <see cref="InitialDegreesOfFreedom"/>) unless <see cref="DegreesOfFreedom"/> fixes them.
/// </summary>
public sealed record StudentTMixtureOptions : MixtureOptions
{
    /// <summary>The default starting ν, 30 (close to Gaussian, so the first iterations act as a Gaussian fit would).</summary>
    public const double DefaultInitialDegreesOfFreedom = 30;

    /// <summary>Structure of the scale matrices: <see cref="CovarianceType.Full"/> (default) or <see cref="CovarianceType.Diagonal"/>.</summary>
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;

    /// <summary>
    /// Non-negative value added to the diagonal of every scale matrix after each M-step (default
    /// 1e-6, as the Gaussian family); 0 gives Peel and McLachlan's M-step exactly.
    /// </summary>
    public double RegCovar { get; init; } = Defaults.RegCovar;

    /// <summary>ν for every component, kept fixed (then not a free parameter); null estimates ν per component.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>ν of every component at the start, when estimated (default 30).</summary>
    public double InitialDegreesOfFreedom { get; init; } = DefaultInitialDegreesOfFreedom;

    /// <summary>Which E-step kernel runs (as <see cref="GaussianMixtureOptions.Kernel"/>).</summary>
    public Families.Gaussian.Kernels.KernelVariant Kernel { get; init; } = Families.Gaussian.Kernels.KernelVariant.Auto;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (CovarianceType is not (CovarianceType.Full or CovarianceType.Diagonal))
            Fail(nameof(CovarianceType), CovarianceType, "the Student-t family takes full or diag scale matrices.");
        if (!(RegCovar >= 0) || double.IsPositiveInfinity(RegCovar))
            Fail(nameof(RegCovar), RegCovar, "must be a finite number >= 0.");
        if (DegreesOfFreedom is { } nu && !(nu > 0 && double.IsFinite(nu)))
            Fail(nameof(DegreesOfFreedom), nu, "must be a finite number > 0.");
        if (!(InitialDegreesOfFreedom >= Families.StudentT.DegreesOfFreedomEquation.Lower && InitialDegreesOfFreedom <= Families.StudentT.DegreesOfFreedomEquation.Upper))
            Fail(nameof(InitialDegreesOfFreedom), InitialDegreesOfFreedom,
                $"must be in [{Families.StudentT.DegreesOfFreedomEquation.Lower}, {Families.StudentT.DegreesOfFreedomEquation.Upper}], the range ν is estimated in.");
        if (!Enum.IsDefined(Kernel))
            Fail(nameof(Kernel), Kernel, "unknown kernel variant.");
    }
}
