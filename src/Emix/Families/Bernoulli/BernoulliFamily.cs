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
internal sealed class BernoulliFamily : IMixtureFamily<BernoulliParameters>
{
    public static readonly BernoulliFamily Instance = new();

    public string Name => "bernoulli";

    public int ComponentCount(BernoulliParameters p) => p.ComponentCount;

    public StatisticsLayout Layout(BernoulliParameters p) => p.StatisticsLayout;

    public ReadOnlySpan<double> Centres(BernoulliParameters p) => default;

    public object ScratchKey(BernoulliParameters p) => (p.ComponentCount, p.FeatureCount);

    public object CreateScratch(int chunkRows, BernoulliParameters p) => new double[p.ComponentCount];

    public void Accumulate(BernoulliParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch)
    {
        int d = p.FeatureCount;
        var layout = p.StatisticsLayout;
        var nk = layout.Nk(statistics);
        var sums = layout.Sums(statistics);
        var logResp = ((double[])scratch).AsSpan(0, p.ComponentCount);
        double logLikelihood = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            if (w == 0)
                continue;
            var x = rows.Slice(i * d, d);
            logLikelihood += w * RowLogResponsibilities(p, x, logResp);
            layout.AddRow(x, logResp, w, nk, sums);
        }
        statistics[StatisticsLayout.LogLikelihoodOffset] += logLikelihood;
    }

    public double LogResponsibilities(BernoulliParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch)
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

    public double MostProbable(BernoulliParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch)
    {
        int d = p.FeatureCount;
        var logResp = ((double[])scratch).AsSpan(0, p.ComponentCount);
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

    public long FreeParameterCount(BernoulliParameters p) => p.FreeParameterCount;

    public bool IsFinite(BernoulliParameters p) => Array.TrueForAll(p.Weights, double.IsFinite) && Array.TrueForAll(p.Probabilities, double.IsFinite);

    private static double RowLogResponsibilities(BernoulliParameters p, ReadOnlySpan<double> x, Span<double> logResp)
    {
        int k = p.ComponentCount, d = x.Length;
        for (int j = 0; j < k; j++)
        {
            var one = p.LogOne.AsSpan(j * d, d);
            var zero = p.LogZero.AsSpan(j * d, d);
            double v = p.LogWeights[j];
            for (int a = 0; a < d; a++)
                v += x[a] == 1 ? one[a] : zero[a];
            logResp[j] = v;
        }
        return Passes.NormaliseLogRow(logResp);
    }

    /// <summary>Refuses cells other than 0 and 1, naming the source, 1-based data row, column and value.</summary>
    public static void RequireBinary(RowSource data)
    {
        int d = data.FeatureCount;
        double[]? buffer = null;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var (first, end) = data.Processes?.OwnedChunks(chunking, data.Processes.Rank) ?? (0, chunking.ChunkCount);
        for (int c = first; c < end; c++)
        {
            int start = chunking.Start(c);
            var rows = data.ReadRows(start, chunking.Length(c), ref buffer);
            for (int i = 0; i < rows.Length; i++)
            {
                double v = rows[i];
                if (v is 0 or 1)
                    continue;
                int row = start + (i / d), column = i % d;
                string what = double.IsNaN(v) ? "missing" : v.ToString("R", CultureInfo.InvariantCulture);
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Source}: data row {row + 1} (a header not counted), column {column + 1} ('{data.FeatureNames[column]}'): {what} is not 0 or 1; the Bernoulli family needs binary columns."));
            }
        }
    }
}
