using Emix.Families.Gaussian;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// Rows per block of the SIMD kernel, a type argument so that the JIT folds the stride of the
/// feature-major arrays into every address as a constant.
/// </summary>
internal interface IBlockShape
{
    static abstract int Rows { get; }
}

/// <summary>128 rows: up to 16 features a block's feature-major copies (d KiB each) stay in L1.</summary>
internal readonly struct Block128 : IBlockShape
{
    public static int Rows => 128;
}

/// <summary>
/// 64 rows, above 16 features: at 128 rows the copies a component's pass works on (x, x − μ and
/// r·(x − μ), 32 KiB each for d = 32) are twice L1 (48 KiB); measured single-thread on W3 (d = 32),
/// log-densities 271–281 ns per row against 338–347 at 128 and a whole chunk 715–744 against 824–831;
/// at d = 16 and 8, 128 rows are the faster.
/// </summary>
internal readonly struct Block64 : IBlockShape
{
    public static int Rows => 64;
}

/// <summary>The SIMD kernel of one vector width, with the block shape that suits d.</summary>
internal sealed class SimdEStepKernel<TVector, TOps> : IEStepKernel
    where TVector : struct
    where TOps : struct, IVectorOps<TVector>
{
    public static readonly SimdEStepKernel<TVector, TOps> Instance = new();

    /// <summary>Above this many features, blocks of 64 rows (<see cref="Block64"/>).</summary>
    public const int Block128FeatureLimit = 16;

    private static IEStepKernel For(GaussianParameters p) => p.FeatureCount > Block128FeatureLimit
        ? SimdEStepKernel<TVector, TOps, Block64>.Instance
        : SimdEStepKernel<TVector, TOps, Block128>.Instance;

    public object CreateScratch(int chunkRows, GaussianParameters p) => For(p).CreateScratch(chunkRows, p);

    public void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, GaussianStatisticsLayout layout, Span<double> stats, object scratch) =>
        For(p).Accumulate(p, rows, weights, n, layout, stats, scratch);

    public double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch) =>
        For(p).LogResponsibilities(p, rows, n, logResp, logNorm, scratch);

    public double MostProbable(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch) =>
        For(p).MostProbable(p, rows, n, labels, logNorm, scratch);
}
