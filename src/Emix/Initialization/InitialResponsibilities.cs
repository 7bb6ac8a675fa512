using Emix.Engine;
using Emix.Internals;

namespace Emix.Initialization;

/// <summary>
/// The responsibilities an initialisation method starts EM from, produced chunk by chunk so that
/// nothing of size n×k (scikit-learn materialises one), or even of size n, is ever held.
/// </summary>
internal abstract class InitialResponsibilities
{
    /// <summary>Writes the responsibilities (n×k) of rows [start, start+n) of chunk <paramref name="chunk"/>.</summary>
    public abstract void Fill(int chunk, int start, int n, int k, ReadOnlySpan<double> rows, Span<double> resp);

    /// <summary>
    /// Where every row goes wholly to one component: writes the components of rows [start, start+n)
    /// into <paramref name="labels"/> and returns true (their responsibilities are the one-hot rows
    /// <see cref="Fill"/> writes); otherwise returns false.
    /// </summary>
    public virtual bool TryLabels(int start, int n, ReadOnlySpan<double> rows, Span<int> labels) => false;

    /// <summary>Each row wholly to its nearest centre (k-means), the first on ties.</summary>
    public sealed class NearestCentre(double[] centres, int featureCount) : InitialResponsibilities
    {
        private readonly CentreDistances _distances = CentreDistances.Create(Families.Gaussian.Kernels.KernelVariant.Auto);

        public override void Fill(int chunk, int start, int n, int k, ReadOnlySpan<double> rows, Span<double> resp)
        {
            resp[..(n * k)].Clear();
            using var scratch = new DistanceScratch(0, labelLength: n);
            var labels = scratch.Labels.AsSpan(0, n);
            TryLabels(start, n, rows, labels);
            for (int i = 0; i < n; i++)
                resp[(i * k) + labels[i]] = 1.0;
        }

        public override bool TryLabels(int start, int n, ReadOnlySpan<double> rows, Span<int> labels)
        {
            using var scratch = new DistanceScratch(_distances.ScratchLength(featureCount));
            _distances.Nearest(rows[..(n * featureCount)], featureCount, centres, labels[..n], scratch.Block);
            return true;
        }
    }

    /// <summary>
    /// Each row wholly to the component the user gave it (<see cref="MixtureOptions.InitialLabels"/>),
    /// indexed by the row's global index (so a process of a distributed fit reads its own rows' labels).
    /// </summary>
    public sealed class GivenLabels(IReadOnlyList<int> given) : InitialResponsibilities
    {
        public override void Fill(int chunk, int start, int n, int k, ReadOnlySpan<double> rows, Span<double> resp)
        {
            resp[..(n * k)].Clear();
            for (int i = 0; i < n; i++)
                resp[(i * k) + given[start + i]] = 1.0;
        }

        public override bool TryLabels(int start, int n, ReadOnlySpan<double> rows, Span<int> labels)
        {
            for (int i = 0; i < n; i++)
                labels[i] = given[start + i];
            return true;
        }

        /// <summary>
        /// Refuses labels that do not fit the data: a count other than the row count, a label outside
        /// 0..k−1 or a component with no row; the message names the first problem (1-based row).
        /// </summary>
        public static void Check(IReadOnlyList<int> labels, int rowCount, int k, string source)
        {
            if (labels.Count != rowCount)
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{source}: {labels.Count} initial labels for {rowCount} rows; give one 0-based component per row."));
            var rows = new int[k];
            for (int i = 0; i < labels.Count; i++)
            {
                int label = labels[i];
                if (label < 0 || label >= k)
                    throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{source}: initial label of row {i + 1} is {label}, outside 0..{k - 1} for {k} components."));
                rows[label]++;
            }
            int empty = Array.IndexOf(rows, 0);
            if (empty >= 0)
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{source}: no row has initial label {empty}; every one of the {k} components needs at least one row."));
        }
    }

    /// <summary>
    /// Row rows[i] wholly to component components[i]; every other row to none, so that the first M-step
    /// sees those rows alone: one row per component (k-means++, random_from_data), or a subset's
    /// partition (the hierarchical start on a subset).
    /// </summary>
    public sealed class SelectedRows : InitialResponsibilities
    {
        private readonly int[] _rows;
        private readonly int[] _components;

        /// <summary>Component j starts on row indices[j] alone.</summary>
        public SelectedRows(IReadOnlyList<int> indices)
            : this(indices, Enumerable.Range(0, indices.Count).ToArray())
        {
        }

