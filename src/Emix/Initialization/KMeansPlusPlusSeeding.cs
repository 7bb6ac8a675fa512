using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Emix.Engine;
using Emix.Internals;
using Emix.Families.Gaussian.Kernels;

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
    public static int[] Select(RowSource data, int k, RandomSource rng, int? threads) =>
        Select(data, k, rng, threads, CentreDistances.Create(KernelVariant.Auto), new double[data.FeatureCount]);

    /// <summary>
    /// The same with the distance kernel given (every variant gives the same bits); the first pass
    /// over the rows also leaves the column sums in <paramref name="columnSums"/> (as
    /// <see cref="ColumnMoments"/> sums them), which saves k-means a pass. <paramref name="spares"/>, when
    /// given, receives the n-long arrays of distances once they are no longer needed, for the caller
    /// to reuse: their pages are mapped already, and a first touch costs more than the write.
    /// </summary>
    /// <remarks>
    /// The passes over the rows are bound by memory bandwidth on large data, and k-means++ makes
    /// one per seed. When a row has more features than there are candidates (2 + ⌊ln k⌋), each
    /// candidate's pass also keeps the distances as they would be with that candidate chosen, and
    /// the chosen one's array becomes the new distances: writing those arrays costs less than
    /// reading the rows again in an update pass, and they take less memory than the data. With
    /// fewer features the update pass is the cheaper one.
    /// </remarks>
    internal static int[] Select(RowSource data, int k, RandomSource rng, int? threads, CentreDistances distances, Span<double> columnSums,
        List<double[]>? spares = null)
    {
        int n = data.RowCount, d = data.FeatureCount;
        var weights = data.IsWeighted ? data.Weights.ToArray() : null;
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        int scratchLength = distances.ScratchLength(d);
        int trials = 2 + (int)Math.Log(k);
        var centers = new int[k];
        centers[0] = weights is null ? rng.NextInt(n) : rng.ChooseDistinctWeighted(weights, 1)[0];
        // The n-arrays here are written in full before they are read: no need to zero them first.
        var closest = GC.AllocateUninitializedArray<double>(n);
        var firstCentre = new double[d];
        CopyRow(data, centers[0], firstCentre);
        ChunkRunner.Reduce(chunking, d, threads, () => new DistanceScratch(scratchLength), (c, sums, scratch) =>
        {
            int start = chunking.Start(c), len = chunking.Length(c);
            var rows = data.ReadRows(start, len, ref scratch.Rows);
            distances.ToCentres(rows, d, firstCentre, closest.AsSpan(start, len), scratch.Block);
            ColumnMoments.AddColumns(rows, sums);
        }, columnSums, static scratch => scratch.Dispose());
        spares?.Add(closest);
        if (k == 1)
            return centers;
        var blockSums = new double[(n + PrefixBlock - 1) / PrefixBlock];
        var candidates = new int[trials];
        var candidateRows = new double[trials * d];
        var potentials = new double[trials];
        // The distances as they would be with each candidate chosen (see the remarks); none kept
        // when an update pass is cheaper, or when the rows are streamed: there the trials × n
        // distances would cost more memory than the rows themselves hold in the source's buffers,
        // and the update pass reads them again instead.
        double[][] closestWith = d > trials && data.IsInMemory ? [.. Enumerable.Range(0, trials).Select(_ => GC.AllocateUninitializedArray<double>(n))] : [];
        spares?.AddRange(closestWith);
        for (int m = 1; m < k; m++)
        {
            PrefixSums(closest, weights, blockSums);
            double running = blockSums[^1];
            // All candidates first (the draws do not depend on the potentials), then one pass over
            // the rows measures every candidate's potential.
            for (int t = 0; t < trials; t++)
            {
                candidates[t] = Pick(closest, weights, blockSums, rng.NextDouble() * running);
                CopyRow(data, candidates[t], candidateRows.AsSpan(t * d, d));
            }
            var current = closest;
            ChunkRunner.Reduce(chunking, trials, threads, () => new DistanceScratch(scratchLength, distanceLength: trials * chunking.ChunkRows), (c, stats, scratch) =>
            {
                int start = chunking.Start(c), len = chunking.Length(c);
                var toCandidates = scratch.Distances.AsSpan(0, trials * len);
                distances.ToCentres(data.ReadRows(start, len, ref scratch.Rows), d, candidateRows, toCandidates, scratch.Block);
                Potentials(current.AsSpan(start, len), weights is null ? default : weights.AsSpan(start, len), toCandidates, stats, closestWith, start);
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
                distances.ToCentres(data.ReadRows(start, len, ref scratch.Rows), d, chosen, toChosen, scratch.Block);
                var rowClosest = updated.AsSpan(start, len);
                for (int i = 0; i < len; i++)
                    rowClosest[i] = Math.Min(rowClosest[i], toChosen[i]);
            }, static scratch => scratch.Dispose());
        }
        return centers;
    }

    /// <summary>Copies one row of <paramref name="data"/> (held in memory or streamed) into <paramref name="destination"/>.</summary>
    internal static void CopyRow(RowSource data, int row, Span<double> destination)
    {
        double[]? buffer = null;
        data.ReadRows(row, 1, ref buffer).CopyTo(destination);
    }

    /// <summary>
    /// Rows per block of the prefix sums: only the running sum at each block's end is kept, and
    /// <see cref="Pick"/> runs the sum again inside one block.
    /// </summary>
    private const int PrefixBlock = 1024;

    /// <summary>
    /// The running sum Σ_{r ≤ i} w_r · closest[r], rows in order (w = 1 without weights: no multiply),
    /// at the last row of each block of <see cref="PrefixBlock"/> rows.
    /// </summary>
    private static void PrefixSums(double[] closest, double[]? weights, double[] blockSums)
    {
        double running = 0;
        for (int b = 0; b < blockSums.Length; b++)
        {
            int end = Math.Min(closest.Length, (b + 1) * PrefixBlock);
            if (weights is null)
            {
                for (int i = b * PrefixBlock; i < end; i++)
                    running += closest[i];
            }
            else
            {
                for (int i = b * PrefixBlock; i < end; i++)
                    running += weights[i] * closest[i];
            }
            blockSums[b] = running;
        }
    }

    /// <summary>
    /// For candidate t and the n rows of a chunk: min(closest[i], distances[t·n + i]) goes to
    /// <paramref name="keep"/>[t] at row <paramref name="start"/> + i, or in place when nothing is
    /// kept, and potentials[t] = Σᵢ wᵢ · that, rows in order (wᵢ = 1 without weights: no multiply).
    /// The sums go four candidates at a time: they are independent, so the adds overlap instead of
    /// each waiting on the previous one.
    /// </summary>
    private static void Potentials(ReadOnlySpan<double> closest, ReadOnlySpan<double> weights, Span<double> distances, Span<double> potentials, double[][] keep, int start)
    {
        int n = closest.Length, trials = potentials.Length;
        for (int t = 0; t < trials; t++)
            Minimum(closest, distances.Slice(t * n, n), Result(distances, keep, start, n, t));
        for (int t0 = 0; t0 < trials; t0 += 4)
        {
            // Past the last candidate the group reads the last one again; those sums are not kept.
            var d0 = Result(distances, keep, start, n, t0);
            var d1 = Result(distances, keep, start, n, Math.Min(t0 + 1, trials - 1));
            var d2 = Result(distances, keep, start, n, Math.Min(t0 + 2, trials - 1));
            var d3 = Result(distances, keep, start, n, Math.Min(t0 + 3, trials - 1));
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

    /// <summary>Where candidate t's distances with the minimum taken go (see <see cref="Potentials"/>).</summary>
    private static Span<double> Result(Span<double> distances, double[][] keep, int start, int n, int t) =>
        keep.Length > 0 ? keep[t].AsSpan(start, n) : distances.Slice(t * n, n);

    /// <summary>
    /// target[i] = min(a[i], b[i]) (target may be b). The values are squared distances (finite, never
    /// −0), where the processor's minimum equals Math.Min.
    /// </summary>
    private static void Minimum(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> target)
    {
        int n = a.Length, i = 0;
        ref double ar = ref MemoryMarshal.GetReference(a);
        ref double br = ref MemoryMarshal.GetReference(b[..n]);
        ref double tr = ref MemoryMarshal.GetReference(target[..n]);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
                Vector512.MinNative(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref tr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 4; i += 4)
                Vector256.MinNative(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref tr, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref tr, i) = Math.Min(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
    }

    /// <summary>
    /// First row whose running sum (as <see cref="PrefixSums"/> adds it) exceeds <paramref name="target"/>,
    /// clipped to the last row: the block by its end sum, then the row by the same adds again from the
    /// previous block's end, so the same values as a full prefix array compare.
    /// </summary>
    private static int Pick(double[] closest, double[]? weights, double[] blockSums, double target)
    {
        int lo = 0, hi = blockSums.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (blockSums[mid] > target)
                hi = mid;
            else
                lo = mid + 1;
        }
        if (lo == blockSums.Length)
            return closest.Length - 1;
        double running = lo == 0 ? 0 : blockSums[lo - 1];
        int end = Math.Min(closest.Length, (lo + 1) * PrefixBlock);
        for (int i = lo * PrefixBlock; i < end; i++)
        {
            running += weights is null ? closest[i] : weights[i] * closest[i];
            if (running > target)
                return i;
        }
        return end - 1; // not reached: the block's end sum exceeds the target
    }

    /// <summary>Σₐ (xₐ − yₐ)², features ascending (the reference of <see cref="CentreDistances"/>).</summary>
    internal static double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => CentreDistances.SquaredDistance(x, y);
}
