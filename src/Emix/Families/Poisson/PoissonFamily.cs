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
internal sealed class PoissonFamily : RowwiseFamily<PoissonParameters>
{
    public static readonly PoissonFamily Instance = new();

    public override string Name => "poisson";

    public override int ComponentCount(PoissonParameters p) => p.ComponentCount;

    public override int FeatureCount(PoissonParameters p) => p.FeatureCount;

    public override StatisticsLayout Layout(PoissonParameters p) => p.StatisticsLayout;

    public override long FreeParameterCount(PoissonParameters p) => p.FreeParameterCount;

    public override bool IsFinite(PoissonParameters p) => Array.TrueForAll(p.Weights, double.IsFinite) && Array.TrueForAll(p.Rates, double.IsFinite);

    /// <summary>The vector kernel where the machine has one (see <see cref="LogLinear.LogLinearKernel"/>), else the scalar rows.</summary>
    public override void Accumulate(PoissonParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch)
    {
        if (!LogLinear.LogLinearKernel.TryAccumulate(p.LogLinearTerms, p.StatisticsLayout, rows, weights, n, LogFactorials, statistics, ((RowScratch)scratch).Moments))
            AccumulateRows(p, rows, weights, n, statistics, scratch);
    }

    private static readonly Func<ReadOnlySpan<double>, double> LogFactorials = static x =>
    {
        double sum = 0;
        foreach (double v in x)
            sum += LogFactorial.Of(v);
        return sum;
    };

    protected override void AddRow(PoissonParameters p, ReadOnlySpan<double> x, ReadOnlySpan<double> logResp, double weight, Span<double> statistics, RowScratch scratch) =>
        p.StatisticsLayout.AddRow(x, logResp, weight, p.StatisticsLayout.Nk(statistics), p.StatisticsLayout.Sums(statistics));

    /// <summary>log r_j of one row (k) and its full log p(x).</summary>
    protected override double RowLogResponsibilities(PoissonParameters p, ReadOnlySpan<double> x, Span<double> logResp, RowScratch scratch)
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
