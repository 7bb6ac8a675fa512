using System.Collections.Concurrent;
using Emix.Statistics;

namespace Emix.Engine;

/// <summary>
/// The passes over the rows that every family's fit and model make, through
/// <see cref="IMixtureFamily{TParameters}"/> alone: the E-step statistics, per-row evaluation, the
/// log-likelihood with cluster sizes, and the most probable components. Chunks are fixed by size and
/// merged in chunk order (<see cref="ChunkRunner"/>), so results do not depend on the thread count.
/// </summary>
internal static class Passes
{
    /// <summary>
    /// The E-step of every chunk under <paramref name="p"/>, merged in chunk order (and across the
    /// processes of <see cref="RowSource.Processes"/>): statistics around the family's centres of p.
    /// </summary>
    public static MixtureStatistics EStep<TParameters>(IMixtureFamily<TParameters> family, RowSource data, TParameters p, int chunkRows, int? threads,
        CancellationToken cancellationToken)
        where TParameters : class
    {
        var layout = family.Layout(p);
        var chunking = new Chunking(data.RowCount, chunkRows);
        var statistics = MixtureStatistics.Zero(layout, family.Centres(p));
        var pool = ScratchPool(family, p, chunkRows, 0);
        ChunkRunner.Reduce(chunking, layout.Length, threads, pool.Rent, (c, stats, scratch) =>
        {
            int n = chunking.Length(c), start = chunking.Start(c);
            family.Accumulate(p, data.ReadRows(start, n, ref scratch.Rows), data.ReadWeights(start, n), n, stats, scratch.Family);
        }, statistics.Values, pool.Return, data.Processes, cancellationToken);
        return statistics;
    }

    /// <summary>
    /// Runs the E-step of every chunk and hands each chunk's log-responsibilities (n×k) and
    /// log p(x_i) (n) to <paramref name="consume"/> with the chunk's first row.
    /// </summary>
    public static void Evaluate<TParameters>(IMixtureFamily<TParameters> family, RowSource data, TParameters p, int? threads, ChunkConsumer consume,
        CancellationToken cancellationToken = default)
        where TParameters : class
    {
        int k = family.ComponentCount(p);
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var pool = ScratchPool(family, p, chunking.ChunkRows, k);
        ChunkRunner.ForEach(chunking, threads, pool.Rent, (c, scratch) =>
        {
            int n = chunking.Length(c);
            var logResp = scratch.LogResp.AsSpan(0, n * k);
            var logNorm = scratch.LogNorm.AsSpan(0, n);
            family.LogResponsibilities(p, data.ReadRows(chunking.Start(c), n, ref scratch.Rows), n, logResp, logNorm, scratch.Family);
            consume(chunking.Start(c), n, logResp, logNorm);
        }, pool.Return, cancellationToken);
    }

