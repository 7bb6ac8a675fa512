using System.Globalization;
using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Categorical;

/// <summary>
/// Categorical mixtures on the engine's contract: log p_j(x) = Σ_a log π_ja[x_a] over independent
/// integer-coded features. A level with probability 0 in a component (never seen there, without a
/// pseudo-count) makes that component impossible for a row at that level.
/// </summary>
internal sealed class CategoricalFamily : IMixtureFamily<CategoricalParameters>
{
    public static readonly CategoricalFamily Instance = new();

    public string Name => "categorical";

    public int ComponentCount(CategoricalParameters p) => p.ComponentCount;

    public StatisticsLayout Layout(CategoricalParameters p) => p.StatisticsLayout;

    public ReadOnlySpan<double> Centres(CategoricalParameters p) => default;

    public object ScratchKey(CategoricalParameters p) => (p.ComponentCount, p.FeatureCount);

    public object CreateScratch(int chunkRows, CategoricalParameters p) => new Scratch(p.ComponentCount, p.FeatureCount);

    private sealed class Scratch(int k, int d)
    {
        public readonly double[] LogResp = new double[k];
        public readonly int[] Level = new int[d];
    }

    public void Accumulate(CategoricalParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, d = p.FeatureCount, total = p.LevelTotal;
        var layout = p.StatisticsLayout;
        var nk = layout.Nk(statistics);
        var counts = layout.Counts(statistics);
        double logLikelihood = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            if (w == 0)
                continue;
            logLikelihood += w * RowLogResponsibilities(p, rows.Slice(i * d, d), s.LogResp, s.Level);
            for (int j = 0; j < k; j++)
            {
                double r = Math.Exp(s.LogResp[j]) * w;
                if (r == 0)
                    continue;
                nk[j] += r;
                for (int a = 0; a < d; a++)
                    counts[(j * total) + p.Offsets[a] + s.Level[a]] += r;
            }
        }
        statistics[StatisticsLayout.LogLikelihoodOffset] += logLikelihood;
    }

    public double LogResponsibilities(CategoricalParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, d = p.FeatureCount;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = RowLogResponsibilities(p, rows.Slice(i * d, d), logResp.Slice(i * k, k), s.Level);
            if (!logNorm.IsEmpty)
                logNorm[i] = norm;
            total += norm;
        }
        return total;
    }

    public double MostProbable(CategoricalParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch)
    {
        var s = (Scratch)scratch;
        int d = p.FeatureCount;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = RowLogResponsibilities(p, rows.Slice(i * d, d), s.LogResp, s.Level);
            labels[i] = Passes.MostProbable(s.LogResp);
            if (!logNorm.IsEmpty)
                logNorm[i] = norm;
            total += norm;
        }
        return total;
    }

    public long FreeParameterCount(CategoricalParameters p) => p.FreeParameterCount;

    public bool IsFinite(CategoricalParameters p) => Array.TrueForAll(p.Weights, double.IsFinite) && Array.TrueForAll(p.Probabilities, double.IsFinite);

    private static double RowLogResponsibilities(CategoricalParameters p, ReadOnlySpan<double> x, Span<double> logResp, Span<int> level)
    {
        int k = p.ComponentCount, d = x.Length, total = p.LevelTotal;
        for (int a = 0; a < d; a++)
            level[a] = p.Lookup[a][x[a]];
        for (int j = 0; j < k; j++)
        {
            double v = p.LogWeights[j];
            for (int a = 0; a < d; a++)
                v += p.LogProbabilities[(j * total) + p.Offsets[a] + level[a]];
            logResp[j] = v;
        }
        return Passes.NormaliseLogRow(logResp);
    }

    /// <summary>Most levels a feature may have: more suggests a column that is not categorical.</summary>
    public const int MaxLevels = 1000;

    /// <summary>
    /// The levels of every feature (its distinct values, ascending), refusing a cell that is not an integer
    /// (or is missing) with the source, 1-based data row, column and value.
    /// </summary>
    public static double[][] FindLevels(RowSource data)
    {
        int d = data.FeatureCount;
        var seen = Enumerable.Range(0, d).Select(_ => new HashSet<double>()).ToArray();
        double[]? buffer = null;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        for (int c = 0; c < chunking.ChunkCount; c++)
        {
            int start = chunking.Start(c);
            var rows = data.ReadRows(start, chunking.Length(c), ref buffer);
            for (int i = 0; i < rows.Length; i++)
            {
                RequireCode(data, start, i, d, rows[i]);
                if (seen[i % d].Add(rows[i]) && seen[i % d].Count > MaxLevels)
                    throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{data.Source}: column {(i % d) + 1} ('{data.FeatureNames[i % d]}') has more than {MaxLevels} distinct values; is it categorical?"));
            }
        }
        return seen.Select(s => s.Order().ToArray()).ToArray();
    }

    /// <summary>Refuses rows whose values are not among <paramref name="p"/>'s levels (new data at prediction).</summary>
    public static void RequireKnownLevels(RowSource data, CategoricalParameters p)
    {
        int d = data.FeatureCount;
        double[]? buffer = null;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        for (int c = 0; c < chunking.ChunkCount; c++)
        {
            int start = chunking.Start(c);
            var rows = data.ReadRows(start, chunking.Length(c), ref buffer);
            for (int i = 0; i < rows.Length; i++)
            {
                RequireCode(data, start, i, d, rows[i]);
                if (!p.Lookup[i % d].ContainsKey(rows[i]))
                    throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{data.Source}: data row {start + (i / d) + 1} (a header not counted), column {(i % d) + 1} ('{data.FeatureNames[i % d]}'): {rows[i]:R} is not one of the levels the model was fitted on ({string.Join(", ", p.Levels[i % d].Select(v => v.ToString("R", CultureInfo.InvariantCulture)))})."));
            }
        }
    }

    private static void RequireCode(RowSource data, int start, int i, int d, double v)
    {
        if (double.IsFinite(v) && v == Math.Floor(v))
            return;
        string what = double.IsNaN(v) ? "missing" : v.ToString("R", CultureInfo.InvariantCulture);
        throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
            $"{data.Source}: data row {start + (i / d) + 1} (a header not counted), column {(i % d) + 1} ('{data.FeatureNames[i % d]}'): {what} is not an integer code; the categorical family needs integer-coded columns."));
    }
}
