using System.Globalization;

namespace Emix;

/// <summary>
/// Options of a Gaussian mixture fit, with scikit-learn's <c>GaussianMixture</c> defaults.
/// Immutable; <see cref="Validate"/> is the one place that checks them.
/// </summary>
public sealed record GaussianMixtureOptions
{
    /// <summary>Defaults, named once.</summary>
    public static class Defaults
    {
        /// <summary>scikit-learn's <c>n_components=1</c>.</summary>
        public const int ComponentCount = 1;
        /// <summary>scikit-learn's <c>tol=1e-3</c>.</summary>
        public const double Tolerance = 1e-3;
        /// <summary>scikit-learn's <c>reg_covar=1e-6</c>.</summary>
        public const double RegCovar = 1e-6;
        /// <summary>scikit-learn's <c>max_iter=100</c>.</summary>
        public const int MaxIterations = 100;
        /// <summary>scikit-learn's <c>n_init=1</c>.</summary>
        public const int InitCount = 1;
        /// <summary>Emix seeds by default (scikit-learn does not) so that a fit is reproducible.</summary>
        public const long Seed = 0;
    }

    /// <summary>Number of mixture components k (scikit-learn <c>n_components</c>).</summary>
    public int ComponentCount { get; init; } = Defaults.ComponentCount;

    /// <summary>Covariance structure (scikit-learn <c>covariance_type</c>).</summary>
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;

    /// <summary>
    /// Convergence threshold on the change of the mean per-sample log-likelihood between
    /// iterations (scikit-learn <c>tol</c>). 0 runs exactly <see cref="MaxIterations"/> iterations.
    /// </summary>
    public double Tolerance { get; init; } = Defaults.Tolerance;

    /// <summary>Non-negative value added to the diagonal of every covariance (scikit-learn <c>reg_covar</c>).</summary>
    public double RegCovar { get; init; } = Defaults.RegCovar;

    /// <summary>Maximum EM iterations per run (scikit-learn <c>max_iter</c>).</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>Number of initialisations; the run with the best lower bound is kept (scikit-learn <c>n_init</c>).</summary>
    public int InitCount { get; init; } = Defaults.InitCount;

    /// <summary>Initialisation method (scikit-learn <c>init_params</c>).</summary>
    public InitMethod Init { get; init; } = InitMethod.KMeans;

    /// <summary>
    /// User-given initial weights, means and precisions or covariances (any subset), as
    /// scikit-learn's <c>weights_init</c>, <c>means_init</c>, <c>precisions_init</c>.
    /// </summary>
    public InitialParameters? InitialParameters { get; init; }

    /// <summary>Parameters left as given in <see cref="InitialParameters"/> while EM fits the rest; null frees all.</summary>
    public FrozenParameters? Frozen { get; init; }

    /// <summary>What to do when a component collapses (default: fail, as scikit-learn).</summary>
    public CollapsePolicy OnCollapse { get; init; } = CollapsePolicy.Error;

    /// <summary>Seed of every random draw of the fit. The same seed, data and options give the same bits.</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>Threads used by the E-step; null uses every core. The result does not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// Rows per chunk of the E-step. Chunk boundaries, not threads, fix the order of summation,
    /// so this (unlike the thread count) can change the last bits of a result.
    /// </summary>
    public int ChunkRows { get; init; } = Engine.Chunking.DefaultChunkRows;

    /// <summary>
    /// k-means and k-means++ initialisation run on at most this many rows, drawn uniformly
    /// (all rows when there are fewer, which is scikit-learn's behaviour); k-means then assigns
    /// every row to its nearest centre. Bounds initialisation cost and memory on large data.
    /// </summary>
    public int InitSampleRows { get; init; } = Initialization.Initializer.DefaultSampleRows;

    /// <summary>
    /// Which E-step kernel runs (default: the fastest supported, or the one named by the
    /// <c>EMIX_KERNEL</c> environment variable). Variants agree to rounding, not to the bit.
    /// </summary>
    public Families.Gaussian.Kernels.KernelVariant Kernel { get; init; } = Families.Gaussian.Kernels.KernelVariant.Auto;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Fail(string name, object value, string rule) =>
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{name} = {value}: {rule}"), name);

        if (ComponentCount < 1)
            Fail(nameof(ComponentCount), ComponentCount, "must be at least 1.");
        if (!Enum.IsDefined(CovarianceType))
            Fail(nameof(CovarianceType), CovarianceType, "unknown covariance type.");
        if (!Enum.IsDefined(Init))
            Fail(nameof(Init), Init, "unknown init method.");
        if (!(Tolerance >= 0) || double.IsPositiveInfinity(Tolerance))
            Fail(nameof(Tolerance), Tolerance, "must be a finite number >= 0.");
        if (!(RegCovar >= 0) || double.IsPositiveInfinity(RegCovar))
            Fail(nameof(RegCovar), RegCovar, "must be a finite number >= 0.");
        if (MaxIterations < 0)
            Fail(nameof(MaxIterations), MaxIterations, "must be >= 0.");
        if (InitCount < 1)
            Fail(nameof(InitCount), InitCount, "must be at least 1.");
        if (MaxDegreeOfParallelism is < 1)
            Fail(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "must be at least 1 (or null for all cores).");
        if (InitSampleRows < 1)
            Fail(nameof(InitSampleRows), InitSampleRows, "must be at least 1.");
        if (!Enum.IsDefined(Kernel))
            Fail(nameof(Kernel), Kernel, "unknown kernel variant.");
        if (ChunkRows < 1)
            Fail(nameof(ChunkRows), ChunkRows, "must be at least 1.");
        if (!Enum.IsDefined(OnCollapse))
            Fail(nameof(OnCollapse), OnCollapse, "unknown collapse policy.");
        if (Frozen is { } frozen)
        {
            if (frozen.PerComponent is { } per && per.Count != ComponentCount)
                Fail(nameof(Frozen), per.Count, $"per-component frozen kinds need one entry per component ({ComponentCount}).");
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
