using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Families.Gaussian.Kernels;

internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    /// <summary>
    /// Exponents below this give results under 1e-304, near the subnormal range. Subnormal
    /// operands make x86 floating-point units take microcode assists (tens of times slower), and
    /// .NET does not flush them to zero, so exponents are clamped here before exp, and
    /// responsibilities that small are set to exactly 0 (their effect on any statistic is below
    /// 1e-300 relative).
    /// </summary>
    private const double SmallestExponent = -700;

    /// <summary>
    /// Row-wise log-sum-exp over components into Norm; returns Σ of the first <paramref name="nb"/>
    /// norms. With <paramref name="responsibilities"/>, LogP is replaced by r = exp(log p − max)/Σ,
    /// reusing the exponentials of the sum (one exp per row and component instead of two).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Normalise(Scratch s, int k, int nb, int m, bool responsibilities)
    {
        ref double lp = ref MemoryMarshal.GetArrayDataReference(s.LogP);
        ref double nr = ref MemoryMarshal.GetArrayDataReference(s.Norm);
        var negativeInfinity = TOps.Broadcast(double.NegativeInfinity);
        var floor = TOps.Broadcast(SmallestExponent);
        var one = TOps.Broadcast(1.0);
        int w = TOps.Count;
        // Two row vectors per step: the two exponentials of each component are independent, so the
        // out-of-order core overlaps their polynomial chains.
        for (int i = 0; i < m; i += 2 * w)
        {
            s.Next.Issue(8);
            TVector max0 = negativeInfinity, max1 = negativeInfinity;
            for (int j = 0; j < k; j++)
            {
                nuint at = (nuint)((j * BlockRows) + i);
                max0 = TOps.Max(max0, TOps.Load(ref lp, at));
                max1 = TOps.Max(max1, TOps.Load(ref lp, at + (nuint)w));
            }
            // A row no component can explain has max = −∞; keep it from becoming NaN (−∞ − −∞).
            max0 = TOps.ZeroWhereNegativeInfinity(max0);
            max1 = TOps.ZeroWhereNegativeInfinity(max1);
            TVector sum0 = TOps.Zero, sum1 = TOps.Zero;
            for (int j = 0; j < k; j++)
            {
                nuint at = (nuint)((j * BlockRows) + i);
                var exponent0 = TOps.Subtract(TOps.Load(ref lp, at), max0);
                var exponent1 = TOps.Subtract(TOps.Load(ref lp, at + (nuint)w), max1);
                var e0 = VectorMath<TVector, TOps>.Exp(TOps.Max(exponent0, floor));
                var e1 = VectorMath<TVector, TOps>.Exp(TOps.Max(exponent1, floor));
                sum0 = TOps.Add(sum0, e0);
                sum1 = TOps.Add(sum1, e1);
                if (responsibilities)
                {
                    TOps.Store(TOps.ZeroWhereLess(exponent0, floor, e0), ref lp, at);
                    TOps.Store(TOps.ZeroWhereLess(exponent1, floor, e1), ref lp, at + (nuint)w);
                }
            }
            TOps.Store(TOps.Add(max0, VectorMath<TVector, TOps>.Log(sum0)), ref nr, (nuint)i);
            TOps.Store(TOps.Add(max1, VectorMath<TVector, TOps>.Log(sum1)), ref nr, (nuint)(i + w));
            if (responsibilities)
            {
                var inverse0 = TOps.Divide(one, sum0);
                var inverse1 = TOps.Divide(one, sum1);
                for (int j = 0; j < k; j++)
                {
                    nuint at = (nuint)((j * BlockRows) + i);
                    TOps.Store(TOps.Multiply(TOps.Load(ref lp, at), inverse0), ref lp, at);
                    TOps.Store(TOps.Multiply(TOps.Load(ref lp, at + (nuint)w), inverse1), ref lp, at + (nuint)w);
                }
            }
        }
        // Σ of the block's norms: in lanes for whole row vectors (no chain of 128 dependent adds), then the rest in order.
        int whole = nb / w * w;
        TVector lanes = TOps.Zero;
        for (int i = 0; i < whole; i += w)
            lanes = TOps.Add(lanes, TOps.Load(ref nr, (nuint)i));
        double total = TOps.Sum(lanes);
        for (int i = whole; i < nb; i++)
            total += s.Norm[i];
        return total;
    }

    /// <summary>
    /// Multiplies the block's responsibilities by the row weights and returns Σ w_i·log p(x_i) in row
    /// order; a row of weight 0 adds nothing, even when no component can explain it (0·−∞).
    /// </summary>
    private static double WeightBlock(Scratch s, int k, ReadOnlySpan<double> weights)
    {
        int nb = weights.Length;
        for (int j = 0; j < k; j++)
        {
            var r = s.LogP.AsSpan(j * BlockRows, nb);
            for (int i = 0; i < nb; i++)
                r[i] *= weights[i];
        }
        return Engine.Passes.WeightedSum(s.Norm.AsSpan(0, nb), weights);
    }
}
