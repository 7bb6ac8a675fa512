using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Poisson;

/// <summary>
/// Multivariate Poisson mixtures on the engine's contract: independent Poisson counts per feature
/// inside each component (flexmix's <c>FLXMCmvpois</c>). Glossary: n = rows in a chunk, k =
/// components, d = features, λ = rate, r = responsibility, w = a row's sample weight.
/// </summary>
/// <remarks>
/// log p_j(x) = Σ_a (x_a·log λ_ja − λ_ja − log x_a!). The −log x_a! terms are the same for every
/// component: they are left out of the per-component values (responsibilities do not change) and
/// added once to log p(x), so that the log-likelihood is the full one. A count of 0 adds −λ_ja only
/// (0·log 0 is 0, so a rate of 0 explains zeros exactly).
/// </remarks>
internal sealed class PoissonFamily : IMixtureFamily<PoissonParameters>
{
    public static readonly PoissonFamily Instance = new();

    public string Name => "poisson";

    public int ComponentCount(PoissonParameters p) => p.ComponentCount;

    public StatisticsLayout Layout(PoissonParameters p) => p.StatisticsLayout;

    public ReadOnlySpan<double> Centres(PoissonParameters p) => default;

    public object ScratchKey(PoissonParameters p) => (p.ComponentCount, p.FeatureCount);

    public object CreateScratch(int chunkRows, PoissonParameters p) => new double[p.ComponentCount];

    public void Accumulate(PoissonParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var layout = p.StatisticsLayout;
        var nk = layout.Nk(statistics);
        var sums = layout.Sums(statistics);
        var logResp = ((double[])scratch).AsSpan(0, k);
        double logLikelihood = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            // A row of weight 0 adds nothing, even one no component can explain (0·−∞), as in the Gaussian kernels.
            if (w == 0)
                continue;
            var x = rows.Slice(i * d, d);
            logLikelihood += w * RowLogResponsibilities(p, x, logResp);
            layout.AddRow(x, logResp, w, nk, sums);
        }
        statistics[StatisticsLayout.LogLikelihoodOffset] += logLikelihood;
    }

    public double LogResponsibilities(PoissonParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = RowLogResponsibilities(p, rows.Slice(i * d, d), logResp.Slice(i * k, k));
            if (!logNorm.IsEmpty)
                logNorm[i] = norm;
            total += norm;
        }
        return total;
    }

    public double MostProbable(PoissonParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var logResp = ((double[])scratch).AsSpan(0, k);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = RowLogResponsibilities(p, rows.Slice(i * d, d), logResp);
            labels[i] = Passes.MostProbable(logResp);
            if (!logNorm.IsEmpty)
                logNorm[i] = norm;
            total += norm;
        }
        return total;
    }

    public long FreeParameterCount(PoissonParameters p) => p.FreeParameterCount;

    public bool IsFinite(PoissonParameters p) => Array.TrueForAll(p.Weights, double.IsFinite) && Array.TrueForAll(p.Rates, double.IsFinite);

    /// <summary>log r_j of one row (k) and its full log p(x).</summary>
    private static double RowLogResponsibilities(PoissonParameters p, ReadOnlySpan<double> x, Span<double> logResp)
    {
        int k = p.ComponentCount, d = x.Length;
        double logFactorials = 0;
        for (int a = 0; a < d; a++)
            logFactorials += LogFactorial.Of(x[a]);
        for (int j = 0; j < k; j++)
        {
            var logRates = p.LogRates.AsSpan(j * d, d);
            double v = p.LogWeights[j] - p.RateSums[j];
            for (int a = 0; a < d; a++)
                if (x[a] != 0)
                    v += x[a] * logRates[a];
            logResp[j] = v;
        }
        return Passes.NormaliseLogRow(logResp) - logFactorials;
    }
}
