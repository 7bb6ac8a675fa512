using Emix.Em;
using Emix.Internals;

namespace Emix.Initialization;

/// <summary>
/// The responsibilities an initialisation method starts EM from, produced chunk by chunk so that
/// no n×k matrix is ever held (scikit-learn materialises one).
/// </summary>
internal abstract class InitialResponsibilities
{
    /// <summary>Writes the responsibilities (n×k) of rows [start, start+n) of chunk <paramref name="chunk"/>.</summary>
    public abstract void Fill(int chunk, int start, int n, int k, Span<double> resp);

    /// <summary>Hard assignment: row i belongs wholly to component labels[i], or to none when it is -1.</summary>
    public sealed class Assigned(int[] labels) : InitialResponsibilities
    {
        public override void Fill(int chunk, int start, int n, int k, Span<double> resp)
        {
            resp[..(n * k)].Clear();
            for (int i = 0; i < n; i++)
            {
                int label = labels[start + i];
                if (label >= 0)
                    resp[(i * k) + label] = 1.0;
            }
        }

        /// <summary>Component j starts on row indices[j] alone (k-means++ and random_from_data).</summary>
        public static Assigned FromSelectedRows(int rowCount, IReadOnlyList<int> indices)
        {
            var labels = new int[rowCount];
            Array.Fill(labels, -1);
            for (int j = 0; j < indices.Count; j++)
                labels[indices[j]] = j;
            return new Assigned(labels);
        }
    }

    /// <summary>
    /// Uniform random responsibilities normalised per row (scikit-learn's "random"). Each chunk
    /// draws from its own stream derived from one base seed, so the draws do not depend on threads.
    /// </summary>
    public sealed class Uniform(long baseSeed) : InitialResponsibilities
    {
        public override void Fill(int chunk, int start, int n, int k, Span<double> resp)
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
    public static InitialResponsibilities Create(InitMethod method, DataSet data, int k, RandomSource rng, int? threads, CancellationToken cancellationToken) =>
        method switch
        {
            InitMethod.KMeans => new InitialResponsibilities.Assigned(
                KMeansClustering.Fit(data, k, rng, threads, cancellationToken).Labels),
            InitMethod.KMeansPlusPlus => InitialResponsibilities.Assigned.FromSelectedRows(
                data.RowCount, KMeansPlusPlusSeeding.Select(data, k, rng, threads)),
            InitMethod.Random => new InitialResponsibilities.Uniform(rng.NextInt64()),
            InitMethod.RandomFromData => InitialResponsibilities.Assigned.FromSelectedRows(
                data.RowCount, rng.ChooseDistinct(data.RowCount, k)),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown init method"),
        };
}

/// <summary>Column means and variances in one deterministic chunked pass each.</summary>
internal static class ColumnMoments
{
    public static (double[] Mean, double[] Variance) Compute(DataSet data, int? threads)
    {
        int d = data.FeatureCount, n = data.RowCount;
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        var values = data.RawValues;
        var sum = new double[d];
        ChunkRunner.Reduce<object?>(chunking, d, threads, static () => null, (c, stats, _) =>
        {
            var rows = values.AsSpan(chunking.Start(c) * d, chunking.Length(c) * d);
            for (int i = 0; i < rows.Length; i++)
                stats[i % d] += rows[i];
        }, sum);
        var mean = new double[d];
        for (int a = 0; a < d; a++)
            mean[a] = sum[a] / n;
        var squares = new double[d];
        ChunkRunner.Reduce<object?>(chunking, d, threads, static () => null, (c, stats, _) =>
        {
            var rows = values.AsSpan(chunking.Start(c) * d, chunking.Length(c) * d);
            for (int i = 0; i < rows.Length; i++)
            {
                double e = rows[i] - mean[i % d];
                stats[i % d] += e * e;
            }
        }, squares);
        for (int a = 0; a < d; a++)
            squares[a] /= n;
        return (mean, squares);
    }
}
