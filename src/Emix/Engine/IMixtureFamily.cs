using Emix.Statistics;

namespace Emix.Engine;

/// <summary>
/// What the engine asks of a component family about parameters it has: the layout of their
/// statistics, a chunk's E-step and evaluation, and their size. Implementations are stateless
/// (one instance serves any number of fits and threads); <typeparamref name="TParameters"/> is the
/// family's immutable parameter set. Glossary: n = rows in a chunk, k = components, d = features.
/// </summary>
/// <remarks>
/// The driver, chunking, reduction tree, process group and row sources use only this contract and
/// <see cref="IMixtureEstimation{TParameters}"/>; docs/architecture.md says how to add a family.
/// </remarks>
internal interface IMixtureFamily<TParameters>
    where TParameters : class
{
    /// <summary>The family's name in messages, the CLI and the model file (gaussian, poisson).</summary>
    string Name { get; }

    /// <summary>Components k of <paramref name="p"/>.</summary>
    int ComponentCount(TParameters p);

    /// <summary>Where the statistics of an E-step under <paramref name="p"/> sit.</summary>
    StatisticsLayout Layout(TParameters p);

    /// <summary>The centres an E-step under <paramref name="p"/> gathers its statistics around (empty when not centred).</summary>
    ReadOnlySpan<double> Centres(TParameters p);

    /// <summary>A value equal for parameters whose scratch is interchangeable (shape and structure), so scratch can be pooled.</summary>
    object ScratchKey(TParameters p);

    /// <summary>Scratch for one thread; reused for every chunk it runs.</summary>
    object CreateScratch(int chunkRows, TParameters p);

    /// <summary>
    /// The E-step of one chunk: adds Σ wᵢ·log p(xᵢ), nk and the rest of the layout's statistics into
    /// <paramref name="statistics"/>. <paramref name="weights"/> (one per row; empty: every row weighs 1)
    /// multiply every contribution of their row.
    /// </summary>
    void Accumulate(TParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch);

    /// <summary>Writes log r_ij (n×k, row-major) and log p(x_i) (n, optional); returns Σ log p(x_i) in row order.</summary>
    double LogResponsibilities(TParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch);

    /// <summary>
    /// Writes each row's most probable component (the first largest log r_ij, as
    /// <see cref="Passes.MostProbable"/> picks it) and log p(x_i) (n, optional); returns Σ log p(x_i).
    /// </summary>
    double MostProbable(TParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch);

    /// <summary>Free parameters, as BIC and AIC count them (weights: k − 1).</summary>
    long FreeParameterCount(TParameters p);

    /// <summary>Whether every parameter is finite (the last guard before a result leaves a fit).</summary>
    bool IsFinite(TParameters p);
}

/// <summary>
/// One fit of a family, as the batch driver needs it: the run's initial parameters and the M-step
/// from merged statistics, with whatever the family's options add (regularisation, frozen parts,
/// collapse policies). One instance per fit; not shared between threads.
/// </summary>
internal interface IMixtureEstimation<TParameters>
    where TParameters : class
{
    /// <summary>The family whose parameters this fit estimates.</summary>
    IMixtureFamily<TParameters> Family { get; }

    /// <summary>Starting parameters of run <paramref name="run"/> (0-based), the random generator advanced as the family's init needs.</summary>
    TParameters Initialize(int run);

    /// <summary>Called once before a warm-started single run, in place of <see cref="Initialize"/>.</summary>
    void StartWarmRun();

    /// <summary>The M-step: the parameters that maximise the expected log-likelihood of <paramref name="statistics"/>, gathered under <paramref name="previous"/>.</summary>
    TParameters MStep(MixtureStatistics statistics, TParameters previous);

    /// <summary>What to try when a log-likelihood is not finite (one sentence).</summary>
    string NonFiniteAdvice { get; }
}

/// <summary>
/// An estimation whose lower bound is not the mean log-likelihood before the M-step but a bound
/// evaluated after it (variational EM: scikit-learn's BayesianGaussianMixture evaluates its bound on
/// the new parameters and the E-step's responsibilities). The driver uses it for the history and the tolerance.
/// </summary>
internal interface IBoundAfterMStep<TParameters>
    where TParameters : class
{
    /// <summary>The bound of <paramref name="next"/> (the M-step's result) with the E-step <paramref name="statistics"/> gathered under <paramref name="previous"/>.</summary>
    double LowerBound(MixtureStatistics statistics, TParameters previous, TParameters next);
}
