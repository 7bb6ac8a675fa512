using Emix.Em;
using Emix.Internals;

namespace Emix.Initialization;

/// <summary>
/// Greedy k-means++ seeding (Arthur and Vassilvitskii, 2007, with 2 + ⌊ln k⌋ candidates per step
/// keeping the one that lowers the potential most, as scikit-learn does). Distances are updated
/// chunk by chunk; potentials are summed in chunk order, so the choice does not depend on threads.
/// With sample weights (as scikit-learn's <c>sample_weight</c>), rows are drawn with probability
/// proportional to w·D² (the first one to w) and the potential is Σ w·D².
/// </summary>
internal static class KMeansPlusPlusSeeding
{
    public static int[] Select(DataSet data, int k, RandomSource rng, int? threads)
    {
        int n = data.RowCount, d = data.FeatureCount;
        var values = data.RawValues;
        var weights = data.IsWeighted ? data.Weights.ToArray() : null;
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        int trials = 2 + (int)Math.Log(k);
        var centers = new int[k];
        centers[0] = weights is null ? rng.NextInt(n) : rng.ChooseDistinctWeighted(weights, 1)[0];
        var closest = new double[n];
        ChunkRunner.ForEach<object?>(chunking, threads, static () => null, (c, _) =>
        {
            int start = chunking.Start(c), len = chunking.Length(c);
            var center = values.AsSpan(centers[0] * d, d);
            for (int i = start; i < start + len; i++)
                closest[i] = SquaredDistance(values.AsSpan(i * d, d), center);
        });
        var prefix = new double[n];
        var potential = new double[1];
        for (int m = 1; m < k; m++)
        {
            double running = 0;
            for (int i = 0; i < n; i++)
            {
                running += weights is null ? closest[i] : weights[i] * closest[i];
                prefix[i] = running;
            }
            int best = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                int candidate = Pick(prefix, rng.NextDouble() * running);
                ChunkRunner.Reduce<object?>(chunking, 1, threads, static () => null, (c, stats, _) =>
                {
                    int start = chunking.Start(c), len = chunking.Length(c);
                    var center = values.AsSpan(candidate * d, d);
                    double s = 0;
                    for (int i = start; i < start + len; i++)
                    {
                        double distance = Math.Min(closest[i], SquaredDistance(values.AsSpan(i * d, d), center));
                        s += weights is null ? distance : weights[i] * distance;
                    }
                    stats[0] = s;
                }, potential);
                if (potential[0] < bestPotential)
                {
                    bestPotential = potential[0];
                    best = candidate;
                }
            }
            centers[m] = best;
            ChunkRunner.ForEach<object?>(chunking, threads, static () => null, (c, _) =>
            {
                int start = chunking.Start(c), len = chunking.Length(c);
                var center = values.AsSpan(best * d, d);
                for (int i = start; i < start + len; i++)
                    closest[i] = Math.Min(closest[i], SquaredDistance(values.AsSpan(i * d, d), center));
            });
        }
        return centers;
    }

    /// <summary>First index whose prefix sum exceeds <paramref name="target"/> (clipped to the last row).</summary>
    private static int Pick(double[] prefix, double target)
    {
        int lo = 0, hi = prefix.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (prefix[mid] > target)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

    internal static double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int a = 0; a < x.Length; a++)
        {
            double e = x[a] - y[a];
            s += e * e;
        }
        return s;
    }
}
