using Emix.Engine;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Families.Gaussian;

/// <summary>
/// The Gaussian M-step from merged statistics, and the scalar accumulation of statistics from given
/// responsibilities. The passes over the rows live in <see cref="Passes"/>, the loop in <see cref="BatchDriver"/>.
/// </summary>
internal static class GaussianEm
{
    /// <summary>scikit-learn adds 10·eps to every nk so that an empty component does not divide by zero.</summary>
    public const double NkGuard = Statistics.StatisticsLayout.NkGuard;

    /// <summary>Adds nk, first and second moments of one chunk with given responsibilities.</summary>
    public static void AccumulateChunk(CovarianceStructure structure, GaussianStatisticsLayout layout, ReadOnlySpan<double> rows, int n,
        ReadOnlySpan<double> resp, ReadOnlySpan<double> shifts, Span<double> stats, Span<double> scratch)
    {
        int k = layout.ComponentCount;
        var nk = layout.Nk(stats);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                nk[j] += resp[(i * k) + j];
        structure.Accumulate(rows, n, k, layout.FeatureCount, resp, shifts, layout.FirstMoment(stats), layout.SecondMoment(stats), scratch);
    }

    /// <summary>
    /// The M-step's weights, means and covariances, before their factorisation (which is where a
    /// collapsed component shows). <paramref name="frozen"/> keeps its parameters as given.
    /// </summary>
    public static (double[] Weights, double[] Means, double[] Covariances) MStepValues(CovarianceStructure structure, int k, int d,
        double[] stats, ReadOnlySpan<double> shifts, double regCovar, double? initRowCount, FrozenParts? frozen)
    {
        var (weights, means, covariances, _) = MStepWithDecomposition(structure, k, d, stats, shifts, regCovar, initRowCount, frozen, null, InnerIterations.Default);
        return (weights, means, covariances);
    }

    /// <summary>
    /// <see cref="MStepValues"/> with a constrained structure's decomposition (null for the other structures):
    /// its inner iterations start from <paramref name="previous"/> (the last M-step's) and stop by <paramref name="inner"/>.
    /// With <paramref name="prior"/>, the MAP M-step of the conjugate prior (<see cref="ConjugatePriorMStep"/>) gives the means and covariances.
    /// </summary>
    public static (double[] Weights, double[] Means, double[] Covariances, CovarianceDecomposition? Decomposition) MStepWithDecomposition(
        CovarianceStructure structure, int k, int d, double[] stats, ReadOnlySpan<double> shifts, double regCovar, double? initRowCount,
        FrozenParts? frozen, CovarianceDecomposition? previous, InnerIterations inner, PriorHyperparameters? prior = null)
    {
        var layout = new GaussianStatisticsLayout(structure, k, d);
        var span = stats.AsSpan();
        var nk = layout.Nk(span);
        var sx = layout.FirstMoment(span);
        var nkReg = new double[k];
        double nkRegSum = 0;
        for (int j = 0; j < k; j++)
        {
            nkReg[j] = nk[j] + NkGuard;
            nkRegSum += nkReg[j];
        }
        var delta = new double[k * d];
        var means = new double[k * d];
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                double dl = sx[(j * d) + a] / nkReg[j];
                delta[(j * d) + a] = dl;
                means[(j * d) + a] = shifts[(j * d) + a] + dl;
            }
        }
        frozen?.ApplyMeans(means, delta);
        var covariances = new double[structure.ValueCount(k, d)];
        CovarianceDecomposition? decomposition = null;
        if (prior is not null)
            (means, decomposition) = ConjugatePriorMStep.Estimate(structure, k, d, nkReg, delta, shifts, layout.SecondMoment(span), regCovar, prior, previous, inner, covariances);
        else if (structure is ConstrainedCovariance constrained)
            decomposition = constrained.Estimate(k, d, nkReg, delta, layout.SecondMoment(span), regCovar, previous, inner, covariances);
        else
            structure.EstimateCovariances(k, d, nkReg, delta, layout.SecondMoment(span), regCovar, covariances);
        frozen?.ApplyCovariances(covariances);
        var weights = new double[k];
        double divisor = initRowCount ?? nkRegSum;
        for (int j = 0; j < k; j++)
            weights[j] = nkReg[j] / divisor;
        frozen?.ApplyWeights(weights, nkReg);
        return (weights, means, covariances, decomposition);
    }
}