        public SelectedRows(IReadOnlyList<int> rows, IReadOnlyList<int> components)
        {
            _rows = [.. rows];
            _components = [.. components];
            Array.Sort(_rows, _components);
        }

        public override void Fill(int chunk, int start, int n, int k, ReadOnlySpan<double> rows, Span<double> resp)
        {
            resp[..(n * k)].Clear();
            int at = Array.BinarySearch(_rows, start);
            if (at < 0)
                at = ~at;
            for (; at < _rows.Length && _rows[at] < start + n; at++)
                resp[((_rows[at] - start) * k) + _components[at]] = 1.0;
        }
    }

    /// <summary>
    /// Uniform random responsibilities normalised per row (scikit-learn's "random"). Each chunk
    /// draws from its own stream derived from one base seed, so the draws do not depend on threads.
    /// </summary>
    public sealed class Uniform(long baseSeed) : InitialResponsibilities
    {
        public override void Fill(int chunk, int start, int n, int k, ReadOnlySpan<double> rows, Span<double> resp)
        {
            var rng = RandomSource.ForStream(baseSeed, chunk);
            for (int i = 0; i < n; i++)
            {
                var row = resp.Slice(i * k, k);
                double sum = 0;
                for (int j = 0; j < k; j++)
                {
                    row[j] = rng.NextDouble();
                    sum += row[j];
                }
                for (int j = 0; j < k; j++)
                    row[j] /= sum;
            }
        }
    }
}

/// <summary>Picks the initialisation strategy for a method (the one place that dispatches on it).</summary>
internal static class Initializer
{
    /// <summary>The responsibilities a run of a fit with options <paramref name="o"/> starts from: the given labels, or its init method's.</summary>
    public static InitialResponsibilities For(MixtureOptions o, RowSource data, RandomSource rng, CancellationToken cancellationToken) =>
        o.InitialLabels is { } labels
            ? new InitialResponsibilities.GivenLabels(labels)
            : o.Init == InitMethod.Hierarchical
                ? Hierarchical(o, data, cancellationToken)
                : Create(o.Init, data, o.ComponentCount, rng, o.InitSampleRows, o.MaxDegreeOfParallelism, cancellationToken);

    /// <summary>
    /// The hierarchical start: the clustering (given, or computed from the fit's seed, so a search that
    /// computes it once gets the same one) cut at k; with a subset, only its rows carry a label, so the
    /// first M-step is the subset's and the E-step after it covers all rows.
    /// </summary>
    private static InitialResponsibilities Hierarchical(MixtureOptions o, RowSource data, CancellationToken cancellationToken)
    {
        var clustering = o.Hierarchical.Clustering ?? HierarchicalClustering.Compute(data, o.Hierarchical, o.Seed, o.MaxDegreeOfParallelism, cancellationToken);
        if (clustering.RowCount != data.RowCount)
        {
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{data.Source}: the hierarchical clustering given was computed for {clustering.RowCount} rows; the data have {data.RowCount}."));
        }
        int k = o.ComponentCount;
        if (k > clustering.ClusteredRowCount)
        {
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{data.Source}: {k} components from a hierarchical clustering of {clustering.ClusteredRowCount} rows; use at most that many."));
        }
        var partition = clustering.Partition(k);
        return clustering.SubsetRows is { } rows
            ? new InitialResponsibilities.SelectedRows(rows, partition)
            : new InitialResponsibilities.GivenLabels(partition);
    }

    /// <summary>
    /// k-means and k-means++ run on at most this many rows drawn uniformly without replacement
    /// (all rows when there are fewer, as scikit-learn); k-means then assigns every row to its
    /// nearest centre in a streamed pass. This bounds initialisation memory for data that do not
    /// fit in memory, and keeps in-memory and streamed fits identical.
    /// </summary>
    public const int DefaultSampleRows = 1_000_000;

