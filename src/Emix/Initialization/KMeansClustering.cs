using Emix.Em;
using Emix.Internals;

namespace Emix.Initialization;

/// <summary>
/// Lloyd's k-means from k-means++ seeds, as scikit-learn's <c>KMeans(n_init=1)</c> used by the
/// default GMM initialisation: at most 300 iterations, stopping when labels no longer change or
/// the total squared centre shift is at most 1e-4 × the mean per-feature variance. An empty
/// cluster keeps its previous centre (scikit-learn relocates it; with k-means++ seeds this is rare
/// and EM moves the component anyway). With sample weights, counts and sums are weighted (as
/// scikit-learn's <c>sample_weight</c>); the tolerance stays relative to the unweighted variance.
/// </summary>
internal static class KMeansClustering
{
    public const int MaxIterations = 300;
    public const double RelativeTolerance = 1e-4;

    public sealed record Result(double[] Centers, int[] Labels, int Iterations);

    public static Result Fit(DataSet data, int k, RandomSource rng, int? threads, CancellationToken cancellationToken)
    {
        int n = data.RowCount, d = data.FeatureCount;
        var values = data.RawValues;
        var weights = data.IsWeighted ? data.Weights.ToArray() : null;
        var seeds = KMeansPlusPlusSeeding.Select(data, k, rng, threads);
        var centers = new double[k * d];
        for (int j = 0; j < k; j++)
            values.AsSpan(seeds[j] * d, d).CopyTo(centers.AsSpan(j * d, d));

        var (_, variance) = ColumnMoments.Compute(data, threads);
        double tolerance = RelativeTolerance * variance.Average();
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        var labels = new int[n];
        Array.Fill(labels, -1);
        // Statistics: [changed labels], counts (k), sums (k×d).
        var stats = new double[1 + k + (k * d)];
        int iteration = 0;
        bool strict = false;
        while (iteration < MaxIterations)
        {
            iteration++;
            var current = centers;
            ChunkRunner.Reduce<object?>(chunking, stats.Length, threads, static () => null, (c, s, _) =>
            {
                int start = chunking.Start(c), len = chunking.Length(c);
                for (int i = start; i < start + len; i++)
                {
                    var x = values.AsSpan(i * d, d);
                    int label = Nearest(x, current, k);
                    if (label != labels[i])
                        s[0] += 1;
                    labels[i] = label;
                    double w = weights is null ? 1.0 : weights[i];
                    s[1 + label] += w;
                    var sum = s.Slice(1 + k + (label * d), d);
                    for (int a = 0; a < d; a++)
                        sum[a] += w * x[a];
                }
            }, stats, cancellationToken: cancellationToken);
            if (stats[0] == 0)
            {
                strict = true;
                break;
            }
            var next = new double[k * d];
            double shift = 0;
            for (int j = 0; j < k; j++)
            {
                double count = stats[1 + j];
                for (int a = 0; a < d; a++)
                {
                    double v = count > 0 ? stats[1 + k + (j * d) + a] / count : current[(j * d) + a];
                    next[(j * d) + a] = v;
                    double e = v - current[(j * d) + a];
                    shift += e * e;
                }
            }
            centers = next;
            if (shift <= tolerance)
                break;
        }
        if (!strict)
        {
            // Labels must match the final centres (scikit-learn reassigns after a tolerance stop).
            var final = centers;
            ChunkRunner.ForEach<object?>(chunking, threads, static () => null, (c, _) =>
            {
                int start = chunking.Start(c), len = chunking.Length(c);
                for (int i = start; i < start + len; i++)
                    labels[i] = Nearest(values.AsSpan(i * d, d), final, k);
            }, cancellationToken: cancellationToken);
        }
        return new Result(centers, labels, iteration);
    }

    internal static int Nearest(ReadOnlySpan<double> x, double[] centers, int k)
    {
        int d = x.Length, best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int j = 0; j < k; j++)
        {
            double dist = KMeansPlusPlusSeeding.SquaredDistance(x, centers.AsSpan(j * d, d));
            if (dist < bestDistance)
            {
                bestDistance = dist;
                best = j;
            }
        }
        return best;
    }
}
