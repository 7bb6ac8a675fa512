using Emix.Engine;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Families.Gaussian;

/// <summary>
/// The Gaussian algebra of EM over a data set in chunks: E-step statistics, M-step, and per-row
/// evaluation. The EM loop itself (restarts, tolerance, best run) lives in <see cref="EmDriver"/>.
/// </summary>
internal static class GaussianEm
{
    /// <summary>scikit-learn adds 10·eps to every nk so that an empty component does not divide by zero.</summary>
    public const double NkGuard = 10 * 2.220446049250313e-16;

    /// <summary>
    /// E-step of every chunk merged in chunk order: returns the statistics buffer; its first
    /// entry is the total log-likelihood of <paramref name="p"/>. Statistics are centred on p's means.
    /// </summary>
    public static double[] EStepStatistics(RowSource data, GaussianParameters p, IEStepKernel kernel, int chunkRows, int? threads, CancellationToken cancellationToken)
    {
        if (data.HasMissing)
            return Families.Gaussian.Missing.MissingValueEm.EStepStatistics(data, p, kernel, chunkRows, threads, cancellationToken);
        int k = p.ComponentCount, d = p.FeatureCount;
        var layout = new SufficientStatistics(p.Structure, k, d);
        var chunking = new Chunking(data.RowCount, chunkRows);
        var total = new double[layout.Length];
        var pool = ScratchPool(kernel, p, chunkRows, 0);
        ChunkRunner.Reduce(chunking, layout.Length, threads, pool.Rent, (c, stats, scratch) =>
        {
            int n = chunking.Length(c), start = chunking.Start(c);
            kernel.Accumulate(p, data.ReadRows(start, n, ref scratch.Rows), data.ReadWeights(start, n), n, layout, stats, scratch.Kernel);
        }, total, pool.Return, data.Processes, cancellationToken);
        return total;
    }

    /// <summary>Adds nk, first and second moments of one chunk with given responsibilities.</summary>
    public static void AccumulateChunk(CovarianceStructure structure, SufficientStatistics layout, ReadOnlySpan<double> rows, int n,
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
    /// M-step from merged statistics centred on <paramref name="shifts"/>. Weights are
    /// nkReg / Σ nkReg (after an E-step) or nkReg / <paramref name="initRowCount"/> (after an
    /// initialisation, as scikit-learn, which does not renormalise them there).
    /// </summary>
    public static GaussianParameters MStep(CovarianceStructure structure, int k, int d, double[] stats, ReadOnlySpan<double> shifts,
        double regCovar, double? initRowCount = null)
    {
        var (weights, means, covariances) = MStepValues(structure, k, d, stats, shifts, regCovar, initRowCount, null);
        return GaussianParameters.Create(structure, k, d, weights, means, covariances);
    }

    /// <summary>
    /// The M-step's weights, means and covariances, before their factorisation (which is where a
    /// collapsed component shows). <paramref name="frozen"/> keeps its parameters as given.
    /// </summary>
    public static (double[] Weights, double[] Means, double[] Covariances) MStepValues(CovarianceStructure structure, int k, int d,
        double[] stats, ReadOnlySpan<double> shifts, double regCovar, double? initRowCount, FrozenParts? frozen)
    {
        var layout = new SufficientStatistics(structure, k, d);
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
        structure.EstimateCovariances(k, d, nkReg, delta, layout.SecondMoment(span), regCovar, covariances);
        frozen?.ApplyCovariances(covariances);
        var weights = new double[k];
        double divisor = initRowCount ?? nkRegSum;
        for (int j = 0; j < k; j++)
            weights[j] = nkReg[j] / divisor;
        frozen?.ApplyWeights(weights, nkReg);
        return (weights, means, covariances);
    }

    /// <summary>
    /// Runs the E-step of every chunk and hands each chunk's log-responsibilities (n×k) and
    /// log p(x_i) (n) to <paramref name="consume"/> with the chunk's first row.
    /// </summary>
    public static void Evaluate(RowSource data, GaussianParameters p, IEStepKernel kernel, int? threads, ChunkConsumer consume, CancellationToken cancellationToken = default)
    {
        if (data.HasMissing)
        {
            Families.Gaussian.Missing.MissingValueEm.Evaluate(data, p, kernel, threads, consume, cancellationToken);
            return;
        }
        int k = p.ComponentCount, d = p.FeatureCount;
        int chunkRows = Chunking.DefaultChunkRows;
        var chunking = new Chunking(data.RowCount, chunkRows);
        var pool = ScratchPool(kernel, p, chunkRows, k);
        ChunkRunner.ForEach(chunking, threads, pool.Rent, (c, scratch) =>
        {
            int n = chunking.Length(c);
            var logResp = scratch.LogResp.AsSpan(0, n * k);
            var logNorm = scratch.LogNorm.AsSpan(0, n);
            kernel.LogResponsibilities(p, data.ReadRows(chunking.Start(c), n, ref scratch.Rows), n, logResp, logNorm, scratch.Kernel);
            consume(chunking.Start(c), n, logResp, logNorm);
        }, pool.Return, cancellationToken);
    }

    /// <summary>
    /// Scratch is kept between passes, per kernel and shape: a fit makes one pass per iteration,
    /// and allocating a thread's scratch each time (some of it above the large-object threshold)
    /// cost more than the smaller passes themselves. At most one scratch per thread is alive per shape.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(IEStepKernel, int, int, CovarianceType, int, int), Pool> Pools = new();

    private static Pool ScratchPool(IEStepKernel kernel, GaussianParameters p, int chunkRows, int outputComponents) =>
        Pools.GetOrAdd((kernel, p.ComponentCount, p.FeatureCount, p.Structure.Type, chunkRows, outputComponents),
            static (key, parameters) => new Pool(() => new KernelScratch(key.Item1.CreateScratch(key.Item5, parameters), key.Item5, key.Item6)), p);

    internal sealed class Pool(Func<KernelScratch> create)
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<KernelScratch> _free = [];

        public KernelScratch Rent() => _free.TryTake(out var scratch) ? scratch : create();

        public void Return(KernelScratch scratch) => _free.Add(scratch);
    }

