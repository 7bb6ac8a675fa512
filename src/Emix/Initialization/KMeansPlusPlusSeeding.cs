using Emix.Em;
using Emix.Internals;
using Emix.Kernels;

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
    public static int[] Select(DataSet data, int k, RandomSource rng, int? threads) =>
        Select(data, k, rng, threads, CentreDistances.Create(KernelVariant.Auto), new double[data.FeatureCount]);

    /// <summary>
    /// The same with the distance kernel given (every variant gives the same bits); the first pass
    /// over the rows also leaves the column sums in <paramref name="columnSums"/> (as
    /// <see cref="ColumnMoments"/> sums them), which saves k-means a pass.
    /// </summary>
    /// <remarks>
    /// Memory: besides the n distances to the nearest seed and their n prefix sums, one array of n
    /// per candidate (2 + ⌊ln k⌋) keeps the distances as they would be with that candidate chosen,
    /// so the chosen one's array becomes the new distances instead of another pass over the rows
    /// (the passes are bound by memory bandwidth, and k-means++ makes one per seed).
    /// </remarks>
    internal static int[] Select(DataSet data, int k, RandomSource rng, int? threads, CentreDistances distances, Span<double> columnSums)
    {
        int n = data.RowCount, d = data.FeatureCount;
        var values = data.RawValues;
        var weights = data.IsWeighted ? data.Weights.ToArray() : null;
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        int scratchLength = distances.ScratchLength(d);
        int trials = 2 + (int)Math.Log(k);
        var centers = new int[k];
        centers[0] = weights is null ? rng.NextInt(n) : rng.ChooseDistinctWeighted(weights, 1)[0];
        var closest = new double[n];
        ChunkRunner.Reduce(chunking, d, threads, () => new DistanceScratch(scratchLength), (c, sums, scratch) =>
        {
            int start = chunking.Start(c), len = chunking.Length(c);
            var rows = values.AsSpan(start * d, len * d);
            distances.ToCentres(rows, d, values.AsSpan(centers[0] * d, d), closest.AsSpan(start, len), scratch.Block);
            ColumnMoments.AddColumns(rows, sums);
        }, columnSums, static scratch => scratch.Dispose());
        if (k == 1)
            return centers;
        var prefix = new double[n];
        var candidates = new int[trials];
        var candidateRows = new double[trials * d];
        var potentials = new double[trials];
        var closestWith = new double[trials][];
        for (int t = 0; t < trials; t++)
            closestWith[t] = new double[n];
        for (int m = 1; m < k; m++)
        {
            PrefixSums(closest, weights, prefix);
            double running = prefix[n - 1];
            // All candidates first (the draws do not depend on the potentials), then one pass over
            // the rows measures every candidate's potential.
            for (int t = 0; t < trials; t++)
            {
                candidates[t] = Pick(prefix, rng.NextDouble() * running);
                values.AsSpan(candidates[t] * d, d).CopyTo(candidateRows.AsSpan(t * d, d));
            }
            var current = closest;
            ChunkRunner.Reduce(chunking, trials, threads, () => new DistanceScratch(scratchLength, distanceLength: trials * chunking.ChunkRows), (c, stats, scratch) =>
            {
                int start = chunking.Start(c), len = chunking.Length(c);
                var toCandidates = scratch.Distances.AsSpan(0, trials * len);
                distances.ToCentres(values.AsSpan(start * d, len * d), d, candidateRows, toCandidates, scratch.Block);
                Potentials(current.AsSpan(start, len), weights is null ? default : weights.AsSpan(start, len), toCandidates, closestWith, start, stats);
            }, potentials, static scratch => scratch.Dispose());
            int best = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                if (potentials[t] < bestPotential)
                {
                    bestPotential = potentials[t];
                    best = t;
                }
            }
            centers[m] = candidates[best];
            (closest, closestWith[best]) = (closestWith[best], closest);
        }
        return centers;
    }

    /// <summary>prefix[i] = Σ_{r ≤ i} w_r · closest[r], rows in order (w = 1 without weights: no multiply).</summary>
    private static void PrefixSums(double[] closest, double[]? weights, double[] prefix)
    {
        double running = 0;
        if (weights is null)
        {
            for (int i = 0; i < closest.Length; i++)
            {
                running += closest[i];
                prefix[i] = running;
            }
        }
        else
        {
            for (int i = 0; i < closest.Length; i++)
            {
                running += weights[i] * closest[i];
                prefix[i] = running;
            }
        }
    }

    /// <summary>
    /// For candidate t and the n rows of a chunk from row <paramref name="start"/>:
    /// closestWith[t][start + i] = min(closest[i], distances[t·n + i]), and potentials[t] = Σᵢ wᵢ · that,
    /// rows in order (wᵢ = 1 without weights: no multiply). Four candidates at a time: their sums
    /// are independent, so the adds overlap instead of each waiting on the previous one.
    /// </summary>
    private static void Potentials(ReadOnlySpan<double> closest, ReadOnlySpan<double> weights, ReadOnlySpan<double> distances, double[][] closestWith, int start, Span<double> potentials)
    {
        int n = closest.Length, trials = potentials.Length;
        for (int t0 = 0; t0 < trials; t0 += 4)
        {
            // Past the last candidate the group repeats it (same values written twice; the sums are not kept).
            int t1 = Math.Min(t0 + 1, trials - 1), t2 = Math.Min(t0 + 2, trials - 1), t3 = Math.Min(t0 + 3, trials - 1);
            var d0 = distances.Slice(t0 * n, n);
            var d1 = distances.Slice(t1 * n, n);
            var d2 = distances.Slice(t2 * n, n);
            var d3 = distances.Slice(t3 * n, n);
            var c0 = closestWith[t0].AsSpan(start, n);
            var c1 = closestWith[t1].AsSpan(start, n);
            var c2 = closestWith[t2].AsSpan(start, n);
            var c3 = closestWith[t3].AsSpan(start, n);
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int i = 0; i < n; i++)
            {
                double c = closest[i];
                c0[i] = Math.Min(c, d0[i]);
                c1[i] = Math.Min(c, d1[i]);
                c2[i] = Math.Min(c, d2[i]);
                c3[i] = Math.Min(c, d3[i]);
            }
            if (weights.IsEmpty)
            {
                for (int i = 0; i < n; i++)
                {
                    s0 += c0[i];
                    s1 += c1[i];
                    s2 += c2[i];
                    s3 += c3[i];
                }
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    double w = weights[i];
                    s0 += w * c0[i];
                    s1 += w * c1[i];
                    s2 += w * c2[i];
                    s3 += w * c3[i];
                }
            }
            Span<double> group = [s0, s1, s2, s3];
            group[..Math.Min(4, trials - t0)].CopyTo(potentials[t0..]);
        }
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

    /// <summary>Σₐ (xₐ − yₐ)², features ascending (the reference of <see cref="CentreDistances"/>).</summary>
    /// <summary>Σₐ (xₐ − yₐ)², features ascending (the reference of <see cref="CentreDistances"/>).</summary>
    internal static double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => CentreDistances.SquaredDistance(x, y);
}
