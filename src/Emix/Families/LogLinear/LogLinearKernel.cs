using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Families.LogLinear;

/// <summary>
/// The E-step of a chunk for log-linear families (<see cref="LogLinearTerms"/>: Poisson, Bernoulli)
/// with components in the lanes of 256-bit vectors: per row, the k log-densities are the start plus
/// one vector add (or FMA) per cell and vector of components; log-sum-exp and the responsibilities
/// by the kernels' vector exp and log; nk and Σ r·x gathered in feature × component order and added
/// to the statistics once per chunk. Rows are independent and in order, so the bits do not depend on
/// threads; they differ from the scalar loops by rounding (the vector exp, FMAs).
/// </summary>
internal static class LogLinearKernel
{
    /// <summary>The smallest exponent kept, as the Gaussian kernel's (below it a responsibility is 0).</summary>
    private const double SmallestExponent = -700;

    private const int MaxVectors = 64;

    /// <summary>Whether this machine runs the kernel (AVX2 with FMA); otherwise the families' scalar loops run.</summary>
    public static bool IsSupported => KernelSelector.IsVector256Supported && KernelSelector.Resolve(KernelVariant.Auto) != KernelVariant.Scalar;

    /// <summary>Whether <paramref name="terms"/> fit the kernel (at most 256 components).</summary>
    public static bool Takes(LogLinearTerms terms) => terms.PaddedComponents / LogLinearTerms.Lanes <= MaxVectors;

    /// <summary>
    /// The chunk's E-step into <paramref name="statistics"/> ([0] log-likelihood, nk, Σ r·x) when this
    /// machine and <paramref name="terms"/> take the kernel; false (nothing done) when the family's scalar rows must run.
    /// </summary>
    public static bool TryAccumulate(LogLinearTerms terms, Statistics.MeanStatisticsLayout layout, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n,
        Func<ReadOnlySpan<double>, double>? rowTerms, Span<double> statistics, Func<int, double[]> moments)
    {
        if (!IsSupported || !Takes(terms))
            return false;
        Accumulate(terms, rows, weights, n, rowTerms, statistics[Statistics.StatisticsLayout.LogLikelihoodOffset..], layout.Nk(statistics), layout.Sums(statistics),
            moments(terms.FeatureCount * terms.PaddedComponents));
        return true;
    }

    /// <summary>
    /// Adds Σ w·log p(x) (less Σ_rows w·<paramref name="rowTerms"/>, each row's part outside the components:
    /// the Poisson's Σ log x!), nk and Σ r·x (k×d) of the chunk's rows; <paramref name="moments"/> is d × kp scratch.
    /// </summary>
    public static void Accumulate(LogLinearTerms t, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Func<ReadOnlySpan<double>, double>? rowTerms,
        Span<double> logLikelihood, Span<double> nk, Span<double> sums, double[] moments)
    {
        if (t.PaddedComponents == 2 * LogLinearTerms.Lanes)
        {
            if (t.ByValue)
                AccumulateTwo<ByValueTerms>(t, rows, weights, n, rowTerms, logLikelihood, nk, sums, moments);
            else
                AccumulateTwo<MultipliedTerms>(t, rows, weights, n, rowTerms, logLikelihood, nk, sums, moments);
            return;
        }
        AccumulateAny(t, rows, weights, n, rowTerms, logLikelihood, nk, sums, moments);
    }

    /// <summary>How a cell adds its term to the two vectors of log-densities.</summary>
    private interface ICellTerms
    {
        static abstract void Add(ref double coefficients, int a, double x, int kp, ref Vector256<double> acc0, ref Vector256<double> acc1);
    }