    public static InitialResponsibilities Create(InitMethod method, RowSource data, int k, RandomSource rng, int sampleRows, int? threads, CancellationToken cancellationToken)
    {
        switch (method)
        {
            case InitMethod.KMeans:
            {
                var (sample, _) = RowSample.Draw(data, sampleRows, rng, threads);
                return new InitialResponsibilities.NearestCentre(KMeansClustering.Fit(sample, k, rng, threads, cancellationToken).Centers, data.FeatureCount);
            }
            case InitMethod.KMeansPlusPlus:
            {
                var (sample, rows) = RowSample.Draw(data, sampleRows, rng, threads);
                var seeds = KMeansPlusPlusSeeding.Select(sample, k, rng, threads);
                return new InitialResponsibilities.SelectedRows(rows is null ? seeds : seeds.Select(i => rows[i]).ToArray());
            }
            case InitMethod.Random:
                return new InitialResponsibilities.Uniform(rng.NextInt64());
            case InitMethod.RandomFromData:
                return new InitialResponsibilities.SelectedRows(data.IsWeighted
                    ? rng.ChooseDistinctWeighted(data.Weights, k)
                    : rng.ChooseDistinct(data.RowCount, k));
            case InitMethod.Hierarchical:
                throw new ArgumentException("the hierarchical start needs the fit's options; use Initializer.For.", nameof(method));
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "unknown init method");
        }
    }
}

/// <summary>A uniform sample of rows held in memory, drawn in one streamed pass.</summary>
internal static class RowSample
{
    /// <summary>
    /// All rows when there are at most <paramref name="maxRows"/> (no random draw, and no copy: k-means
    /// reads them chunk by chunk as EM does, from memory or streamed), otherwise <paramref name="maxRows"/>
    /// distinct rows in file order and their indices, held in memory. A process's share of a distributed
    /// fit is gathered into one sample either way, so that every process runs the same k-means.
    /// </summary>
    public static (RowSource Sample, int[]? Rows) Draw(RowSource data, int maxRows, RandomSource rng, int? threads)
    {
        int n = data.RowCount, d = data.FeatureCount;
        bool all = n <= maxRows;
        if (all && data.Processes is null)
            return (data, null);
        // Rows are drawn uniformly and keep their weights, so the sample stays an unbiased stand-in.
        int[] rows = all ? Enumerable.Range(0, n).ToArray() : rng.ChooseDistinct(n, maxRows);
        Array.Sort(rows);
        var values = new double[(long)rows.Length * d];
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        var processes = data.Processes;
        ChunkRunner.ForEach<double[]?[]>(chunking, threads, static () => new double[]?[1], (c, buffer) =>
        {
            if (processes is not null && !Owns(processes, chunking, c))
                return;
            int start = chunking.Start(c), len = chunking.Length(c);
            int at = Array.BinarySearch(rows, start);
            if (at < 0)
                at = ~at;
            if (at >= rows.Length || rows[at] >= start + len)
                return;
            var chunk = data.ReadRows(start, len, ref buffer[0]);
            for (; at < rows.Length && rows[at] < start + len; at++)
                chunk.Slice((rows[at] - start) * d, d).CopyTo(values.AsSpan(at * d, d));
        });
        if (processes is not null)
            GatherSample(processes, chunking, rows, d, values);
        var sample = DataSet.Wrap(values, d, data.FeatureNames, data.Source + " (sample)");
        if (data.IsWeighted)
        {
            var weights = data.Weights;
            var sampleWeights = new double[rows.Length];
            for (int i = 0; i < rows.Length; i++)
                sampleWeights[i] = weights[rows[i]];
            sample = sample.WithWeights(sampleWeights);
        }
        return (sample, all ? null : rows);
    }

    private static bool Owns(Engine.ProcessGroup processes, Chunking chunking, int chunk)
    {
        var (first, end) = processes.OwnedChunks(chunking, processes.Rank);
        return chunk >= first && chunk < end;
    }

    /// <summary>
    /// In a distributed fit each process has filled the sample rows of its own chunks; the rows are
    /// sorted and the chunks of a process are contiguous, so each process's part is one contiguous
    /// segment and one all-gather in rank order gives every process the whole sample.
    /// </summary>
    private static void GatherSample(Engine.ProcessGroup processes, Chunking chunking, int[] rows, int d, double[] values)
    {
        var counts = new int[processes.Size];
        int mineAt = 0;
        for (int r = 0; r < processes.Size; r++)
        {
            var (first, end) = processes.OwnedChunks(chunking, r);
            int from = LowerBound(rows, first == chunking.ChunkCount ? chunking.RowCount : chunking.Start(first));
            int to = LowerBound(rows, end == chunking.ChunkCount ? chunking.RowCount : chunking.Start(end));
            counts[r] = checked((to - from) * d);
            if (r == processes.Rank)
                mineAt = from * d;
        }
        var mine = values.AsSpan(mineAt, counts[processes.Rank]).ToArray();
        processes.AllGather(mine, values, counts);
    }