    /// <summary>A kernel's scratch plus the buffers a chunk pass needs besides it.</summary>
    internal sealed class KernelScratch(object kernel, int chunkRows, int k)
    {
        public readonly object Kernel = kernel;
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

    /// <summary>
    /// Total log-likelihood Σ log p(x_i) (Σ w_i·log p(x_i) for weighted rows) and, when <paramref name="clusterSizes"/> is given, the
    /// number of rows whose most probable component is each j; one pass, summed in chunk order.
    /// </summary>
    public static double LogLikelihood(RowSource data, GaussianParameters p, IEStepKernel kernel, int? threads, int[]? clusterSizes = null)
    {
        if (data.HasMissing)
            return Families.Gaussian.Missing.MissingValueEm.LogLikelihood(data, p, kernel, threads, clusterSizes);
        int k = p.ComponentCount, d = p.FeatureCount;
        int chunkRows = Chunking.DefaultChunkRows;
        var chunking = new Chunking(data.RowCount, chunkRows);
        var total = new double[1 + k];
        var pool = ScratchPool(kernel, p, chunkRows, 0);
        ChunkRunner.Reduce(chunking, 1 + k, threads, pool.Rent, (c, stats, scratch) =>
        {
            int n = chunking.Length(c), start = chunking.Start(c);
            var labels = scratch.LabelBuffer(chunkRows).AsSpan(0, n);
            var weights = data.ReadWeights(start, n);
            var logNorm = weights.IsEmpty ? default : scratch.NormBuffer(chunkRows).AsSpan(0, n);
            stats[0] = kernel.MostProbable(p, data.ReadRows(start, n, ref scratch.Rows), n, labels, logNorm, scratch.Kernel);
            if (!weights.IsEmpty)
                stats[0] = EStepKernel.WeightedSum(logNorm, weights);
            if (clusterSizes is not null)
                CountLabels(labels, stats.Slice(1, k));
        }, total, pool.Return, processes: data.Processes);
        if (clusterSizes is not null)
            for (int j = 0; j < k; j++)
                clusterSizes[j] = (int)total[1 + j];
        return total[0];
    }

    /// <summary>
    /// The most probable component of every row into <paramref name="labels"/> (as
    /// <see cref="MostProbable"/> over each row of <see cref="Evaluate"/>'s log-responsibilities).
    /// </summary>
    public static void MostProbableComponents(RowSource data, GaussianParameters p, IEStepKernel kernel, int? threads, int[] labels)
    {
        if (data.HasMissing)
        {
            int k = p.ComponentCount;
            Evaluate(data, p, kernel, threads, (start, n, logResp, _) =>
            {
                for (int i = 0; i < n; i++)
                    labels[start + i] = MostProbable(logResp.Slice(i * k, k));
            });
            return;
        }
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var pool = ScratchPool(kernel, p, chunking.ChunkRows, 0);
        ChunkRunner.ForEach(chunking, threads, pool.Rent, (c, scratch) =>
        {
            int n = chunking.Length(c), start = chunking.Start(c);
            kernel.MostProbable(p, data.ReadRows(start, n, ref scratch.Rows), n, labels.AsSpan(start, n), default, scratch.Kernel);
        }, pool.Return);
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
}

/// <summary>Receives one chunk's E-step results: first row, row count, log-responsibilities (n×k), log p(x_i) (n).</summary>
internal delegate void ChunkConsumer(int start, int n, ReadOnlySpan<double> logResp, ReadOnlySpan<double> logNorm);
