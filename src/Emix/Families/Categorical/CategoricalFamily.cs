using System.Globalization;
using Emix.Engine;
using Emix.Statistics;

namespace Emix.Families.Categorical;

/// <summary>
/// Categorical mixtures on the engine's contract: log p_j(x) = Σ_a log π_ja[x_a] over independent
/// integer-coded features. A level with probability 0 in a component (never seen there, without a
/// pseudo-count) makes that component impossible for a row at that level.
/// </summary>
internal sealed class CategoricalFamily : RowwiseFamily<CategoricalParameters>
{
    public static readonly CategoricalFamily Instance = new();

    public override string Name => "categorical";

    public override int ComponentCount(CategoricalParameters p) => p.ComponentCount;

    public override int FeatureCount(CategoricalParameters p) => p.FeatureCount;

    public override StatisticsLayout Layout(CategoricalParameters p) => p.StatisticsLayout;

    public override long FreeParameterCount(CategoricalParameters p) => p.FreeParameterCount;

    public override bool IsFinite(CategoricalParameters p) => Array.TrueForAll(p.Weights, double.IsFinite) && Array.TrueForAll(p.Probabilities, double.IsFinite);

    /// <summary>Adds r to nk and to the count of each feature's level (found by the row's E-step, in the scratch).</summary>
    protected override void AddRow(CategoricalParameters p, ReadOnlySpan<double> x, ReadOnlySpan<double> logResp, double weight, Span<double> statistics, RowScratch scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount, total = p.LevelTotal;
        var nk = p.StatisticsLayout.Nk(statistics);
        var counts = p.StatisticsLayout.Counts(statistics);
        for (int j = 0; j < k; j++)
        {
            double r = Math.Exp(logResp[j]) * weight;
            if (r == 0)
                continue;
            nk[j] += r;
            for (int a = 0; a < d; a++)
                counts[(j * total) + p.Offsets[a] + scratch.PerFeature[a]] += r;
        }
    }

    protected override double RowLogResponsibilities(CategoricalParameters p, ReadOnlySpan<double> x, Span<double> logResp, RowScratch scratch)
    {
        var level = scratch.PerFeature;
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
    public static double[][] FindLevels(RowSource data) => FindLevels(data, _ => true);

    /// <summary>The same for the columns <paramref name="categorical"/> accepts (0-based); the others get no levels (empty).</summary>
    public static double[][] FindLevels(RowSource data, Func<int, bool> categorical)
    {
        int d = data.FeatureCount;
        var chosen = Enumerable.Range(0, d).Select(categorical).ToArray();
        var seen = Enumerable.Range(0, d).Select(_ => new HashSet<double>()).ToArray();
        double[]? buffer = null;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        // A process of a distributed fit reads the rows it holds; the levels are then the union over processes.
        var (first, end) = data.Processes?.OwnedChunks(chunking, data.Processes.Rank) ?? (0, chunking.ChunkCount);
        for (int c = first; c < end; c++)
        {
            int start = chunking.Start(c);
            var rows = data.ReadRows(start, chunking.Length(c), ref buffer);
            for (int i = 0; i < rows.Length; i++)
            {
                if (!chosen[i % d])
                    continue;
                RequireCode(data, start, i, d, rows[i]);
                if (seen[i % d].Add(rows[i]) && seen[i % d].Count > MaxLevels)
                    throw TooManyLevels(data, i % d);
            }
        }
        if (data.Processes is { } processes)
            Unite(processes, seen, data);
        return seen.Select(s => s.Order().ToArray()).ToArray();
    }

    private static DataFormatException TooManyLevels(RowSource data, int column) => new(string.Create(CultureInfo.InvariantCulture,
        $"{data.Source}: column {column + 1} ('{data.FeatureNames[column]}') has more than {MaxLevels} distinct values; is it categorical?"));

    /// <summary>Adds every process's levels to <paramref name="seen"/>: each sends, per feature, its count and then its levels.</summary>
    private static void Unite(ProcessGroup processes, HashSet<double>[] seen, RowSource data)
    {
        var mine = new List<double>();
        foreach (var levels in seen)
        {
            mine.Add(levels.Count);
            mine.AddRange(levels.Order());
        }
        var lengths = new double[processes.Size];
        var ones = Enumerable.Repeat(1, processes.Size).ToArray();
        processes.AllGather([mine.Count], lengths, ones);
        var counts = lengths.Select(l => (int)l).ToArray();
        var all = new double[counts.Sum()];
        processes.AllGather(mine.ToArray(), all, counts);
        int at = 0;
        for (int rank = 0; rank < processes.Size; rank++)
        {
            for (int a = 0; a < seen.Length; a++)
            {
                int count = (int)all[at++];
                for (int l = 0; l < count; l++)
                    seen[a].Add(all[at++]);
                if (seen[a].Count > MaxLevels)
                    throw TooManyLevels(data, a);
            }
        }
    }

    /// <summary>Refuses rows whose values are not among <paramref name="p"/>'s levels (new data at prediction).</summary>
    public static void RequireKnownLevels(RowSource data, CategoricalParameters p) => RequireKnownLevels(data, p.Levels, p.Lookup);

    /// <summary>The same for the columns with a lookup (level → index); a null lookup skips its column.</summary>
    public static void RequireKnownLevels(RowSource data, double[][] levels, IReadOnlyList<Dictionary<double, int>?> lookup)
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
                if (lookup[i % d] is not { } known)
                    continue;
                RequireCode(data, start, i, d, rows[i]);
                if (!known.ContainsKey(rows[i]))
                    throw CellChecks.Bad(data, start + (i / d), i % d, rows[i],
                        $"is not one of the levels the model was fitted on ({string.Join(", ", levels[i % d].Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}).");
            }
        }
    }

    private static void RequireCode(RowSource data, int start, int i, int d, double v)
    {
        if (!(double.IsFinite(v) && v == Math.Floor(v)))
            throw CellChecks.Bad(data, start + (i / d), i % d, v, "is not an integer code; the categorical family needs integer-coded columns.");
    }
}
