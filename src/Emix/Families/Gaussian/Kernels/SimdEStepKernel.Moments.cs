using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Families.Gaussian.Kernels;

internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumRows(Span<double> r, int m)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        TVector acc0 = TOps.Zero, acc1 = TOps.Zero;
        for (int i = 0; i < m; i += 2 * TOps.Count)
        {
            acc0 = TOps.Add(acc0, TOps.Load(ref rr, (nuint)i));
            acc1 = TOps.Add(acc1, TOps.Load(ref rr, (nuint)(i + TOps.Count)));
        }
        return TOps.Sum(TOps.Add(acc0, acc1));
    }

    /// <summary>total[i] += r[i] for the block's rows.</summary>
    private static void AddTo(Span<double> r, double[] total, int m)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double tr = ref MemoryMarshal.GetArrayDataReference(total);
        for (int i = 0; i < m; i += TOps.Count)
            TOps.Store(TOps.Add(TOps.Load(ref tr, (nuint)i), TOps.Load(ref rr, (nuint)i)), ref tr, (nuint)i);
    }

    /// <summary>(r·D)[a, i] = r_i·(Xt[a, i] − μ_a) into <paramref name="w"/> (unless null) and Σ_i of it into <paramref name="sx"/>, in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightAndFirstMoment(Span<double> r, double[] xt, ReadOnlySpan<double> mean, int d, int m, double[]? w, Span<double> sx)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double xr = ref MemoryMarshal.GetArrayDataReference(xt);
        bool store = w is not null;
        ref double wr = ref store ? ref MemoryMarshal.GetArrayDataReference(w!) : ref rr;
        for (int a = 0; a < d; a++)
        {
            var mu = TOps.Broadcast(mean[a]);
            TVector acc0 = TOps.Zero, acc1 = TOps.Zero;
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += 2 * TOps.Count)
            {
                nuint i0 = row + (nuint)i, i1 = i0 + (nuint)TOps.Count;
                var v0 = TOps.Multiply(TOps.Load(ref rr, (nuint)i), TOps.Subtract(TOps.Load(ref xr, i0), mu));
                var v1 = TOps.Multiply(TOps.Load(ref rr, (nuint)(i + TOps.Count)), TOps.Subtract(TOps.Load(ref xr, i1), mu));
                if (store)
                {
                    TOps.Store(v0, ref wr, i0);
                    TOps.Store(v1, ref wr, i1);
                }
                acc0 = TOps.Add(acc0, v0);
                acc1 = TOps.Add(acc1, v1);
            }
            sx[a] += TOps.Sum(TOps.Add(acc0, acc1));
        }
    }

    /// <summary>
    /// Adds the lanes of Σ_i r_i·(x_ia − μ_a) and Σ_i r_i·(x_ia − μ_a)² (diagonal and spherical
    /// statistics) to <paramref name="lanes"/> (first moments of features 0..d−1, then second), in one
    /// pass. Two row vectors per step: four independent sums, so the adds do not wait on each other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalMoments(Span<double> r, double[] xt, ReadOnlySpan<double> mean, int d, int m, Span<double> lanes)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double xr = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double acc = ref MemoryMarshal.GetReference(lanes);
        int w = TOps.Count;
        for (int a = 0; a < d; a++)
        {
            var mu = TOps.Broadcast(mean[a]);
            TVector first0 = TOps.Zero, first1 = TOps.Zero, second0 = TOps.Zero, second1 = TOps.Zero;
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += 2 * w)
            {
                nuint i0 = (nuint)i, i1 = (nuint)(i + w);
                var e0 = TOps.Subtract(TOps.Load(ref xr, row + i0), mu);
                var e1 = TOps.Subtract(TOps.Load(ref xr, row + i1), mu);
                var v0 = TOps.Multiply(TOps.Load(ref rr, i0), e0);
                var v1 = TOps.Multiply(TOps.Load(ref rr, i1), e1);
                first0 = TOps.Add(first0, v0);
                first1 = TOps.Add(first1, v1);
                second0 = TOps.MultiplyAdd(v0, e0, second0);
                second1 = TOps.MultiplyAdd(v1, e1, second1);
            }
            nuint f = (nuint)(a * w), q = (nuint)((d + a) * w);
            TOps.Store(TOps.Add(TOps.Load(ref acc, f), TOps.Add(first0, first1)), ref acc, f);
            TOps.Store(TOps.Add(TOps.Load(ref acc, q), TOps.Add(second0, second1)), ref acc, q);
        }
    }

    /// <summary>The chunk's diagonal moment lanes, summed across lanes, into the statistics.</summary>
    private static void AddLanes(double[] moments, int k, int d, Span<double> sx, Span<double> second)
    {
        ref double acc = ref MemoryMarshal.GetArrayDataReference(moments);
        int w = TOps.Count;
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                sx[(j * d) + a] += TOps.Sum(TOps.Load(ref acc, (nuint)(((2 * j * d) + a) * w)));
                second[(j * d) + a] += TOps.Sum(TOps.Load(ref acc, (nuint)(((2 * j * d) + d + a) * w)));
            }
        }
    }
}
