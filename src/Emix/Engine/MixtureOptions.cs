using System.Globalization;

namespace Emix;

/// <summary>
/// Options every family's EM fit has, with scikit-learn's defaults: component count, tolerance,
/// iterations, restarts, initialisation, seed, threads and chunking. Each family's options add
/// their own (<see cref="GaussianMixtureOptions"/> and the Poisson family's).
/// Immutable; <see cref="Validate"/> is the one place that checks them.
/// </summary>
public abstract record MixtureOptions
{
    /// <summary>Defaults, named once.</summary>
    public static class Defaults
    {
        /// <summary>scikit-learn's <c>n_components=1</c>.</summary>
        public const int ComponentCount = 1;
        /// <summary>scikit-learn's <c>tol=1e-3</c>.</summary>
        public const double Tolerance = 1e-3;
        /// <summary>scikit-learn's <c>reg_covar=1e-6</c> (Gaussian families).</summary>
        public const double RegCovar = 1e-6;
        /// <summary>mclust's inner tolerance <c>sqrt(.Machine$double.eps)</c> = 2⁻²⁶ (Gaussian constrained structures).</summary>
        public const double InnerTolerance = 1.4901161193847656e-08;
        /// <summary>scikit-learn's <c>max_iter=100</c>.</summary>
        public const int MaxIterations = 100;
        /// <summary>scikit-learn's <c>n_init=1</c>.</summary>
        public const int InitCount = 1;
        /// <summary>Emix seeds by default (scikit-learn does not) so that a fit is reproducible.</summary>
        public const long Seed = 0;
    }

    /// <summary>Number of mixture components k (scikit-learn <c>n_components</c>).</summary>
    public int ComponentCount { get; init; } = Defaults.ComponentCount;

    /// <summary>
    /// Convergence threshold on the change of the mean per-sample log-likelihood between
    /// iterations (scikit-learn <c>tol</c>). 0 runs exactly <see cref="MaxIterations"/> iterations.
    /// </summary>
    public double Tolerance { get; init; } = Defaults.Tolerance;

    /// <summary>Maximum EM iterations per run (scikit-learn <c>max_iter</c>).</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>Number of initialisations; the run with the best lower bound is kept (scikit-learn <c>n_init</c>).</summary>
    public int InitCount { get; init; } = Defaults.InitCount;

    /// <summary>Initialisation method (scikit-learn <c>init_params</c>); not used when <see cref="InitialLabels"/> are given.</summary>
    public InitMethod Init { get; init; } = InitMethod.KMeans;

    /// <summary>Settings of <see cref="InitMethod.Hierarchical"/>: merge model, variables, subset size, or a clustering already computed.</summary>
    public HierarchicalInitOptions Hierarchical { get; init; } = new();

    /// <summary>
    /// A starting partition: one 0-based component per row of the data. Each run then starts with one
    /// M-step from these hard labels (mclust's <c>me(z = unmap(labels))</c>): with <see cref="MaxIterations"/> = N and
    /// <see cref="Tolerance"/> = 0 the fitted parameters come from N + 1 M-steps. Checked against the data at the fit:
    /// one label per row, each in 0..k−1, and every component with at least one row.
    /// </summary>
    public IReadOnlyList<int>? InitialLabels { get; init; }

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
    /// k-means and k-means++ initialisation run on at most this many rows, drawn uniformly and held
    /// in memory (all rows when there are fewer, which is scikit-learn's behaviour, read chunk by
    /// chunk from the source like EM: no copy); k-means then assigns every row to its nearest
    /// centre. Bounds initialisation cost and memory on large data.
    /// </summary>
    public int InitSampleRows { get; init; } = Initialization.Initializer.DefaultSampleRows;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public virtual void Validate()
    {
        if (ComponentCount < 1)
            Fail(nameof(ComponentCount), ComponentCount, "must be at least 1.");
        if (!Enum.IsDefined(Init))
            Fail(nameof(Init), Init, "unknown init method.");
        ArgumentNullException.ThrowIfNull(Hierarchical);
        Hierarchical.Validate();
        if (!(Tolerance >= 0) || double.IsPositiveInfinity(Tolerance))
            Fail(nameof(Tolerance), Tolerance, "must be a finite number >= 0.");
        if (MaxIterations < 0)
            Fail(nameof(MaxIterations), MaxIterations, "must be >= 0.");
        if (InitCount < 1)
            Fail(nameof(InitCount), InitCount, "must be at least 1.");
        if (MaxDegreeOfParallelism is < 1)
            Fail(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "must be at least 1 (or null for all cores).");
        if (InitSampleRows < 1)
            Fail(nameof(InitSampleRows), InitSampleRows, "must be at least 1.");
        if (ChunkRows < 1)
            Fail(nameof(ChunkRows), ChunkRows, "must be at least 1.");
    }

    /// <summary>Throws the <see cref="ArgumentException"/> of an invalid option.</summary>
    protected static void Fail(string name, object? value, string rule) =>
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} = {value}: {rule}"), name);
}
