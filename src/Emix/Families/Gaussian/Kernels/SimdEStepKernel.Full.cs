using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Families.Gaussian.Kernels;

internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    /// <summary>
    /// U padded to d × dp (zeros right of column d) for every component; computed once per parameter
    /// set. Tied adds the common centre c = Σ_j w_j μ_j (d) and (μ_j − c)U for every component (k × d);
    /// full adds c, μ_j − c (k × d) and (μ_j − c)U_j padded (k × dp).
    /// </summary>
    private static double[] PaddedFactors(GaussianParameters p) => GeneralPlanOf(p).Values;

    private static GeneralPlan GeneralPlanOf(GaussianParameters p) => p.GetOrCreateKernelPlan(static q =>
    {
        int d = q.FeatureCount, dp = PaddedFeatures(d), k = q.ComponentCount;
        bool tied = q.Structure.IsShared;
        int count = tied ? 1 : k;
        int extra = tied ? d + (k * d) : d + (k * d) + (k * dp);
        var padded = new double[(count * d * dp) + extra];
        for (int j = 0; j < count; j++)
            for (int a = 0; a < d; a++)
                q.PrecisionCholeskyValues.AsSpan((j * d * d) + (a * d), d).CopyTo(padded.AsSpan((j * d * dp) + (a * dp), d));
        if (!tied)
        {
            // Full: c, δ_j = μ_j − c, (μ_j − c)U_j padded to dp, and whether the shifted form is accurate.
            var centre = padded.AsSpan(k * d * dp, d);
            for (int j = 0; j < k; j++)
                for (int a = 0; a < d; a++)
                    centre[a] += q.Weights[j] * q.Means[(j * d) + a];
            var delta = padded.AsSpan((k * d * dp) + d, k * d);
            var shifts = padded.AsSpan((k * d * dp) + d + (k * d), k * dp);
            var u = q.PrecisionCholeskyValues;
            double largest = 0;
            for (int j = 0; j < k; j++)
            {
                for (int a = 0; a < d; a++)
                    delta[(j * d) + a] = q.Means[(j * d) + a] - centre[a];
                double norm = 0;
                for (int b = 0; b < d; b++)
                {
                    double sum = 0;
                    for (int a = 0; a <= b; a++)
                        sum += delta[(j * d) + a] * u[(j * d * d) + (a * d) + b];
                    shifts[(j * dp) + b] = sum;
                    norm += sum * sum;
                }
                largest = Math.Max(largest, norm);
            }
            return new GeneralPlan(padded, largest <= FullShiftLimit);
        }
        {
            var centre = padded.AsSpan(d * dp, d);
            for (int j = 0; j < k; j++)
                for (int a = 0; a < d; a++)
                    centre[a] += q.Weights[j] * q.Means[(j * d) + a];
            var shifted = padded.AsSpan((d * dp) + d, k * d);
            var u = q.PrecisionCholeskyValues;
            for (int j = 0; j < k; j++)
            {
                for (int b = 0; b < d; b++)
                {
                    double sum = 0;
                    for (int a = 0; a <= b; a++)
                        sum += (q.Means[(j * d) + a] - centre[a]) * u[(a * d) + b];
                    shifted[(j * d) + b] = sum;
                }
            }
            return new GeneralPlan(padded, SinglePassIsAccurate(q, centre));
        }
    });

    /// <summary>
    /// Whether the tied single pass around c keeps its cancellation error below ~2e-13 relative: rows
    /// are rounded to ulp(|c|) before the subtraction, so the second moments around c carry an error of
    /// about ε·(|c| + R)·R per row against a result of σ²_min, R being the largest |μ_ja − c_a|. Far
    /// from the origin with well separated means (1e6 away, means 80σ apart: 1e-8), the per-component
    /// pass is used instead. The choice depends on the parameters alone, not on threads.
    /// </summary>
    private static bool SinglePassIsAccurate(GaussianParameters q, ReadOnlySpan<double> centre)
    {
        int d = q.FeatureCount, k = q.ComponentCount;
        double spread = 0, scale = 0, smallestVariance = double.PositiveInfinity;
        for (int a = 0; a < d; a++)
        {
            scale = Math.Max(scale, Math.Abs(centre[a]));
            smallestVariance = Math.Min(smallestVariance, q.Covariances[(a * d) + a]);
            for (int j = 0; j < k; j++)
                spread = Math.Max(spread, Math.Abs(q.Means[(j * d) + a] - centre[a]));
        }
        return (scale + spread) * spread <= 1e3 * smallestVariance;
    }

    /// <summary>
    /// The largest ‖(μ_j − c)U_j‖² (the squared Mahalanobis distance of a mean from the mixture's mean c
    /// under its own covariance) for which the full quadratic form runs on rows shifted by c:
    /// y = (x − c)U − (μ − c)U cancels about ε·‖(μ − c)U‖ of y, so q keeps ~1e-13 relative or better.
    /// Beyond (means more than 100σ from c), the rows are centred on each mean first.
    /// </summary>
    private const double FullShiftLimit = 1e4;

    /// <summary>
    /// Full: the block's rows are transposed shifted by the mixture's mean c, and q = ‖(x − c)U − (μ − c)U‖²
    /// needs no pass that centres the block on each mean (where accurate, see <see cref="FullShiftLimit"/>).
    /// </summary>
    private static bool FullShifted(GaussianParameters p) => p.Structure is { Storage: CovarianceStorage.Full, IsShared: false } && GeneralPlanOf(p).Accurate;

    /// <summary>Full: c (d values).</summary>
    private static ReadOnlySpan<double> FullCentre(GaussianParameters p) =>
        PaddedFactors(p).AsSpan(p.ComponentCount * p.FeatureCount * PaddedFeatures(p.FeatureCount), p.FeatureCount);

    /// <summary>Full: μ_j − c (d values), the mean of component j in the shifted rows.</summary>
    private static ReadOnlySpan<double> FullDelta(GaussianParameters p, int j)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        return PaddedFactors(p).AsSpan((k * d * PaddedFeatures(d)) + d + (j * d), d);
    }

    /// <summary>Full: (μ_j − c)U_j (dp values).</summary>
    private static ReadOnlySpan<double> FullShift(GaussianParameters p, int j)
    {
        int k = p.ComponentCount, d = p.FeatureCount, dp = PaddedFeatures(d);
        return PaddedFactors(p).AsSpan((k * d * dp) + d + (k * d) + (j * dp), dp);
    }

    /// <summary>Tied: whether this parameter set takes the single pass around the mixture's mean (see <see cref="SinglePassIsAccurate"/>).</summary>
    private static bool TiedSinglePass(GaussianParameters p) => p.Structure is { Storage: CovarianceStorage.Full, IsShared: true } && GeneralPlanOf(p).Accurate;

    /// <summary>
    /// Tied: the chunk's pass gave A = Σ_i (Σ_j r_ij)(x_i − c)(x_i − c)ᵀ around the common centre c. The
    /// statistic is Σ_j Σ_i r_ij (x_i − μ_j)(x_i − μ_j)ᵀ = A − Σ_j (δ_j f_jᵀ + f_j δ_jᵀ + N_j δ_j δ_jᵀ) with
    /// δ_j = μ_j − c, f_j = Σ_i r_ij (x_i − μ_j) and N_j = Σ_i r_ij (expand (x − c) − δ_j). One pass costs
    /// d²/2 per row instead of k·d²/2. c is the mixture's mean, so δ_j is the spread of the means and the
    /// cancellation costs about ε·|δ|²/σ² relative (1e-14 for means 10σ apart).
    /// </summary>
    private static void TiedCorrection(GaussianParameters p, ReadOnlySpan<double> centre, Scratch s)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var delta = s.Discard;
        for (int j = 0; j < k; j++)
        {
            var mean = p.MeanOf(j);
            for (int a = 0; a < d; a++)
                delta[a] = mean[a] - centre[a];
            var f = s.ChunkFirst.AsSpan(j * d, d);
            double count = s.ChunkCounts[j];
            for (int a = 0; a < d; a++)
            {
                var row = s.Second.AsSpan(a * s.RowWidth, d);
                for (int b = a; b < d; b++)
                    row[b] -= (delta[a] * f[b]) + (f[a] * delta[b]) + (count * delta[a] * delta[b]);
            }
        }
    }

    /// <summary>D[a, i] = Xt[a, i] − μ_a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Centre(double[] xt, ReadOnlySpan<double> mean, int d, int m, double[] dOut)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double o = ref MemoryMarshal.GetArrayDataReference(dOut);
        for (int a = 0; a < d; a++)
        {
            var mu = TOps.Broadcast(mean[a]);
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += TOps.Count)
                TOps.Store(TOps.Subtract(TOps.Load(ref x, row + (nuint)i), mu), ref o, row + (nuint)i);
        }
    }
}

/// <summary>
/// The SIMD kernels' plan for full storage (full and tied), made once per parameter set: the padded
/// factors and centres (<c>PaddedFactors</c>; the layout does not depend on the vector width, so every
/// variant shares one plan) and whether the faster form is accurate (full: rows shifted by c; tied: the
/// single pass around c).
/// </summary>
internal sealed class GeneralPlan(double[] values, bool accurate)
{
    public readonly double[] Values = values;
    public readonly bool Accurate = accurate;
}
