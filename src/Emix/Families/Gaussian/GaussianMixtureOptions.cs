namespace Emix;

/// <summary>
/// Options of a Gaussian mixture fit, with scikit-learn's <c>GaussianMixture</c> defaults: those of
/// every family (<see cref="MixtureOptions"/>) and the covariance structure, regularisation, given
/// and frozen parameters, collapse policy and kernel.
/// </summary>
public sealed record GaussianMixtureOptions : MixtureOptions
{
    /// <summary>Covariance structure (scikit-learn <c>covariance_type</c>).</summary>
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;

    /// <summary>
    /// Relative change below which the inner iterations of the VEI, VEV, VEE, EVE and VVE M-steps stop
    /// (mclust's <c>emControl()$tol[2]</c>, default √ε = 1.49e-8, as mclust; each structure applies mclust's own
    /// test, see docs/covariance-structures.md). Other structures have no inner iterations.
    /// </summary>
    public double InnerTolerance { get; init; } = Families.Gaussian.InnerIterations.DefaultTolerance;

    /// <summary>Most inner iterations per M-step of the structures that iterate (mclust's <c>itmax[2]</c>; default no limit).</summary>
    public int MaxInnerIterations { get; init; } = int.MaxValue;

    /// <summary>
    /// Non-negative value added to the diagonal of every covariance (scikit-learn <c>reg_covar</c>); for the
    /// constrained structures (EII, EEI, …) added to each component's unconstrained estimate before the
    /// constraint, so that the result keeps its structure.
    /// </summary>
    public double RegCovar { get; init; } = Defaults.RegCovar;

    /// <summary>
    /// mclust's conjugate prior on the means and covariances (null: none, maximum likelihood): EM then finds the
    /// posterior mode. <see cref="ConjugatePrior.Default"/> is mclust's <c>priorControl()</c>. Available for the
    /// structures <see cref="ConjugatePrior.Supports"/> (all but VEE, EVE, VVE and EVV), without frozen means or covariances.
    /// </summary>
    public ConjugatePrior? Prior { get; init; }

    /// <summary>
    /// User-given initial weights, means and precisions or covariances (any subset), as
    /// scikit-learn's <c>weights_init</c>, <c>means_init</c>, <c>precisions_init</c>.
    /// </summary>
    public InitialParameters? InitialParameters { get; init; }

    /// <summary>Parameters left as given in <see cref="InitialParameters"/> while EM fits the rest; null frees all.</summary>
    public FrozenParameters? Frozen { get; init; }

    /// <summary>What to do when a component collapses (default: fail, as scikit-learn).</summary>
    public CollapsePolicy OnCollapse { get; init; } = CollapsePolicy.Error;

    /// <summary>
    /// Which E-step kernel runs (default: the fastest supported, or the one named by the
    /// <c>EMIX_KERNEL</c> environment variable). Variants agree to rounding, not to the bit.
    /// </summary>
    public Families.Gaussian.Kernels.KernelVariant Kernel { get; init; } = Families.Gaussian.Kernels.KernelVariant.Auto;

    /// <summary>
    /// Gaussian options carrying <paramref name="o"/>'s common options (k, init, labels, restarts, seed,
    /// threads, chunking): the start of families that begin as a Gaussian fit does (Student-t, variational).
    /// </summary>
    internal static GaussianMixtureOptions StartOf(MixtureOptions o, CovarianceType type, double regCovar, Families.Gaussian.Kernels.KernelVariant kernel) => new()
    {
        ComponentCount = o.ComponentCount, CovarianceType = type, RegCovar = regCovar, Init = o.Init, Hierarchical = o.Hierarchical, InitialLabels = o.InitialLabels, InitCount = o.InitCount,
        Seed = o.Seed, MaxDegreeOfParallelism = o.MaxDegreeOfParallelism, ChunkRows = o.ChunkRows, InitSampleRows = o.InitSampleRows, Kernel = kernel,
    };

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(CovarianceType))
            Fail(nameof(CovarianceType), CovarianceType, "unknown covariance type.");
        if (!(RegCovar >= 0) || double.IsPositiveInfinity(RegCovar))
            Fail(nameof(RegCovar), RegCovar, "must be a finite number >= 0.");
        if (!(InnerTolerance >= 0) || double.IsPositiveInfinity(InnerTolerance))
            Fail(nameof(InnerTolerance), InnerTolerance, "must be a finite number >= 0.");
        if (MaxInnerIterations < 0)
            Fail(nameof(MaxInnerIterations), MaxInnerIterations, "must be >= 0.");
        if (!Enum.IsDefined(Kernel))
            Fail(nameof(Kernel), Kernel, "unknown kernel variant.");
        if (!Enum.IsDefined(OnCollapse))
            Fail(nameof(OnCollapse), OnCollapse, "unknown collapse policy.");
        if (Prior is { } prior)
        {
            prior.Validate();
            if (!ConjugatePrior.Supports(CovarianceType))
                Fail(nameof(Prior), CovarianceType.ToMclustCode(), ConjugatePrior.NotAvailableMessage(CovarianceType));
            if (Frozen is { } f && Enumerable.Range(0, ComponentCount).Any(j => (f.For(j) & (ParameterKinds.Means | ParameterKinds.Covariances)) != 0))
                Fail(nameof(Prior), "conjugate", "a prior cannot be combined with frozen means or covariances.");
        }
        if (Frozen is { } frozen)
        {
            if (frozen.PerComponent is { } per && per.Count != ComponentCount)
                Fail(nameof(Frozen), per.Count, $"per-component frozen kinds need one entry per component ({ComponentCount}).");
            if (!CovarianceType.IsScikitType() && Enumerable.Range(0, ComponentCount).Any(j => frozen.For(j).HasFlag(ParameterKinds.Covariances)))
                Fail(nameof(Frozen), CovarianceType.ToMclustCode(), "frozen covariances are available with full, tied, diag and spherical only (a constrained structure ties the components' covariances together).");
            for (int j = 0; j < ComponentCount; j++)
            {
                var kinds = frozen.For(j);
                string? missing =
                    kinds.HasFlag(ParameterKinds.Weights) && InitialParameters?.Weights is null ? "weights"
                    : kinds.HasFlag(ParameterKinds.Means) && InitialParameters?.Means is null ? "means"
                    : kinds.HasFlag(ParameterKinds.Covariances) && InitialParameters is not { Covariances: not null } and not { Precisions: not null } ? "covariances"
                    : null;
                if (missing is not null)
                    Fail(nameof(Frozen), missing, $"frozen {missing} must be given as initial parameters (InitialParameters, --init-params).");
            }
        }
    }
}