    private static int LowerBound(int[] sorted, int value)
    {
        int at = Array.BinarySearch(sorted, value);
        return at < 0 ? ~at : at;
    }
}

/// <summary>Column means and variances in one deterministic chunked pass each.</summary>
internal static class ColumnMoments
{
    public static (double[] Mean, double[] Variance) Compute(RowSource data, int? threads)
    {
        int d = data.FeatureCount, n = data.RowCount;
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        var mean = Mean(data, threads);
        var squares = new double[d];
        ChunkRunner.Reduce<double[]?[]>(chunking, d, threads, static () => new double[]?[1], (c, stats, buffer) =>
            AddSquaredDeviations(data.ReadRows(chunking.Start(c), chunking.Length(c), ref buffer[0]), mean, stats), squares, processes: data.Processes);
        return (mean, PerRow(squares, n));
    }

    /// <summary>
    /// Column means and the covariance matrix (d×d, row-major) with divisor n − 1, as R's <c>var</c>: two
    /// deterministic chunked passes (the defaults of the conjugate prior).
    /// </summary>
    public static (double[] Mean, double[] Covariance) MeanAndCovariance(RowSource data, int? threads)
    {
        int d = data.FeatureCount, n = data.RowCount;
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        var mean = Mean(data, threads);
        var cross = new double[d * d];
        ChunkRunner.Reduce<double[]?[]>(chunking, d * d, threads, static () => new double[]?[1], (c, stats, buffer) =>
            AddCrossDeviations(data.ReadRows(chunking.Start(c), chunking.Length(c), ref buffer[0]), mean, stats), cross, processes: data.Processes);
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                cross[(a * d) + b] = b >= a ? cross[(a * d) + b] / (n - 1) : cross[(b * d) + a];
        return (mean, cross);
    }

    /// <summary>cross[a, b] += (xₐ − meanₐ)(x_b − mean_b) for b ≥ a over the rows, in order.</summary>
    private static void AddCrossDeviations(ReadOnlySpan<double> rows, ReadOnlySpan<double> mean, Span<double> cross)
    {
        int d = mean.Length;
        for (int i = 0; i < rows.Length; i += d)
        {
            var x = rows.Slice(i, d);
            for (int a = 0; a < d; a++)
            {
                double ea = x[a] - mean[a];
                for (int b = a; b < d; b++)
                    cross[(a * d) + b] += ea * (x[b] - mean[b]);
            }
        }
    }

    /// <summary>Column means alone: one pass (the initial M-step centres its statistics on them).</summary>
    public static double[] Mean(RowSource data, int? threads)
    {
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var sum = new double[data.FeatureCount];
        ChunkRunner.Reduce<double[]?[]>(chunking, sum.Length, threads, static () => new double[]?[1], (c, stats, buffer) =>
            AddColumns(data.ReadRows(chunking.Start(c), chunking.Length(c), ref buffer[0]), stats), sum, processes: data.Processes);
        return PerRow(sum, data.RowCount);
    }

    // The chunk steps and the final division are shared with k-means, which folds these passes into
    // its own passes over the rows (same chunks, same reduction tree, so the same bits).

    /// <summary>sums[a] += every row's feature a, rows in order (rows row-major, d = <paramref name="sums"/>.Length).</summary>
    public static void AddColumns(ReadOnlySpan<double> rows, Span<double> sums)
    {
        int d = sums.Length;
        for (int i = 0; i < rows.Length; i += d)
            RowSums.Add(sums, rows.Slice(i, d));
    }

    /// <summary>squares[a] += (xₐ − meanₐ)² over the rows, in order.</summary>
    public static void AddSquaredDeviations(ReadOnlySpan<double> rows, ReadOnlySpan<double> mean, Span<double> squares)
    {
        int d = squares.Length;
        for (int i = 0; i < rows.Length; i += d)
            RowSums.AddSquaredDeviations(squares, rows.Slice(i, d), mean);
    }

    /// <summary>totals[a] / n, as a new array.</summary>
    public static double[] PerRow(ReadOnlySpan<double> totals, int n)
    {
        var result = new double[totals.Length];
        for (int a = 0; a < totals.Length; a++)
            result[a] = totals[a] / n;
        return result;
    }
}
