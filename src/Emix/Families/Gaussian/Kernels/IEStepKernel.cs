using Emix.Families.Gaussian;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// The per-chunk work of an EM iteration. Glossary: n = rows in the chunk, k = components,
/// d = features, r = responsibility.
/// </summary>
internal interface IEStepKernel
{
    /// <summary>Scratch for one thread; reused for every chunk it runs.</summary>
    object CreateScratch(int chunkRows, GaussianParameters p);

    /// <summary>
    /// The fused E-step of one chunk: adds Σ log p(x_i), nk, Σ r·(x − μ) and the structure's
    /// second moments (centred on the means of <paramref name="p"/>) into <paramref name="stats"/>.
    /// With <paramref name="weights"/> (one per row; empty means every row weighs 1) every row's
    /// contributions are multiplied by its weight, Σ log p(x_i) included: weighted EM.
    /// </summary>
    void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, GaussianStatisticsLayout layout, Span<double> stats, object scratch);

    /// <summary>Writes log r_ij (n×k, row-major) and log p(x_i) (n, optional); returns Σ log p(x_i).</summary>
    double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch);

    /// <summary>
    /// Writes each row's most probable component into <paramref name="labels"/> (n): the first index of
    /// the largest log r_ij, exactly as <see cref="Engine.Passes.MostProbable"/> picks it from the row that
    /// <see cref="LogResponsibilities"/> writes; log p(x_i) into <paramref name="logNorm"/> (n, optional).
    /// Returns Σ log p(x_i). No n×k output: the pass of predictions and cluster sizes.
    /// </summary>
    double MostProbable(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch);
}