    private readonly struct ByValueTerms : ICellTerms
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(ref double coefficients, int a, double x, int kp, ref Vector256<double> acc0, ref Vector256<double> acc1)
        {
            nuint at = (nuint)(((2 * a) + (int)x) * kp);
            acc0 += Vector256.LoadUnsafe(ref coefficients, at);
            acc1 += Vector256.LoadUnsafe(ref coefficients, at + LogLinearTerms.Lanes);
        }
    }

    private readonly struct MultipliedTerms : ICellTerms
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(ref double coefficients, int a, double x, int kp, ref Vector256<double> acc0, ref Vector256<double> acc1)
        {
            if (x == 0)
                return;
            var value = Vector256.Create(x);
            nuint at = (nuint)(a * kp);
            acc0 = Vector256Ops.MultiplyAdd(value, Vector256.LoadUnsafe(ref coefficients, at), acc0);
            acc1 = Vector256Ops.MultiplyAdd(value, Vector256.LoadUnsafe(ref coefficients, at + LogLinearTerms.Lanes), acc1);
        }
    }

    /// <summary>Up to 8 components: the log-densities, responsibilities and counts in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateTwo<TTerms>(LogLinearTerms t, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Func<ReadOnlySpan<double>, double>? rowTerms,
        Span<double> logLikelihood, Span<double> nk, Span<double> sums, double[] moments)
        where TTerms : struct, ICellTerms
    {
        const int kp = 2 * LogLinearTerms.Lanes;
        int d = t.FeatureCount, k = t.ComponentCount;
        var m = moments.AsSpan(0, d * kp);
        m.Clear();
        ref double coefficients = ref MemoryMarshal.GetArrayDataReference(t.Coefficients);
        ref double mm = ref MemoryMarshal.GetReference(m);
        ref double row0 = ref MemoryMarshal.GetReference(rows);
        var start0 = Vector256.Create(t.Start.AsSpan(0, LogLinearTerms.Lanes));
        var start1 = Vector256.Create(t.Start.AsSpan(LogLinearTerms.Lanes, LogLinearTerms.Lanes));
        var floor = Vector256.Create(SmallestExponent);
        Vector256<double> counts0 = Vector256<double>.Zero, counts1 = Vector256<double>.Zero;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            if (w == 0)
                continue;
            ref double x = ref Unsafe.Add(ref row0, i * d);
            Vector256<double> acc0 = start0, acc1 = start1;
            for (int a = 0; a < d; a++)
                TTerms.Add(ref coefficients, a, Unsafe.Add(ref x, a), kp, ref acc0, ref acc1);
            var highest = Vector256Ops.Max(acc0, acc1);
            double max = Math.Max(Math.Max(highest[0], highest[1]), Math.Max(highest[2], highest[3]));
            double extra = rowTerms?.Invoke(rows.Slice(i * d, d)) ?? 0;
            if (double.IsNegativeInfinity(max))
            {
                total += double.NegativeInfinity;
                continue;
            }
            var shift = Vector256.Create(max);
            var exponent0 = acc0 - shift;
            var exponent1 = acc1 - shift;
            var e0 = Vector256Ops.ZeroWhereLess(exponent0, floor, VectorMath<Vector256<double>, Vector256Ops>.Exp(Vector256Ops.Max(exponent0, floor)));
            var e1 = Vector256Ops.ZeroWhereLess(exponent1, floor, VectorMath<Vector256<double>, Vector256Ops>.Exp(Vector256Ops.Max(exponent1, floor)));
            var sum = e0 + e1;
            double s = (sum[0] + sum[1]) + (sum[2] + sum[3]);
            total += w * (max + Math.Log(s) - extra);
            var scale = Vector256.Create(w / s);
            var r0 = e0 * scale;
            var r1 = e1 * scale;
            counts0 += r0;
            counts1 += r1;
            // Every cell, zeros too (0·r adds nothing): a branch on the cell's value would mispredict on 0/1 data.
            for (int a = 0; a < d; a++)
            {
                var value = Vector256.Create(Unsafe.Add(ref x, a));
                nuint at = (nuint)(a * kp);
                Vector256Ops.MultiplyAdd(value, r0, Vector256.LoadUnsafe(ref mm, at)).StoreUnsafe(ref mm, at);
                Vector256Ops.MultiplyAdd(value, r1, Vector256.LoadUnsafe(ref mm, at + LogLinearTerms.Lanes)).StoreUnsafe(ref mm, at + LogLinearTerms.Lanes);
            }
        }
        logLikelihood[0] += total;
        for (int j = 0; j < k; j++)
            nk[j] += j < LogLinearTerms.Lanes ? counts0[j] : counts1[j - LogLinearTerms.Lanes];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                sums[(j * d) + a] += m[(a * kp) + j];
    }

    /// <summary>Any number of components, in vectors on the stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateAny(LogLinearTerms t, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Func<ReadOnlySpan<double>, double>? rowTerms,
        Span<double> logLikelihood, Span<double> nk, Span<double> sums, double[] moments)
    {
        int d = t.FeatureCount, k = t.ComponentCount, kp = t.PaddedComponents, vectors = kp / LogLinearTerms.Lanes;
        Span<Vector256<double>> acc = stackalloc Vector256<double>[vectors];
        Span<Vector256<double>> counts = stackalloc Vector256<double>[vectors];
        counts.Clear();
        var m = moments.AsSpan(0, d * kp);
        m.Clear();
        ref double start = ref MemoryMarshal.GetArrayDataReference(t.Start);
        ref double coefficients = ref MemoryMarshal.GetArrayDataReference(t.Coefficients);
        ref double mm = ref MemoryMarshal.GetReference(m);
        var floor = Vector256.Create(SmallestExponent);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            // A row of weight 0 adds nothing, even one no component can explain (0·−∞), as in the other kernels.
            if (w == 0)
                continue;
            var x = rows.Slice(i * d, d);
            for (int v = 0; v < vectors; v++)
                acc[v] = Vector256.LoadUnsafe(ref start, (nuint)(v * LogLinearTerms.Lanes));
            for (int a = 0; a < d; a++)
            {
                double xa = x[a];
                if (t.ByValue)
                {
                    nuint at = (nuint)((((2 * a) + (int)xa) * kp));
                    for (int v = 0; v < vectors; v++)
                        acc[v] += Vector256.LoadUnsafe(ref coefficients, at + (nuint)(v * LogLinearTerms.Lanes));
                }
                else if (xa != 0)
                {
                    var value = Vector256.Create(xa);
                    nuint at = (nuint)(a * kp);
                    for (int v = 0; v < vectors; v++)
                        acc[v] = Vector256Ops.MultiplyAdd(value, Vector256.LoadUnsafe(ref coefficients, at + (nuint)(v * LogLinearTerms.Lanes)), acc[v]);
                }
            }
            var highest = acc[0];
            for (int v = 1; v < vectors; v++)
                highest = Vector256Ops.Max(highest, acc[v]);
            double max = Math.Max(Math.Max(highest[0], highest[1]), Math.Max(highest[2], highest[3]));
            double extra = rowTerms?.Invoke(x) ?? 0;
            if (double.IsNegativeInfinity(max))
            {
                // No component can explain the row: its log-likelihood is −∞ and the driver stops.
                total += double.NegativeInfinity;
                continue;
            }
            var shift = Vector256.Create(max);
            var sum = Vector256<double>.Zero;
            for (int v = 0; v < vectors; v++)
            {
                var exponent = acc[v] - shift;
                var e = Vector256Ops.ZeroWhereLess(exponent, floor, VectorMath<Vector256<double>, Vector256Ops>.Exp(Vector256Ops.Max(exponent, floor)));
                acc[v] = e;
                sum += e;
            }
            double s = (sum[0] + sum[1]) + (sum[2] + sum[3]);
            total += w * (max + Math.Log(s) - extra);
            var scale = Vector256.Create(w / s);
            for (int v = 0; v < vectors; v++)
            {
                acc[v] *= scale;
                counts[v] += acc[v];
            }
            for (int a = 0; a < d; a++)
            {
                var value = Vector256.Create(x[a]);
                nuint at = (nuint)(a * kp);
                for (int v = 0; v < vectors; v++)
                {
                    nuint slot = at + (nuint)(v * LogLinearTerms.Lanes);
                    Vector256Ops.MultiplyAdd(value, acc[v], Vector256.LoadUnsafe(ref mm, slot)).StoreUnsafe(ref mm, slot);
                }
            }
        }
        logLikelihood[0] += total;
        for (int j = 0; j < k; j++)
            nk[j] += counts[j / LogLinearTerms.Lanes][j % LogLinearTerms.Lanes];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                sums[(j * d) + a] += m[(a * kp) + j];
    }
}
