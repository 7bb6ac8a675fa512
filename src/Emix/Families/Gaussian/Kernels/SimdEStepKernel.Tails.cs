using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emix.Families.StudentT;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// The Student-t family on the Gaussian kernel: with tails, the density passes leave the squared
/// Mahalanobis distance δ in LogP (constant 0, factor 1 instead of −½), and <see cref="TailDensities"/>
/// turns it into log w + log t(x) = c − ((ν + d)/2)·log(1 + δ/ν), keeping u = (ν + d)/(ν + δ) and
/// log(1 + δ/ν) per row and component for the statistics (<see cref="TailWeights"/>). Every pass
/// after it (log-sum-exp, moments, their correction and tiles) is the Gaussian one, with the moments
/// weighted by r·u.
/// </summary>
internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    /// <summary>LogP[j, i] = δ_ij on entry; log w_j + log t_j(x_i) on exit; U and LogTerm per row and component.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TailDensities(StudentTails tails, Scratch s, int k, int m)
    {
        ref double lp = ref MemoryMarshal.GetArrayDataReference(s.LogP);
        ref double uu = ref MemoryMarshal.GetArrayDataReference(s.U);
        ref double ll = ref MemoryMarshal.GetArrayDataReference(s.LogTerm);
        var one = TOps.Broadcast(1.0);
        for (int j = 0; j < k; j++)
        {
            var inverse = TOps.Broadcast(tails.InverseDegrees[j]);
            var nu = TOps.Broadcast(tails.DegreesOfFreedom[j]);
            var numerator = TOps.Broadcast(2 * tails.HalfShape[j]);
            var minusHalfShape = TOps.Broadcast(-tails.HalfShape[j]);
            var constant = TOps.Broadcast(tails.Constants[j]);
            for (int i = 0; i < m; i += TOps.Count)
            {
                nuint at = (nuint)((j * BlockRows) + i);
                // The expanded and shifted forms can leave a distance a rounding below 0.
                var delta = TOps.Max(TOps.Load(ref lp, at), TOps.Zero);
                var logTerm = VectorMath<TVector, TOps>.Log(TOps.MultiplyAdd(delta, inverse, one));
                TOps.Store(logTerm, ref ll, at);
                TOps.Store(TOps.Divide(numerator, TOps.Add(nu, delta)), ref uu, at);
                TOps.Store(TOps.MultiplyAdd(minusHalfShape, logTerm, constant), ref lp, at);
            }
        }
    }

    /// <summary>
    /// Component <paramref name="j"/>'s responsibilities r (m rows, padding 0) become the moments'
    /// weights r·u; returns Σ r·u and adds Σ r·(log u − u), log u = log((ν + d)/ν) − log(1 + δ/ν), to <paramref name="tailTerm"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double TailWeights(StudentTails tails, Scratch s, int j, Span<double> r, int m, ref double tailTerm)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double uu = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s.U), j * BlockRows);
        ref double ll = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s.LogTerm), j * BlockRows);
        var scale = TOps.Broadcast(tails.LogWeightScale[j]);
        TVector weight = TOps.Zero, term = TOps.Zero;
        for (int i = 0; i < m; i += TOps.Count)
        {
            var ri = TOps.Load(ref rr, (nuint)i);
            var u = TOps.Load(ref uu, (nuint)i);
            var ru = TOps.Multiply(ri, u);
            weight = TOps.Add(weight, ru);
            // r·(log u − u) = r·((log((ν + d)/ν) − u) − log(1 + δ/ν)).
            term = TOps.MultiplyAdd(ri, TOps.Subtract(TOps.Subtract(scale, u), TOps.Load(ref ll, (nuint)i)), term);
            TOps.Store(ru, ref rr, (nuint)i);
        }
        tailTerm += TOps.Sum(term);
        return TOps.Sum(weight);
    }
}
