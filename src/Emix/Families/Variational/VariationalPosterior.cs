using Emix.Families.Gaussian;
using Emix.Internals;

namespace Emix.Families.Variational;

/// <summary>The priors of a variational fit as used (scikit-learn's fitted <c>*_prior_</c> attributes); the covariance prior in the structure's shape.</summary>
internal sealed record VariationalPriors(WeightPrior WeightPrior, double WeightConcentration, double MeanPrecision, double[] MeanPrior, double DegreesOfFreedom, double[] CovariancePrior);

/// <summary>
/// The variational posterior of a Gaussian mixture (scikit-learn 1.2's BayesianGaussianMixture): the
/// weight concentration (a, b of the stick-breaking Betas for a process; α for a distribution), the
/// mean precisions β, means m, degrees of freedom ν (tied: one value, kept k times) and the
/// covariances normalised by ν; and what the E-step and the bound derive from them. Never mutated.
/// </summary>
internal sealed class VariationalPosterior
{
    private VariationalPosterior(VariationalPriors priors, CovarianceStructure structure, int d, double[] a, double[]? b, double[] beta, double[] nu)
    {
        Priors = priors;
        Structure = structure;
        FeatureCount = d;
        ConcentrationA = a;
        ConcentrationB = b;
        MeanPrecision = beta;
        DegreesOfFreedom = nu;
    }

    /// <summary>A posterior as stored (a model file): the arrays are taken; the caller has checked their shapes and ranges.</summary>
    public static VariationalPosterior FromStored(VariationalPriors priors, CovarianceStructure structure, int d, double[] a, double[]? b, double[] beta, double[] nu) =>
        new(priors, structure, d, a, b, beta, nu);

    public VariationalPriors Priors { get; }
    public CovarianceStructure Structure { get; }
    public int ComponentCount => MeanPrecision.Length;
    public int FeatureCount { get; }

    /// <summary>Process: 1 + nk (the Betas' first parameters); distribution: α₀ + nk.</summary>
    public double[] ConcentrationA { get; }

    /// <summary>Process: γ + Σ_{j&gt;k} nk_j; null for a distribution.</summary>
    public double[]? ConcentrationB { get; }

    /// <summary>β = β₀ + nk.</summary>
    public double[] MeanPrecision { get; }

    /// <summary>ν = ν₀ + nk (tied: ν₀ + Σ nk / k for every component).</summary>
    public double[] DegreesOfFreedom { get; }

