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
    /// The passes over the rows are bound by memory bandwidth on large data, and k-means++ makes
    /// one per seed. When a row has more features than there are candidates (2 + ⌊ln k⌋), each
    /// candidate's pass also keeps the distances as they would be with that candidate chosen, and
    /// the chosen one's array becomes the new distances: writing those arrays costs less than
    /// reading the rows again in an update pass, and they take less memory than the data. With
    /// fewer features the update pass is the cheaper one.
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
        // The n-arrays here are written in full before they are read: no need to zero them first.
        var closest = GC.AllocateUninitializedArray<double>(n);
        ChunkRunner.Reduce(chunking, d, threads, () => new DistanceScratch(scratchLength), (c, sums, scratch) =>
        {
            int start = chunking.Start(c), len = chunking.Length(c);
            var rows = values.AsSpan(start * d, len * d);
            distances.ToCentres(rows, d, values.AsSpan(centers[0] * d, d), closest.AsSpan(start, len), scratch.Block);
            ColumnMoments.AddColumns(rows, sums);
        }, columnSums, static scratch => scratch.Dispose());
        if (k == 1)
            return centers;
        var prefix = GC.AllocateUninitializedArray<double>(n);
        var candidates = new int[trials];
        var candidateRows = new double[trials * d];
        var potentials = new double[trials];
        // The distances as they would be with each candidate chosen (see the remarks); none kept
        // when an update pass is cheaper.
        double[][] closestWith = d > trials ? [.. Enumerable.Range(0, trials).Select(_ => GC.AllocateUninitializedArray<double>(n))] : [];
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
                Potentials(current.AsSpan(start, len), weights is null ? default : weights.AsSpan(start, len), toCandidates, stats);
                for (int t = 0; t < closestWith.Length; t++)
                    toCandidates.Slice(t * len, len).CopyTo(closestWith[t].AsSpan(start, len));
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
            if (closestWith.Length > 0)
            {
                (closest, closestWith[best]) = (closestWith[best], closest);
                continue;
            }
            var chosen = candidateRows.AsSpan(best * d, d).ToArray();
            var updated = closest;
            ChunkRunner.ForEach(chunking, threads, () => new DistanceScratch(scratchLength, distanceLength: chunking.ChunkRows), (c, scratch) =>
            {
                int start = chunking.Start(c), len = chunking.Length(c);
                var toChosen = scratch.Distances.AsSpan(0, len);
                distances.ToCentres(values.AsSpan(start * d, len * d), d, chosen, toChosen, scratch.Block);
                var rowClosest = updated.AsSpan(start, len);
                for (int i = 0; i < len; i++)
                    rowClosest[i] = Math.Min(rowClosest[i], toChosen[i]);
            }, static scratch => scratch.Dispose());
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
    /// For candidate t and the n rows of a chunk: distances[t·n + i] becomes min(closest[i],
    /// distances[t·n + i]) in place, and potentials[t] = Σᵢ wᵢ · that, rows in order (wᵢ = 1 without
    /// weights: no multiply). The sums go four candidates at a time: they are independent, so the
    /// adds overlap instead of each waiting on the previous one.
    /// </summary>
    private static void Potentials(ReadOnlySpan<double> closest, ReadOnlySpan<double> weights, Span<double> distances, Span<double> potentials)
    {
        int n = closest.Length, trials = potentials.Length;
        for (int t = 0; t < trials; t++)
        {
            var dt = distances.Slice(t * n, n);
            for (int i = 0; i < n; i++)
                dt[i] = Math.Min(closest[i], dt[i]);
        }
        for (int t0 = 0; t0 < trials; t0 += 4)
        {
            // Past the last candidate the group reads the last one again; those sums are not kept.
            var d0 = distances.Slice(t0 * n, n);
            var d1 = distances.Slice(Math.Min(t0 + 1, trials - 1) * n, n);
            var d2 = distances.Slice(Math.Min(t0 + 2, trials - 1) * n, n);
            var d3 = distances.Slice(Math.Min(t0 + 3, trials - 1) * n, n);
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            if (weights.IsEmpty)
            {
                for (int i = 0; i < n; i++)
                {
                    s0 += d0[i];
                    s1 += d1[i];
                    s2 += d2[i];
                    s3 += d3[i];
                }
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    double w = weights[i];
                    s0 += w * d0[i];
                    s1 += w * d1[i];
                    s2 += w * d2[i];
                    s3 += w * d3[i];
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
