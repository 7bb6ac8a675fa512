using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Families.Gaussian.Kernels;

internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    /// <summary>
    /// One register tile of (D·U): columns b0..b0+3 for the two row vectors at i, a00..a03 for the first
    /// and a10..a13 for the second: Σ_{a ≤ min(b0 + 3, d − 1)} D[a, ·]·U[a, b] (U is zero below its diagonal).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TriangularTile(ref double dr, ref double ur, int i, int b0, int d, int dp,
        out TVector a00, out TVector a01, out TVector a02, out TVector a03, out TVector a10, out TVector a11, out TVector a12, out TVector a13)
    {
        int w = TOps.Count;
        a00 = TOps.Zero; a01 = TOps.Zero; a02 = TOps.Zero; a03 = TOps.Zero;
        a10 = TOps.Zero; a11 = TOps.Zero; a12 = TOps.Zero; a13 = TOps.Zero;
        int last = Math.Min(b0 + 4, d);
        nuint at = (nuint)i, ua = (nuint)b0; // running offsets: no multiplication in the loop
        for (int a = 0; a < last; a++, at += Stride, ua += (nuint)dp)
        {
            var x0 = TOps.Load(ref dr, at);
            var x1 = TOps.Load(ref dr, at + (nuint)w);
            var u0 = TOps.Broadcast(Unsafe.Add(ref ur, ua));
            var u1 = TOps.Broadcast(Unsafe.Add(ref ur, ua + 1));
            var u2 = TOps.Broadcast(Unsafe.Add(ref ur, ua + 2));
            var u3 = TOps.Broadcast(Unsafe.Add(ref ur, ua + 3));
            MultiplyAddColumns(x0, u0, u1, u2, u3, ref a00, ref a01, ref a02, ref a03);
            MultiplyAddColumns(x1, u0, u1, u2, u3, ref a10, ref a11, ref a12, ref a13);
        }
    }

    /// <summary>One row vector of a register tile: a_c += x·u_c for four columns c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAddColumns(TVector x, TVector u0, TVector u1, TVector u2, TVector u3,
        ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
    {
        a0 = TOps.MultiplyAdd(x, u0, a0);
        a1 = TOps.MultiplyAdd(x, u1, a1);
        a2 = TOps.MultiplyAdd(x, u2, a2);
        a3 = TOps.MultiplyAdd(x, u3, a3);
    }

    /// <summary>
    /// q_i = Σ_b (Σ_{a≤b} D[a, i]·U[a, b])²: 4 row vectors × 4 columns of U per register tile (16
    /// independent FMA chains; each step loads 4 row vectors and broadcasts 4 values of U for 16 FMAs),
    /// and the 2 × 4 tile of <see cref="TriangularTile"/> for a last pair of row vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TriangularQuadraticForm(double[] dm, ReadOnlySpan<double> u, ReadOnlySpan<double> shift, int d, int dp, int m, Span<double> q)
    {
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref double ur = ref MemoryMarshal.GetReference(u);
        ref double qr = ref MemoryMarshal.GetReference(q);
        bool shifted = !shift.IsEmpty;
        int w = TOps.Count;
        int i = 0;
        for (; i + (4 * w) <= m; i += 4 * w)
        {
            TVector q0 = TOps.Zero, q1 = TOps.Zero, q2 = TOps.Zero, q3 = TOps.Zero;
            for (int b0 = 0; b0 < d; b0 += 4)
            {
                TVector a00 = TOps.Zero, a01 = TOps.Zero, a02 = TOps.Zero, a03 = TOps.Zero;
                TVector a10 = TOps.Zero, a11 = TOps.Zero, a12 = TOps.Zero, a13 = TOps.Zero;
                TVector a20 = TOps.Zero, a21 = TOps.Zero, a22 = TOps.Zero, a23 = TOps.Zero;
                TVector a30 = TOps.Zero, a31 = TOps.Zero, a32 = TOps.Zero, a33 = TOps.Zero;
                int last = Math.Min(b0 + 4, d);
                ref double xa = ref Unsafe.Add(ref dr, i);
                ref double ua = ref Unsafe.Add(ref ur, b0);
                for (int a = 0; a < last; a++)
                {
                    var x0 = TOps.Load(ref xa, 0);
                    var x1 = TOps.Load(ref xa, (nuint)w);
                    var x2 = TOps.Load(ref xa, (nuint)(2 * w));
                    var x3 = TOps.Load(ref xa, (nuint)(3 * w));
                    var u0 = TOps.Broadcast(ua);
                    var u1 = TOps.Broadcast(Unsafe.Add(ref ua, 1));
                    var u2 = TOps.Broadcast(Unsafe.Add(ref ua, 2));
                    var u3 = TOps.Broadcast(Unsafe.Add(ref ua, 3));
                    MultiplyAddColumns(x0, u0, u1, u2, u3, ref a00, ref a01, ref a02, ref a03);
                    MultiplyAddColumns(x1, u0, u1, u2, u3, ref a10, ref a11, ref a12, ref a13);
                    MultiplyAddColumns(x2, u0, u1, u2, u3, ref a20, ref a21, ref a22, ref a23);
                    MultiplyAddColumns(x3, u0, u1, u2, u3, ref a30, ref a31, ref a32, ref a33);
                    xa = ref Unsafe.Add(ref xa, BlockRows);
                    ua = ref Unsafe.Add(ref ua, dp);
                }
                if (shifted)
                {
                    BroadcastShift(shift, b0, out var s0, out var s1, out var s2, out var s3);
                    SubtractColumns(s0, s1, s2, s3, ref a00, ref a01, ref a02, ref a03);
                    SubtractColumns(s0, s1, s2, s3, ref a10, ref a11, ref a12, ref a13);
                    SubtractColumns(s0, s1, s2, s3, ref a20, ref a21, ref a22, ref a23);
                    SubtractColumns(s0, s1, s2, s3, ref a30, ref a31, ref a32, ref a33);
                }
                q0 = SumOfSquares(q0, a00, a01, a02, a03);
                q1 = SumOfSquares(q1, a10, a11, a12, a13);
                q2 = SumOfSquares(q2, a20, a21, a22, a23);
                q3 = SumOfSquares(q3, a30, a31, a32, a33);
            }
            TOps.Store(q0, ref qr, (nuint)i);
            TOps.Store(q1, ref qr, (nuint)(i + w));
            TOps.Store(q2, ref qr, (nuint)(i + (2 * w)));
            TOps.Store(q3, ref qr, (nuint)(i + (3 * w)));
        }
        for (; i < m; i += 2 * w)
        {
            var q0 = TOps.Zero;
            var q1 = TOps.Zero;
            for (int b0 = 0; b0 < d; b0 += 4)
            {
                TriangularTile(ref dr, ref ur, i, b0, d, dp,
                    out var a00, out var a01, out var a02, out var a03, out var a10, out var a11, out var a12, out var a13);
                if (shifted)
                {
                    BroadcastShift(shift, b0, out var s0, out var s1, out var s2, out var s3);
                    SubtractColumns(s0, s1, s2, s3, ref a00, ref a01, ref a02, ref a03);
                    SubtractColumns(s0, s1, s2, s3, ref a10, ref a11, ref a12, ref a13);
                }
                q0 = SumOfSquares(q0, a00, a01, a02, a03);
                q1 = SumOfSquares(q1, a10, a11, a12, a13);
            }
            TOps.Store(q0, ref qr, (nuint)i);
            TOps.Store(q1, ref qr, (nuint)(i + w));
        }
    }

    /// <summary>The shifted mean's (μ − c)U at columns b0 … b0 + 3, broadcast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastShift(ReadOnlySpan<double> shift, int b0, out TVector s0, out TVector s1, out TVector s2, out TVector s3)
    {
        s0 = TOps.Broadcast(shift[b0]);
        s1 = TOps.Broadcast(shift[b0 + 1]);
        s2 = TOps.Broadcast(shift[b0 + 2]);
        s3 = TOps.Broadcast(shift[b0 + 3]);
    }

    /// <summary>One row vector of a register tile: a_c −= s_c for four columns c (the shifted mean's (μ − c)U).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractColumns(TVector s0, TVector s1, TVector s2, TVector s3, ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
    {
        a0 = TOps.Subtract(a0, s0);
        a1 = TOps.Subtract(a1, s1);
        a2 = TOps.Subtract(a2, s2);
        a3 = TOps.Subtract(a3, s3);
    }

    /// <summary>q + a² + b² + c² + e², in that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector SumOfSquares(TVector q, TVector a, TVector b, TVector c, TVector e) =>
        TOps.MultiplyAdd(e, e, TOps.MultiplyAdd(c, c, TOps.MultiplyAdd(b, b, TOps.MultiplyAdd(a, a, q))));

    /// <summary>Y[b, i] = Σ_{a≤b} D[a, i]·U[a, b] (feature-major, dp rows; rows past d are zero), 2 row vectors × 4 columns per tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TriangularProduct(double[] dm, ReadOnlySpan<double> u, int d, int dp, int m, double[] y)
    {
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref double ur = ref MemoryMarshal.GetReference(u);
        ref double yr = ref MemoryMarshal.GetArrayDataReference(y);
        int w = TOps.Count;
        for (int i = 0; i < m; i += 2 * w)
        {
            for (int b0 = 0; b0 < d; b0 += 4)
            {
                TriangularTile(ref dr, ref ur, i, b0, d, dp,
                    out var a00, out var a01, out var a02, out var a03, out var a10, out var a11, out var a12, out var a13);
                nuint row = (nuint)((b0 * BlockRows) + i);
                TOps.Store(a00, ref yr, row);
                TOps.Store(a10, ref yr, row + (nuint)w);
                TOps.Store(a01, ref yr, row + Stride);
                TOps.Store(a11, ref yr, row + Stride + (nuint)w);
                TOps.Store(a02, ref yr, row + (2 * Stride));
                TOps.Store(a12, ref yr, row + (2 * Stride) + (nuint)w);
                TOps.Store(a03, ref yr, row + (3 * Stride));
                TOps.Store(a13, ref yr, row + (3 * Stride) + (nuint)w);
            }
        }
    }
}
