using System.Collections.Concurrent;
using Emix.Engine;
using Emix.Families.Gaussian.Kernels;
using Emix.Families.Gaussian.Missing;
using Emix.Statistics;

namespace Emix.Families.Gaussian;

/// <summary>
/// The Gaussian family on the engine's contract: the E-step kernels (one per instruction set,
/// chosen by <see cref="KernelSelector"/>) behind <see cref="IMixtureFamily{TParameters}"/>. Rows with
/// missing cells go through <see cref="MissingValueGaussianFamily"/> instead (see <see cref="For(IEStepKernel, RowSource)"/>).
/// </summary>
internal class GaussianFamily(IEStepKernel kernel) : IMixtureFamily<GaussianParameters>
{
    private static readonly ConcurrentDictionary<(IEStepKernel, bool), GaussianFamily> Instances = new();

    /// <summary>The family for rows like <paramref name="data"/>'s (with missing cells or not), on <paramref name="kernel"/>.</summary>
    public static GaussianFamily For(IEStepKernel kernel, RowSource data) => For(kernel, data.HasMissing);

    /// <summary>One instance per kernel and kind, so that pass scratch pools stay bounded.</summary>
    public static GaussianFamily For(IEStepKernel kernel, bool missing) =>
        Instances.GetOrAdd((kernel, missing), static key => key.Item2 ? new MissingValueGaussianFamily(key.Item1) : new GaussianFamily(key.Item1));

    /// <summary>The E-step kernel.</summary>
    public IEStepKernel Kernel { get; } = kernel;

    public string Name => "gaussian";

    public int ComponentCount(GaussianParameters p) => p.ComponentCount;

    public StatisticsLayout Layout(GaussianParameters p) => p.StatisticsLayout;

    public ReadOnlySpan<double> Centres(GaussianParameters p) => p.Means;

    public object ScratchKey(GaussianParameters p) => (p.ComponentCount, p.FeatureCount, p.Structure);

    public virtual object CreateScratch(int chunkRows, GaussianParameters p) => Kernel.CreateScratch(chunkRows, p);

    public virtual void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch) =>
        Kernel.Accumulate(p, rows, weights, n, p.StatisticsLayout, statistics, scratch);

    public virtual double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch) =>
        Kernel.LogResponsibilities(p, rows, n, logResp, logNorm, scratch);

    public virtual double MostProbable(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch) =>
        Kernel.MostProbable(p, rows, n, labels, logNorm, scratch);

    public long FreeParameterCount(GaussianParameters p) => p.FreeParameterCount;

    public bool IsFinite(GaussianParameters p)
    {
        static bool AllFinite(double[] values) => Array.TrueForAll(values, double.IsFinite);
        return AllFinite(p.Weights) && AllFinite(p.Means) && AllFinite(p.Covariances) && AllFinite(p.PrecisionCholeskyValues);
    }
}

/// <summary>
/// The Gaussian family for rows with missing cells (EM for data missing at random, see
/// <see cref="MissingValueEm"/>): complete rows still go through the kernel, so a chunk without a
/// missing cell has the bits of <see cref="GaussianFamily"/>.
/// </summary>
internal sealed class MissingValueGaussianFamily(IEStepKernel kernel) : GaussianFamily(kernel)
{
    public override object CreateScratch(int chunkRows, GaussianParameters p) => new MissingValueEm.Scratch(Kernel, p, chunkRows);

    public override void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch) =>
        MissingValueEm.AccumulateChunk(p, Kernel, rows, weights, n, p.StatisticsLayout, statistics, (MissingValueEm.Scratch)scratch);

    public override double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch)
    {
        var s = (MissingValueEm.Scratch)scratch;
        return MissingValueEm.LogResponsibilities(p, Kernel, rows, n, logResp, logNorm.IsEmpty ? s.LogNorm.AsSpan(0, n) : logNorm, s);
    }

    public override double MostProbable(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch)
    {
        var s = (MissingValueEm.Scratch)scratch;
        int k = p.ComponentCount;
        var logResp = s.LogResp.AsSpan(0, n * k);
        double total = MissingValueEm.LogResponsibilities(p, Kernel, rows, n, logResp, logNorm.IsEmpty ? s.LogNorm.AsSpan(0, n) : logNorm, s);
        for (int i = 0; i < n; i++)
            labels[i] = Passes.MostProbable(logResp.Slice(i * k, k));
        return total;
    }
}