    /// <summary>
    /// Σᵢ −wᵢ·log maxⱼ p(j | xᵢ) (wᵢ = 1 without sample weights) at <paramref name="p"/>: ICL's penalty, one
    /// E-step pass. Chunks may finish on any thread, so each chunk's sum goes to its own slot and the
    /// slots are added in chunk order (the same bits for any thread count).
    /// </summary>
    public static double ClassificationEntropy<TParameters>(IMixtureFamily<TParameters> family, RowSource data, TParameters p, int? threads,
        CancellationToken cancellationToken = default)
        where TParameters : class
    {
        int k = family.ComponentCount(p);
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows); // the chunks Evaluate uses
        var perChunk = new double[chunking.ChunkCount];
        Evaluate(family, data, p, threads, (start, n, logResp, _) =>
        {
            double sum = 0;
            var weights = data.ReadWeights(start, n);
            for (int i = 0; i < n; i++)
            {
                var row = logResp.Slice(i * k, k);
                double w = weights.IsEmpty ? 1.0 : weights[i];
                if (w != 0)
                    sum -= w * row[MostProbable(row)];
            }
            perChunk[start / Chunking.DefaultChunkRows] = sum;
        }, cancellationToken);
        double total = 0;
        foreach (double sum in perChunk)
            total += sum;
        return total;
    }

    /// <summary>
    /// Total log-likelihood Σ log p(x_i) (Σ w_i·log p(x_i) for weighted rows) and, when <paramref name="clusterSizes"/> is given, the
    /// number of rows whose most probable component is each j; one pass, summed in chunk order.
    /// </summary>
    public static double LogLikelihood<TParameters>(IMixtureFamily<TParameters> family, RowSource data, TParameters p, int? threads, int[]? clusterSizes = null)
        where TParameters : class
    {
        int k = family.ComponentCount(p);
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        int chunkRows = chunking.ChunkRows;
        var total = new double[1 + k];
        var pool = ScratchPool(family, p, chunkRows, 0);
        ChunkRunner.Reduce(chunking, 1 + k, threads, pool.Rent, (c, stats, scratch) =>
        {
            int n = chunking.Length(c), start = chunking.Start(c);
            var labels = scratch.LabelBuffer(chunkRows).AsSpan(0, n);
            var weights = data.ReadWeights(start, n);
            var logNorm = weights.IsEmpty ? default : scratch.NormBuffer(chunkRows).AsSpan(0, n);
            stats[0] = family.MostProbable(p, data.ReadRows(start, n, ref scratch.Rows), n, labels, logNorm, scratch.Family);
            if (!weights.IsEmpty)
                stats[0] = WeightedSum(logNorm, weights);
            if (clusterSizes is not null)
                CountLabels(labels, stats.Slice(1, k));
        }, total, pool.Return, processes: data.Processes);
        if (clusterSizes is not null)
            for (int j = 0; j < k; j++)
                clusterSizes[j] = (int)total[1 + j];
        return total[0];
    }

    /// <summary>Posterior probabilities of every row (n×k).</summary>
    public static double[,] Probabilities<TParameters>(IMixtureFamily<TParameters> family, RowSource data, TParameters p)
        where TParameters : class
    {
        int k = family.ComponentCount(p);
        var result = new double[data.RowCount, k];
        Evaluate(family, data, p, null, (start, n, logResp, _) =>
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++)
                    result[start + i, j] = Math.Exp(logResp[(i * k) + j]);
        });
        return result;
    }

    /// <summary>log p(x_i) of every row.</summary>
    public static double[] ScoreSamples<TParameters>(IMixtureFamily<TParameters> family, RowSource data, TParameters p)
        where TParameters : class
    {
        var result = new double[data.RowCount];
        Evaluate(family, data, p, null, (start, n, _, logNorm) => logNorm.CopyTo(result.AsSpan(start, n)));
        return result;
    }

    /// <summary>The most probable component of every row into <paramref name="labels"/>.</summary>
    public static void MostProbableComponents<TParameters>(IMixtureFamily<TParameters> family, RowSource data, TParameters p, int? threads, int[] labels)
        where TParameters : class
    {
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var pool = ScratchPool(family, p, chunking.ChunkRows, 0);
        ChunkRunner.ForEach(chunking, threads, pool.Rent, (c, scratch) =>
        {
            int n = chunking.Length(c), start = chunking.Start(c);
            family.MostProbable(p, data.ReadRows(start, n, ref scratch.Rows), n, labels.AsSpan(start, n), default, scratch.Family);
        }, pool.Return);
    }

    /// <summary>
    /// Σ w_i·log p(x_i) in row order over the rows of <paramref name="weights"/>. A row of weight 0
    /// adds nothing, even when no component can explain it (0·−∞ would be NaN).
    /// </summary>
    public static double WeightedSum(ReadOnlySpan<double> logNorm, ReadOnlySpan<double> weights)
    {
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
            if (weights[i] != 0)
                total += weights[i] * logNorm[i];
        return total;
    }

    /// <summary>Multiplies each row's k values (row-major) by the row's weight (nothing when <paramref name="weights"/> is empty).</summary>
    public static void ScaleRows(Span<double> values, ReadOnlySpan<double> weights, int k)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            var row = values.Slice(i * k, k);
            for (int j = 0; j < k; j++)
                row[j] *= weights[i];
        }
    }

    /// <summary>
    /// Turns one row of weighted log-densities log(w_j·p_j(x)) into log-responsibilities and
    /// returns log p(x) = log Σ_j exp(·) by log-sum-exp (−∞ when no component can explain the row).
    /// </summary>
    public static double NormaliseLogRow(Span<double> row)
    {
        double max = double.NegativeInfinity;
        foreach (double v in row)
            if (v > max)
                max = v;
        double norm = max;
        if (!double.IsNegativeInfinity(max))
        {
            double sum = 0;
            foreach (double v in row)
                sum += Math.Exp(v - max);
            norm = max + Math.Log(sum);
        }
        for (int j = 0; j < row.Length; j++)
            row[j] -= norm;
        return norm;
    }

    /// <summary>Index of the largest value; the first one on ties (as NumPy's argmax).</summary>
    public static int MostProbable(ReadOnlySpan<double> row)
    {
        // Conditional moves, not branches: which component wins is unpredictable row to row.
        int best = 0;
        double bestValue = row[0];
        for (int j = 1; j < row.Length; j++)
        {
            double value = row[j];
            bool greater = value > bestValue;
            best = greater ? j : best;
            bestValue = greater ? value : bestValue;
        }
        return best;
    }

    /// <summary>counts[j] += the number of labels equal to j (counted as integers: exact in any order).</summary>
    private static void CountLabels(ReadOnlySpan<int> labels, Span<double> counts)
    {
        Span<int> perLabel = counts.Length <= 256 ? stackalloc int[counts.Length] : new int[counts.Length];
        perLabel.Clear();
        foreach (int label in labels)
            perLabel[label]++;
        for (int j = 0; j < counts.Length; j++)
            counts[j] += perLabel[j];
    }

    /// <summary>
    /// Scratch is kept between passes, per family and shape: a fit makes one pass per iteration,
    /// and allocating a thread's scratch each time (some of it above the large-object threshold)
    /// cost more than the smaller passes themselves. At most one scratch per thread is alive per shape.
    /// </summary>
    private static readonly ConcurrentDictionary<(object Family, object Shape, int ChunkRows, int OutputComponents), Pool> Pools = new();

    private static Pool ScratchPool<TParameters>(IMixtureFamily<TParameters> family, TParameters p, int chunkRows, int outputComponents)
        where TParameters : class =>
        Pools.GetOrAdd((family, family.ScratchKey(p), chunkRows, outputComponents),
            static (key, state) => new Pool(() => new PassScratch(state.family.CreateScratch(key.ChunkRows, state.p), key.ChunkRows, key.OutputComponents)),
            (family, p));

    private sealed class Pool(Func<PassScratch> create)
    {
        private readonly ConcurrentBag<PassScratch> _free = [];

        public PassScratch Rent() => _free.TryTake(out var scratch) ? scratch : create();

        public void Return(PassScratch scratch) => _free.Add(scratch);
    }

    /// <summary>A family's scratch plus the buffers a chunk pass needs besides it.</summary>
    private sealed class PassScratch(object family, int chunkRows, int k)
    {
        public readonly object Family = family;
        public readonly double[] LogResp = new double[chunkRows * k];
        public readonly double[] LogNorm = new double[k == 0 ? 0 : chunkRows];
        public double[]? Rows;
        private int[]? _labels;
        private double[]? _norm;

        /// <summary>Labels of a chunk's rows (allocated on first use).</summary>
        public int[] LabelBuffer(int rows) => _labels ??= new int[rows];

        /// <summary>log p(x_i) of a chunk's rows where <see cref="LogNorm"/> was not allocated (allocated on first use).</summary>
        public double[] NormBuffer(int rows) => LogNorm.Length >= rows ? LogNorm : _norm ??= new double[rows];
    }
}

/// <summary>Receives one chunk's E-step results: first row, row count, log-responsibilities (n×k), log p(x_i) (n).</summary>
internal delegate void ChunkConsumer(int start, int n, ReadOnlySpan<double> logResp, ReadOnlySpan<double> logNorm);
