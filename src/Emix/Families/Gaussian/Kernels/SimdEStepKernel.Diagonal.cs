using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emix.Families.Gaussian;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// Diagonal and spherical in the expanded form around the mixture's mean c: the block's rows are
/// shifted once (x' = x − c, as they are transposed), then per component and feature the
/// log-density takes two FMAs, t = x'·σ⁻¹ − δ·σ⁻¹ and q += t², and the moments two more,
/// Σ r·x' and Σ r·x'² (x'² once per row, shared by the components), with δ = μ − c. The moments are
/// moved to the means once per chunk: Σ r(x − μ) = Σ r·x' − N·δ and Σ r(x − μ)² = Σ r·x'² − 2δ·Σ r·x' + N·δ².
/// Four components share each load of a row vector (a register tile), so the loops are FMAs and
/// loads, not address arithmetic: 4 FP operations per (row, component, feature) instead of 7.
/// </summary>
/// <remarks>
/// Accuracy: the correction cancels about ε·δ²/σ² of a variance. Where the means lie further than
/// ~30σ from the mixture's mean along a feature (δ²/σ² &gt; 1e3: relative error above ~2e-13),
/// the direct form runs instead (<see cref="SquaredDistanceLogDensities"/> and <see cref="DiagonalMoments"/>).
/// The choice depends on the parameters alone, not on threads.
/// </remarks>
internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    /// <summary>Components per register tile; k is padded to a multiple of it (padding components have r = 0).</summary>
    private const int ComponentTile = 4;

    /// <summary>The largest δ²/σ² (per component and feature) the expanded form takes.</summary>
    private const double ExpandedFormLimit = 1e3;

    private static int PaddedComponents(int k) => (k + ComponentTile - 1) / ComponentTile * ComponentTile;

    /// <summary>
    /// Per parameter set, computed once: c (d); per tile of four components and feature, (σ⁻¹, −δ·σ⁻¹)
    /// for each of the four (8 values; spherical: 1 and −δ, its precision goes into the factor of ½);
    /// and δ (padded k × d, zero for padding components).
    /// </summary>
    private static double[] DiagonalFactors(GaussianParameters p) => DiagonalPlanOf(p).Values;

    private static DiagonalPlan DiagonalPlanOf(GaussianParameters p) => p.GetOrCreateKernelPlan(static q =>
    {
        int d = q.FeatureCount, k = q.ComponentCount, kp = PaddedComponents(k);
        bool spherical = q.Structure.Storage == CovarianceStorage.Scalar;
        double[] scales = q.PrecisionCholeskyValues;
        var data = new double[d + (2 * kp * d) + (kp * d)];
        var centre = data.AsSpan(0, d);
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                centre[a] += q.Weights[j] * q.Means[(j * d) + a];
        var tiles = data.AsSpan(d, 2 * kp * d);
        var delta = data.AsSpan(d + (2 * kp * d), kp * d);
        double largest = 0;
        for (int j = 0; j < k; j++)
        {
            int tile = j / ComponentTile, slot = j % ComponentTile;
            for (int a = 0; a < d; a++)
            {
                double shift = q.Means[(j * d) + a] - centre[a];
                double scale = spherical ? scales[j] : scales[(j * d) + a];
                delta[(j * d) + a] = shift;
                largest = Math.Max(largest, shift * scale * shift * scale);
                int at = (((tile * d) + a) * 2 * ComponentTile) + (2 * slot);
                tiles[at] = spherical ? 1 : scale;
                tiles[at + 1] = -shift * (spherical ? 1 : scale);
            }
        }
        return new DiagonalPlan(data, largest <= ExpandedFormLimit);
    });

    /// <summary>Diagonal or spherical, and the expanded form is accurate for these parameters.</summary>
    private static bool DiagonalExpanded(GaussianParameters p) =>
        p.Structure.Storage != CovarianceStorage.Full && DiagonalPlanOf(p).Expanded;

    /// <summary>LogP[j, i] = constants_j + halves_j·Σ_a (x'_ia·σ⁻¹_ja − δ_ja·σ⁻¹_ja)², four components at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ExpandedLogDensities(double[] xt, double[] factors, ReadOnlySpan<double> halves, ReadOnlySpan<double> constants, int k, int d, int m, double[] logP, Prefetcher next)
    {
        int kp = PaddedComponents(k), w = TOps.Count;
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double lp = ref MemoryMarshal.GetArrayDataReference(logP);
        for (int tile = 0; tile < kp; tile += ComponentTile)
        {
            ref double f = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(factors), d + (2 * tile * d));
            for (int i = 0; i < m; i += 2 * w)
            {
                next.Issue(4);
                TVector q00 = TOps.Zero, q01 = TOps.Zero, q10 = TOps.Zero, q11 = TOps.Zero;
                TVector q20 = TOps.Zero, q21 = TOps.Zero, q30 = TOps.Zero, q31 = TOps.Zero;
                ref double xa = ref Unsafe.Add(ref x, i);
                ref double fa = ref f;
                for (int a = 0; a < d; a++)
                {
                    var x0 = TOps.Load(ref xa, 0);
                    var x1 = TOps.Load(ref xa, (nuint)w);
                    Step(x0, x1, ref fa, 0, ref q00, ref q01);
                    Step(x0, x1, ref fa, 2, ref q10, ref q11);
                    Step(x0, x1, ref fa, 4, ref q20, ref q21);
                    Step(x0, x1, ref fa, 6, ref q30, ref q31);
                    xa = ref Unsafe.Add(ref xa, BlockRows);
                    fa = ref Unsafe.Add(ref fa, 2 * ComponentTile);
                }
                ref double target = ref Unsafe.Add(ref lp, (tile * BlockRows) + i);
                Finish(q00, q01, ref target, 0, halves, constants, tile, k);
                Finish(q10, q11, ref target, 1, halves, constants, tile, k);
                Finish(q20, q21, ref target, 2, halves, constants, tile, k);
                Finish(q30, q31, ref target, 3, halves, constants, tile, k);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Step(TVector x0, TVector x1, ref double fa, nuint at, ref TVector q0, ref TVector q1)
        {
            var scale = TOps.Broadcast(Unsafe.Add(ref fa, at));
            var offset = TOps.Broadcast(Unsafe.Add(ref fa, at + 1));
            var t0 = TOps.MultiplyAdd(x0, scale, offset);
            var t1 = TOps.MultiplyAdd(x1, scale, offset);
            q0 = TOps.MultiplyAdd(t0, t0, q0);
            q1 = TOps.MultiplyAdd(t1, t1, q1);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Finish(TVector q0, TVector q1, ref double target, int slot, ReadOnlySpan<double> halves, ReadOnlySpan<double> constants, int tile, int k)
        {
            int j = tile + slot;
            if (j >= k)
                return; // padding component: its row of LogP is never read
            var half = TOps.Broadcast(halves[j]);
            var c = TOps.Broadcast(constants[j]);
            ref double row = ref Unsafe.Add(ref target, slot * BlockRows);
            TOps.Store(TOps.MultiplyAdd(half, q0, c), ref row, 0);
            TOps.Store(TOps.MultiplyAdd(half, q1, c), ref row, (nuint)TOps.Count);
        }
    }

    /// <summary>
    /// Adds the lanes of Σ_i r_ji·x'_ia and Σ_i r_ji·x'_ia² to the chunk's tile lanes (per tile and
    /// feature: four first-moment vectors, then four second). LogP's padding components hold r = 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ExpandedMoments(double[] xt, double[] r, int k, int d, int m, double[] lanes, Prefetcher next)
    {
        int kp = PaddedComponents(k), w = TOps.Count;
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(lanes);
        for (int tile = 0; tile < kp; tile += ComponentTile)
        {
            ref double r0 = ref MemoryMarshal.GetArrayDataReference(r);
            r0 = ref Unsafe.Add(ref r0, tile * BlockRows);
            ref double r1 = ref Unsafe.Add(ref r0, BlockRows);
            ref double r2 = ref Unsafe.Add(ref r0, 2 * BlockRows);
            ref double r3 = ref Unsafe.Add(ref r0, 3 * BlockRows);
            for (int a = 0; a < d; a++)
            {
                next.Issue(4);
                TVector f0 = TOps.Zero, f1 = TOps.Zero, f2 = TOps.Zero, f3 = TOps.Zero;
                TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
                ref double xa = ref Unsafe.Add(ref x, a * BlockRows);
                for (int i = 0; i < m; i += w)
                {
                    var xv = TOps.Load(ref xa, (nuint)i);
                    var square = TOps.Multiply(xv, xv);
                    var v0 = TOps.Load(ref r0, (nuint)i);
                    var v1 = TOps.Load(ref r1, (nuint)i);
                    var v2 = TOps.Load(ref r2, (nuint)i);
                    var v3 = TOps.Load(ref r3, (nuint)i);
                    f0 = TOps.MultiplyAdd(v0, xv, f0);
                    s0 = TOps.MultiplyAdd(v0, square, s0);
                    f1 = TOps.MultiplyAdd(v1, xv, f1);
                    s1 = TOps.MultiplyAdd(v1, square, s1);
                    f2 = TOps.MultiplyAdd(v2, xv, f2);
                    s2 = TOps.MultiplyAdd(v2, square, s2);
                    f3 = TOps.MultiplyAdd(v3, xv, f3);
                    s3 = TOps.MultiplyAdd(v3, square, s3);
                }
                ref double target = ref Unsafe.Add(ref acc, ((tile * d) + (a * ComponentTile)) * 2 * w);
                AddTo(f0, ref target, 0);
                AddTo(f1, ref target, 1);
                AddTo(f2, ref target, 2);
                AddTo(f3, ref target, 3);
                AddTo(s0, ref target, 4);
                AddTo(s1, ref target, 5);
                AddTo(s2, ref target, 6);
                AddTo(s3, ref target, 7);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void AddTo(TVector value, ref double target, int slot)
        {
            nuint at = (nuint)(slot * TOps.Count);
            TOps.Store(TOps.Add(TOps.Load(ref target, at), value), ref target, at);
        }
    }

    /// <summary>
    /// The chunk's tile lanes, summed across lanes and moved from c to each mean, into the
    /// statistics: Σ r(x − μ) = S₁ − N·δ and Σ r(x − μ)² = S₂ − 2δ·S₁ + N·δ².
    /// </summary>
    private static void AddExpandedLanes(double[] lanes, double[] factors, ReadOnlySpan<double> counts, int k, int d, Span<double> sx, Span<double> second)
    {
        int kp = PaddedComponents(k), w = TOps.Count;
        ref double acc = ref MemoryMarshal.GetArrayDataReference(lanes);
        var delta = factors.AsSpan(d + (2 * kp * d), kp * d);
        for (int j = 0; j < k; j++)
        {
            int tile = j / ComponentTile * ComponentTile, slot = j % ComponentTile;
            double count = counts[j];
            for (int a = 0; a < d; a++)
            {
                nuint at = (nuint)((((tile * d) + (a * ComponentTile)) * 2 * w) + (slot * w));
                double first = TOps.Sum(TOps.Load(ref acc, at));
                double squares = TOps.Sum(TOps.Load(ref acc, at + (nuint)(ComponentTile * w)));
                double shift = delta[(j * d) + a];
                sx[(j * d) + a] += first - (count * shift);
                second[(j * d) + a] += squares - (shift * ((2 * first) - (count * shift)));
            }
        }
    }
}

/// <summary>
/// The SIMD kernels' plan for scalar and diagonal storage, made once per parameter set: centre, tiles
/// and shifts (<c>DiagonalFactors</c>; shared by every vector width) and whether the expanded form is accurate.
/// </summary>
internal sealed class DiagonalPlan(double[] values, bool expanded)
{
    public readonly double[] Values = values;
    public readonly bool Expanded = expanded;
}