    /// <summary>
    /// The M-step from nk (with the 10·eps guard), the responsibilities' means xk (k × d) and sample
    /// covariances sk (the Gaussian M-step's, reg_covar included): the posterior and the normalised covariances.
    /// </summary>
    public static (VariationalPosterior Posterior, double[] Means, double[] Covariances) Estimate(VariationalPriors priors, CovarianceStructure structure, int d,
        ReadOnlySpan<double> nk, ReadOnlySpan<double> xk, ReadOnlySpan<double> sk)
    {
        int k = nk.Length;
        double[] a = new double[k], beta = new double[k], nu = new double[k];
        double[]? b = null;
        if (priors.WeightPrior == WeightPrior.Process)
        {
            b = new double[k];
            // b_j = γ + Σ_{l>j} nk_l, the tail sums accumulated from the last component, as NumPy's reversed cumsum.
            double tail = 0;
            b[k - 1] = priors.WeightConcentration + 0;
            for (int j = k - 2; j >= 0; j--)
            {
                tail += nk[j + 1];
                b[j] = priors.WeightConcentration + tail;
            }
            for (int j = 0; j < k; j++)
                a[j] = 1 + nk[j];
        }
        else
        {
            for (int j = 0; j < k; j++)
                a[j] = priors.WeightConcentration + nk[j];
        }
        var means = new double[k * d];
        double beta0 = priors.MeanPrecision;
        var m0 = priors.MeanPrior;
        for (int j = 0; j < k; j++)
        {
            beta[j] = beta0 + nk[j];
            for (int c = 0; c < d; c++)
                means[(j * d) + c] = ((beta0 * m0[c]) + (nk[j] * xk[(j * d) + c])) / beta[j];
        }
        var psi = priors.CovariancePrior;
        var cov = new double[structure.ValueCount(k, d)];
        switch (structure.Type)
        {
            case CovarianceType.Full:
                for (int j = 0; j < k; j++)
                {
                    nu[j] = priors.DegreesOfFreedom + nk[j];
                    for (int r = 0; r < d; r++)
                    {
                        double dr = xk[(j * d) + r] - m0[r];
                        for (int c = 0; c < d; c++)
                        {
                            double dc = xk[(j * d) + c] - m0[c];
                            int at = (j * d * d) + (r * d) + c;
                            cov[at] = (psi[(r * d) + c] + (nk[j] * sk[at]) + (nk[j] * beta0 / beta[j] * (dr * dc))) / nu[j];
                        }
                    }
                }
                break;
            case CovarianceType.Tied:
            {
                double total = 0;
                for (int j = 0; j < k; j++)
                    total += nk[j];
                double shared = priors.DegreesOfFreedom + (total / k);
                Array.Fill(nu, shared);
                for (int r = 0; r < d; r++)
                {
                    for (int c = 0; c < d; c++)
                    {
                        // (nk/β · diff)ᵀ · diff summed over components, as NumPy's dot.
                        double spread = 0;
                        for (int j = 0; j < k; j++)
                            spread += nk[j] / beta[j] * (xk[(j * d) + r] - m0[r]) * (xk[(j * d) + c] - m0[c]);
                        cov[(r * d) + c] = (psi[(r * d) + c] + (sk[(r * d) + c] * total / k) + (beta0 / k * spread)) / shared;
                    }
                }
                break;
            }
            case CovarianceType.Diagonal:
                for (int j = 0; j < k; j++)
                {
                    nu[j] = priors.DegreesOfFreedom + nk[j];
                    for (int c = 0; c < d; c++)
                    {
                        double diff = xk[(j * d) + c] - m0[c];
                        int at = (j * d) + c;
                        cov[at] = (psi[c] + (nk[j] * (sk[at] + (beta0 / beta[j] * (diff * diff))))) / nu[j];
                    }
                }
                break;
            default:
                for (int j = 0; j < k; j++)
                {
                    nu[j] = priors.DegreesOfFreedom + nk[j];
                    double squares = 0;
                    for (int c = 0; c < d; c++)
                    {
                        double diff = xk[(j * d) + c] - m0[c];
                        squares += diff * diff;
                    }
                    cov[j] = (psi[0] + (nk[j] * (sk[j] + (beta0 / beta[j] * (squares / d))))) / nu[j];
                }
                break;
        }
        return (new VariationalPosterior(priors, structure, d, a, b, beta, nu), means, cov);
    }

    /// <summary>E[log π_j]: ψ(a_j) − ψ(a_j + b_j) + Σ_{l&lt;j} (ψ(b_l) − ψ(a_l + b_l)) for a process, ψ(α_j) − ψ(Σ α) for a distribution.</summary>
    public double[] ExpectedLogWeights()
    {
        int k = ComponentCount;
        var result = new double[k];
        if (ConcentrationB is { } b)
        {
            double stick = 0;
            for (int j = 0; j < k; j++)
            {
                double sum = SpecialFunctions.Digamma(ConcentrationA[j] + b[j]);
                result[j] = SpecialFunctions.Digamma(ConcentrationA[j]) - sum + stick;
                stick += SpecialFunctions.Digamma(b[j]) - sum;
            }
            return result;
        }
        double total = SpecialFunctions.Digamma(ConcentrationA.Sum());
        for (int j = 0; j < k; j++)
            result[j] = SpecialFunctions.Digamma(ConcentrationA[j]) - total;
        return result;
    }

