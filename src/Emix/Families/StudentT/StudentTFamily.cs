using System.Collections.Concurrent;
using Emix.Engine;
using Emix.Families.Gaussian;
using Emix.Families.Gaussian.Kernels;
using Emix.Statistics;

namespace Emix.Families.StudentT;

/// <summary>
/// Multivariate Student-t mixtures on the engine's contract, through the Gaussian kernels: the
/// parameters are Gaussian ones (the scale matrices in the covariances' place) with
/// <see cref="GaussianParameters.Tails"/>, so the distances, log-sum-exp and moments run in the same
/// SIMD passes (see SimdEStepKernel.Tails.cs). Statistics: the Gaussian layout with the moments
/// weighted by τ·u, then Σ τ·u and Σ τ·(log u − u) per component.
/// </summary>
internal sealed class StudentTFamily(IEStepKernel kernel) : IMixtureFamily<GaussianParameters>
{
    private static readonly ConcurrentDictionary<IEStepKernel, StudentTFamily> Instances = new();

    /// <summary>One instance per kernel, so that pass scratch pools stay bounded.</summary>
    public static StudentTFamily For(IEStepKernel kernel) => Instances.GetOrAdd(kernel, static k => new StudentTFamily(k));

    public IEStepKernel Kernel { get; } = kernel;

    public string Name => "student-t";

    public int ComponentCount(GaussianParameters p) => p.ComponentCount;

    public StatisticsLayout Layout(GaussianParameters p) => p.StatisticsLayout;

    public ReadOnlySpan<double> Centres(GaussianParameters p) => p.Means;

    public object ScratchKey(GaussianParameters p) => (p.ComponentCount, p.FeatureCount, p.Structure, Name);

    public object CreateScratch(int chunkRows, GaussianParameters p) => Kernel.CreateScratch(chunkRows, p);

    public void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch) =>
        Kernel.Accumulate(p, rows, weights, n, p.StatisticsLayout, statistics, scratch);

    public double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch) =>
        Kernel.LogResponsibilities(p, rows, n, logResp, logNorm, scratch);

    public double MostProbable(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch) =>
        Kernel.MostProbable(p, rows, n, labels, logNorm, scratch);

    /// <summary>The Gaussian count (scales as covariances, means, k − 1 weights) plus k degrees of freedom unless they are fixed.</summary>
    public long FreeParameterCount(GaussianParameters p) => FreeParameters(p);

    internal static long FreeParameters(GaussianParameters p) => p.FreeParameterCount + (p.Tails!.Fixed ? 0 : p.ComponentCount);

    public bool IsFinite(GaussianParameters p)
    {
        static bool AllFinite(double[] values) => Array.TrueForAll(values, double.IsFinite);
        return AllFinite(p.Weights) && AllFinite(p.Means) && AllFinite(p.Covariances) && AllFinite(p.PrecisionCholeskyValues)
            && AllFinite(p.Tails!.DegreesOfFreedom);
    }
}
