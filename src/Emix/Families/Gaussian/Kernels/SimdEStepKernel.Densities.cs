using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Families.Gaussian.Kernels;

internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    private const double Log2Pi = 1.8378770664093454835606594728112;

    /// <summary>
    /// log w_j + log N(x_i | μ_j, Σ_j) into LogP[j, i] for the block; with tails (Student-t), the squared
    /// Mahalanobis distance δ_ij instead (constant 0 and factor 1 where the Gaussian has −½).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogDensities(GaussianParameters p, Scratch s, int m)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var structure = p.Structure;
        double baseConstant = -0.5 * d * Log2Pi;
        Span<double> halves = stackalloc double[k];
        Span<double> constants = stackalloc double[k];
        bool tails = p.Tails is not null;
        double minusHalf = tails ? 1 : -0.5;
        for (int j = 0; j < k; j++)
            constants[j] = tails ? 0 : baseConstant + p.LogDetPrecisionCholesky[j] + p.LogWeights[j];
        if (structure.Storage != CovarianceStorage.Full)
        {
            bool spherical = structure.Storage == CovarianceStorage.Scalar;
            double[] scales = p.PrecisionCholeskyValues; // σ⁻¹ per component and feature, or per component (spherical)
            // Spherical keeps Σ (x − μ)² and folds its precision into the factor of ½.
            for (int j = 0; j < k; j++)
                halves[j] = spherical ? minusHalf * scales[j] * scales[j] : minusHalf;
            if (DiagonalExpanded(p))
            {
                ExpandedLogDensities(s.Xt, DiagonalFactors(p), halves, constants, k, d, m, s.LogP, s.Next);
                return;
            }
            SquaredDistanceLogDensities(s.Xt, p.Means, spherical ? null : scales, halves, constants, d, m, s.LogP);
            return;
        }
        double[] factors = PaddedFactors(p);
        int dp = PaddedFeatures(d);
        if (TiedSinglePass(p))
        {
            // One factor for all: y = (x − c)U once per row, then q_j = ‖y − (μ_j − c)U‖² costs d per component.
            Centre(s.Xt, factors.AsSpan(d * dp, d), d, m, s.D);
            TriangularProduct(s.D, factors.AsSpan(0, d * dp), d, dp, m, s.W);
            halves.Fill(minusHalf);
            SquaredDistanceLogDensities(s.W, factors.AsSpan((d * dp) + d, k * d), null, halves, constants, d, m, s.LogP);
            return;
        }
        // Full (and tied far from the origin): q = ‖(x − μ_j)U_j‖² through the triangular product, then c_j − ½q;
        // full on shifted rows takes (x − c)U − (μ_j − c)U, without centring the block on each mean.
        var half = TOps.Broadcast(minusHalf);
        bool shifted = FullShifted(p);
        for (int j = 0; j < k; j++)
        {
            var logP = s.LogP.AsSpan(j * BlockRows, m);
            if (!shifted)
                Centre(s.Xt, p.MeanOf(j), d, m, s.D);
            TriangularQuadraticForm(shifted ? s.Xt : s.D, factors.AsSpan(structure.IsShared ? 0 : j * d * dp, d * dp),
                shifted ? FullShift(p, j) : default, d, dp, m, logP);
            var c = TOps.Broadcast(constants[j]);
            ref double lp = ref MemoryMarshal.GetReference(logP);
            for (int i = 0; i < m; i += TOps.Count)
                TOps.Store(TOps.MultiplyAdd(half, TOps.Load(ref lp, (nuint)i), c), ref lp, (nuint)i);
        }
    }

    /// <summary>
    /// LogP[j, i] = constants_j + halves_j·Σ_a ((x_ia − μ_ja)·σ⁻¹_ja)² (no σ⁻¹ when <paramref name="scales"/>
    /// is null) with rows outermost, so a pair of row vectors (d cache lines of the feature-major block)
    /// stays in L1 while every component reads it; component by component, the whole block would be
    /// read k times. Diagonal, spherical, and tied in the space of its factor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SquaredDistanceLogDensities(double[] xt, ReadOnlySpan<double> means, double[]? scales, ReadOnlySpan<double> halves, ReadOnlySpan<double> constants, int d, int m, double[] logP)
    {
        int k = halves.Length;
        bool scaled = scales is not null;
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double lp = ref MemoryMarshal.GetArrayDataReference(logP);
        ref double mu = ref MemoryMarshal.GetReference(means);
        ref double sc = ref scaled ? ref MemoryMarshal.GetArrayDataReference(scales!) : ref mu;
        int w = TOps.Count;
        for (int i = 0; i < m; i += 2 * w)
        {
            for (int j = 0; j < k; j++)
            {
                // Even and odd features in separate sums: four independent chains of FMAs.
                TVector acc0 = TOps.Zero, acc1 = TOps.Zero, odd0 = TOps.Zero, odd1 = TOps.Zero;
                nuint jd = (nuint)(j * d);
                int a = 0;
                for (; a + 1 < d; a += 2)
                {
                    var (t0, t1) = ScaledDifferences(ref x, ref mu, ref sc, jd, a, i, scaled);
                    var (u0, u1) = ScaledDifferences(ref x, ref mu, ref sc, jd, a + 1, i, scaled);
                    acc0 = TOps.MultiplyAdd(t0, t0, acc0);
                    acc1 = TOps.MultiplyAdd(t1, t1, acc1);
                    odd0 = TOps.MultiplyAdd(u0, u0, odd0);
                    odd1 = TOps.MultiplyAdd(u1, u1, odd1);
                }
                if (a < d)
                {
                    var (t0, t1) = ScaledDifferences(ref x, ref mu, ref sc, jd, a, i, scaled);
                    acc0 = TOps.MultiplyAdd(t0, t0, acc0);
                    acc1 = TOps.MultiplyAdd(t1, t1, acc1);
                }
                acc0 = TOps.Add(acc0, odd0);
                acc1 = TOps.Add(acc1, odd1);
                var half = TOps.Broadcast(halves[j]);
                var c = TOps.Broadcast(constants[j]);
                nuint target = (nuint)((j * BlockRows) + i);
                TOps.Store(TOps.MultiplyAdd(half, acc0, c), ref lp, target);
                TOps.Store(TOps.MultiplyAdd(half, acc1, c), ref lp, target + (nuint)w);
            }
        }
    }

    /// <summary>(x_ia − μ_ja)·σ⁻¹_ja for the two row vectors at <paramref name="i"/> (unscaled unless <paramref name="scaled"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TVector, TVector) ScaledDifferences(ref double x, ref double mu, ref double sc, nuint jd, int a, int i, bool scaled)
    {
        var mean = TOps.Broadcast(Unsafe.Add(ref mu, jd + (nuint)a));
        nuint at = (nuint)((a * BlockRows) + i);
        var t0 = TOps.Subtract(TOps.Load(ref x, at), mean);
        var t1 = TOps.Subtract(TOps.Load(ref x, at + (nuint)TOps.Count), mean);
        if (scaled)
        {
            var inverseSd = TOps.Broadcast(Unsafe.Add(ref sc, jd + (nuint)a));
            t0 = TOps.Multiply(t0, inverseSd);
            t1 = TOps.Multiply(t1, inverseSd);
        }
        return (t0, t1);
    }
}
