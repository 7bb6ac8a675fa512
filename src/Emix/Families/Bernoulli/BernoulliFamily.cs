using System.Globalization;
using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Bernoulli;

/// <summary>
/// Bernoulli mixtures on the engine's contract (flexmix's <c>FLXMCmvbinary</c>): log p_j(x) = Σ_a
/// x_a·log p_ja + (1 − x_a)·log(1 − p_ja). A probability of exactly 0 or 1 (plain maximum likelihood,
/// reached when a component's rows all agree on a column) makes the other value impossible in that
/// component: its log-density is −∞ there, which other components may still explain.
/// </summary>
internal sealed class BernoulliFamily : RowwiseFamily<BernoulliParameters>
{
    public static readonly BernoulliFamily Instance = new();

    public override string Name => "bernoulli";

    public override int ComponentCount(BernoulliParameters p) => p.ComponentCount;

    public override int FeatureCount(BernoulliParameters p) => p.FeatureCount;

    public override StatisticsLayout Layout(BernoulliParameters p) => p.StatisticsLayout;

    public override long FreeParameterCount(BernoulliParameters p) => p.FreeParameterCount;

    public override bool IsFinite(BernoulliParameters p) => Array.TrueForAll(p.Weights, double.IsFinite) && Array.TrueForAll(p.Probabilities, double.IsFinite);

    protected override void AddRow(BernoulliParameters p, ReadOnlySpan<double> x, ReadOnlySpan<double> logResp, double weight, Span<double> statistics, RowScratch scratch) =>
        p.StatisticsLayout.AddRow(x, logResp, weight, p.StatisticsLayout.Nk(statistics), p.StatisticsLayout.Sums(statistics));

    /// <summary>The vector kernel where the machine has one (see <see cref="LogLinear.LogLinearKernel"/>), else the scalar rows.</summary>
    public override void Accumulate(BernoulliParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch)
    {
        if (!LogLinear.LogLinearKernel.TryAccumulate(p.LogLinearTerms, p.StatisticsLayout, rows, weights, n, null, statistics, ((RowScratch)scratch).Moments))
            AccumulateRows(p, rows, weights, n, statistics, scratch);
    }

    protected override double RowLogResponsibilities(BernoulliParameters p, ReadOnlySpan<double> x, Span<double> logResp, RowScratch scratch)
    {
        int k = p.ComponentCount, d = x.Length;
        var value = scratch.PerFeature;
        for (int a = 0; a < d; a++)
            value[a] = (int)x[a];
        for (int j = 0; j < k; j++)
        {
            var terms = p.LogByValue.AsSpan(2 * j * d, 2 * d);
            double v = p.LogWeights[j];
            for (int a = 0; a < d; a++)
                v += terms[(2 * a) + value[a]];
            logResp[j] = v;
        }
        return Passes.NormaliseLogRow(logResp);
    }

    /// <summary>Refuses cells other than 0 and 1, naming the source, 1-based data row, column and value.</summary>
    public static void RequireBinary(RowSource data) =>
        CellChecks.RequireAll(data, v => v is 0 or 1, "is not 0 or 1; the Bernoulli family needs binary columns.");
}
