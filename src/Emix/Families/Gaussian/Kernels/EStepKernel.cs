using Emix.Engine;
using Emix.Families.Gaussian;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// The scalar reference E-step of one chunk: weighted log-densities, log-sum-exp normalisation,
/// responsibilities. Glossary: n = rows in the chunk, k = components, d = features.
/// </summary>
internal static class EStepKernel
{
    private const double Log2Pi = 1.8378770664093454835606594728112;

    /// <summary>
    /// Writes log r_ij (n×k) into <paramref name="logResp"/> and, when given, log p(x_i) into
    /// <paramref name="logNorm"/>; returns Σ_i log p(x_i) summed in row order.
    /// </summary>
    /// <remarks>
    /// With tails (Student-t), the Gaussian log-density c_j − ½δ gives back the squared Mahalanobis
    /// distance δ (written to <paramref name="distances"/>, n×k, when given) and log w + log t(x) replaces it.
    /// </remarks>
    public static double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n,
        Span<double> logResp, Span<double> logNorm, Span<double> scratch, Span<double> distances = default)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        p.Structure.LogDensities(rows, n, p, logResp, scratch);
        var tails = p.Tails;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var row = logResp.Slice(i * k, k);
            for (int j = 0; j < k; j++)
            {
                if (tails is null)
                {
                    row[j] += p.LogWeights[j];
                    continue;
                }
                double gaussianConstant = (-0.5 * d * Log2Pi) + p.LogDetPrecisionCholesky[j];
                double delta = Math.Max(2 * (gaussianConstant - row[j]), 0);
                if (!distances.IsEmpty)
                    distances[(i * k) + j] = delta;
                row[j] = tails.Constants[j] - (tails.HalfShape[j] * Math.Log(1 + (delta * tails.InverseDegrees[j])));
            }
            double norm = Passes.NormaliseLogRow(row);
            if (!logNorm.IsEmpty)
                logNorm[i] = norm;
            total += norm;
        }
        return total;
    }

    /// <summary>
    /// Multiplies each row's responsibilities (n×k) by its weight and returns Σ w_i·log p(x_i)
    /// (see <see cref="Engine.Passes.WeightedSum"/>).
    /// </summary>
    public static double WeightRows(Span<double> resp, ReadOnlySpan<double> logNorm, ReadOnlySpan<double> weights, int k)
    {
        Engine.Passes.ScaleRows(resp, weights, k);
        return Engine.Passes.WeightedSum(logNorm, weights);
    }

    /// <summary>Turns log-responsibilities into responsibilities in place.</summary>
    public static void Exponentiate(Span<double> values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = Math.Exp(values[i]);
    }
}