    /// <summary>The posterior-mean weights (scikit-learn's <c>weights_</c>): the sticks' expected lengths, normalised; or α / Σα.</summary>
    public double[] Weights()
    {
        int k = ComponentCount;
        var w = new double[k];
        if (ConcentrationB is { } b)
        {
            double remaining = 1, sum = 0;
            for (int j = 0; j < k; j++)
            {
                double total = ConcentrationA[j] + b[j];
                w[j] = ConcentrationA[j] / total * remaining;
                remaining *= b[j] / total;
                sum += w[j];
            }
            for (int j = 0; j < k; j++)
                w[j] /= sum;
            return w;
        }
        double all = ConcentrationA.Sum();
        for (int j = 0; j < k; j++)
            w[j] = ConcentrationA[j] / all;
        return w;
    }

    /// <summary>
    /// The per-component constants of the E-step beyond the Gaussian log-density of the normalised
    /// covariances: E[log π_j] − (d/2)·log ν_j + ½·(d·log 2 + Σ_{i&lt;d} ψ((ν_j − i)/2) − d/β_j).
    /// </summary>
    public double[] EStepConstants()
    {
        int k = ComponentCount, d = FeatureCount;
        var logWeights = ExpectedLogWeights();
        var result = new double[k];
        for (int j = 0; j < k; j++)
        {
            double nu = DegreesOfFreedom[j], lambda = d * Math.Log(2);
            for (int i = 0; i < d; i++)
                lambda += SpecialFunctions.Digamma(0.5 * (nu - i));
            result[j] = logWeights[j] - (0.5 * d * Math.Log(nu)) + (0.5 * (lambda - (d / MeanPrecision[j])));
        }
        return result;
    }

    /// <summary>
    /// The bound's terms of these parameters (scikit-learn's <c>_compute_lower_bound</c> less its
    /// entropy): −Σ log-Wishart normalisers − the weights' log normaliser − (d/2)·Σ log β, from the
    /// log-determinants ℓ_j of the precision Cholesky factors of the normalised covariances.
    /// </summary>
    public double ParameterTerms(ReadOnlySpan<double> logDetPrecisionCholesky)
    {
        int k = ComponentCount, d = FeatureCount;
        double LogWishartNorm(double nu, double logDet)
        {
            double gammas = 0;
            for (int i = 0; i < d; i++)
                gammas += SpecialFunctions.LogGamma(0.5 * (nu - i));
            return -((nu * logDet) + (nu * d * 0.5 * Math.Log(2)) + gammas);
        }
        double logWishart;
        if (Structure.IsShared)
        {
            logWishart = k * LogWishartNorm(DegreesOfFreedom[0], logDetPrecisionCholesky[0] - (0.5 * d * Math.Log(DegreesOfFreedom[0])));
        }
        else
        {
            logWishart = 0;
            for (int j = 0; j < k; j++)
                logWishart += LogWishartNorm(DegreesOfFreedom[j], logDetPrecisionCholesky[j] - (0.5 * d * Math.Log(DegreesOfFreedom[j])));
        }
        double logNormWeight;
        if (ConcentrationB is { } b)
        {
            logNormWeight = 0;
            for (int j = 0; j < k; j++)
                logNormWeight -= SpecialFunctions.LogGamma(ConcentrationA[j]) + SpecialFunctions.LogGamma(b[j]) - SpecialFunctions.LogGamma(ConcentrationA[j] + b[j]);
        }
        else
        {
            logNormWeight = SpecialFunctions.LogGamma(ConcentrationA.Sum());
            for (int j = 0; j < k; j++)
                logNormWeight -= SpecialFunctions.LogGamma(ConcentrationA[j]);
        }
        double logBeta = 0;
        for (int j = 0; j < k; j++)
            logBeta += Math.Log(MeanPrecision[j]);
        return -logWishart - logNormWeight - (0.5 * d * logBeta);
    }
}
