using Emix.Statistics;

namespace Emix.Families.Poisson;

/// <summary>
/// The parameters of a multivariate Poisson mixture (independent counts per feature inside each
/// component): weights (k) and rates λ (k×d, row-major), with what the E-step derives from them once:
/// log w, log λ and Σ_a λ_ja. Never mutated after construction.
/// </summary>
internal sealed class PoissonParameters
{
    private PoissonParameters(int k, int d, double[] weights, double[] rates)
    {
        ComponentCount = k;
        FeatureCount = d;
        Weights = weights;
        Rates = rates;
        LogWeights = new double[k];
        LogRates = new double[k * d];
        RateSums = new double[k];
        for (int j = 0; j < k; j++)
        {
            LogWeights[j] = Math.Log(weights[j]);
            double sum = 0;
            for (int a = 0; a < d; a++)
            {
                LogRates[(j * d) + a] = Math.Log(rates[(j * d) + a]);
                sum += rates[(j * d) + a];
            }
            RateSums[j] = sum;
        }
    }

    public int ComponentCount { get; }
    public int FeatureCount { get; }
    public double[] Weights { get; }
    public double[] Rates { get; }
    public double[] LogWeights { get; }
    public double[] LogRates { get; }

    /// <summary>Σ_a λ_ja per component: the −λ part of the log-density, the same for every row.</summary>
    public double[] RateSums { get; }

    private MeanStatisticsLayout? _layout;
    private LogLinear.LogLinearTerms? _terms;

    /// <summary>The vector kernel's layout: start log w − Σλ, coefficients log λ (made once).</summary>
    public LogLinear.LogLinearTerms LogLinearTerms => _terms ??= LogLinear.LogLinearTerms.Multiplied(ComponentCount, FeatureCount,
        LogWeights.Select((w, j) => w - RateSums[j]).ToArray(), LogRates);

    /// <summary>Where the statistics of an E-step under these parameters sit (made once).</summary>
    public MeanStatisticsLayout StatisticsLayout => _layout ??= new MeanStatisticsLayout(ComponentCount, FeatureCount);

    /// <summary>Takes the arrays (not copied); the caller has checked them (<see cref="PoissonUserParameters"/>).</summary>
    public static PoissonParameters Create(int k, int d, double[] weights, double[] rates) => new(k, d, weights, rates);

    /// <summary>Free parameters: k·d rates and k − 1 weights (flexmix's df for <c>FLXMCmvpois</c>).</summary>
    public long FreeParameterCount => ((long)ComponentCount * FeatureCount) + ComponentCount - 1;
}
