using Emix.Engine;
using Emix.Internals;
using Emix.Families.Gaussian.Kernels;

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

    public sealed record Result(double[] Centers, int Iterations);

    public static Result Fit(RowSource data, int k, RandomSource rng, int? threads, CancellationToken cancellationToken) =>
        Fit(data, k, rng, threads, CentreDistances.Create(KernelVariant.Auto), cancellationToken);

    /// <summary>
    /// The same with the distance kernel given (every variant gives the same bits). Only the centres
    /// come back: the initialisation assigns the rows to them in its own pass
    /// (<see cref="InitialResponsibilities.NearestCentre"/>), so a relabelling pass here would be wasted.
    /// </summary>
    /// <remarks>
    /// The passes over the rows are bound by memory bandwidth on large data, so the column moments
    /// behind the tolerance ride along: the sums with the first k-means++ pass, the squared
    /// deviations with the first Lloyd pass (same chunks and reduction tree as
    /// <see cref="ColumnMoments.Compute"/>, so the same bits). After the first pass, rows whose
    /// <see cref="DistanceBounds"/> show that their label cannot change skip the distance kernel
    /// (<paramref name="useBounds"/> = false computes every distance, for tests): the same labels,
    /// so the same bits. Without weights, the counts and sums are carried from pass to pass and only
    /// the rows that change label move between them (scikit-learn sums every row again; the centres
    /// differ from that by rounding only, and do not depend on threads or kernel).
    /// </remarks>
    internal static Result Fit(RowSource data, int k, RandomSource rng, int? threads, CentreDistances distances, CancellationToken cancellationToken, bool useBounds = true)
    {
        int n = data.RowCount, d = data.FeatureCount;
        var weights = data.IsWeighted ? data.Weights.ToArray() : null;
        var columnSums = new double[d];
        var spares = new List<double[]>();
        var seeds = KMeansPlusPlusSeeding.Select(data, k, rng, threads, distances, columnSums, spares);
        var centers = new double[k * d];
        for (int j = 0; j < k; j++)
            KMeansPlusPlusSeeding.CopyRow(data, seeds[j], centers.AsSpan(j * d, d));

        var mean = ColumnMoments.PerRow(columnSums, n);
        double tolerance = double.NaN;
        var chunking = new Chunking(n, Chunking.DefaultChunkRows);
        int chunkRows = chunking.ChunkRows, scratchLength = distances.ScratchLength(d);
        var labels = GC.AllocateUninitializedArray<int>(n);
        Array.Fill(labels, -1);
        // Distance bounds per row (see DistanceBounds; written in full by the first pass, in arrays the
        // seeding is done with where it left some), and how far each centre moved in the last update.
        var upper = spares.Count > 0 ? spares[0] : GC.AllocateUninitializedArray<double>(n);
        var lower = spares.Count > 1 ? spares[1] : GC.AllocateUninitializedArray<double>(n);
        double[]? moves = null;
        // Statistics: [changed labels], counts (k), sums (k×d), and in the first iteration only the
        // squared deviations from the column means (d). Without weights, the passes after the first
        // give the changes of counts and sums (rows that changed label only; see AccumulateChanges),
        // and the totals carry them.
        int squaresAt = 1 + k + (k * d);
        var stats = new double[squaresAt + d];
        var totals = new double[k + (k * d)];
        bool incremental = weights is null;
        int iteration = 0;
        while (iteration < MaxIterations)
        {
            iteration++;
            var current = centers;
            var bounds = moves is null || !useBounds ? null : new DistanceBounds(moves);
            bool first = iteration == 1;
            var iterationStats = stats.AsSpan(0, first ? squaresAt + d : squaresAt);
            ChunkRunner.Reduce(chunking, iterationStats.Length, threads,
                () => new DistanceScratch(scratchLength, labelLength: 3 * chunkRows, distanceLength: (d + 2) * chunkRows), (c, s, scratch) =>
            {
                int start = chunking.Start(c), len = chunking.Length(c);
                var rows = data.ReadRows(start, len, ref scratch.Rows);
                var nearest = scratch.Labels.AsSpan(0, len);
                var rowUpper = upper.AsSpan(start, len);
                var rowLower = lower.AsSpan(start, len);
                if (bounds is null)
                    DistanceBounds.Compute(distances, rows, d, current, nearest, rowUpper, rowLower, scratch);
                else
                    bounds.Update(distances, rows, d, current, labels.AsSpan(start, len), nearest, rowUpper, rowLower, scratch);
                // The sums go to a cache-aligned buffer, then to the statistics (which start at zero).
                var sums = scratch.CacheAligned(k * d);
                sums.Clear();
                int changed = incremental && !first
                    ? AccumulateChanges(rows, nearest, labels.AsSpan(start, len), s.Slice(1, k), sums)
                    : Accumulate(rows, nearest, labels.AsSpan(start, len), weights is null ? default : weights.AsSpan(start, len), s.Slice(1, k), sums);
                sums.CopyTo(s.Slice(1 + k, k * d));
                s[0] = changed;
                if (first)
                    ColumnMoments.AddSquaredDeviations(rows, mean, s.Slice(squaresAt, d));
            }, iterationStats, static scratch => scratch.Dispose(), cancellationToken: cancellationToken);
            if (first)
                tolerance = RelativeTolerance * ColumnMoments.PerRow(stats.AsSpan(squaresAt, d), n).Average();
            if (stats[0] == 0)
                break;
            var pass = stats.AsSpan(1, totals.Length);
            if (incremental && !first)
            {
                for (int i = 0; i < totals.Length; i++)
                    totals[i] += pass[i];
            }
            else
            {
                pass.CopyTo(totals);
            }
            var next = new double[k * d];
            moves = new double[k];
            double shift = 0;
            for (int j = 0; j < k; j++)
            {
                double count = totals[j];
                double move = 0;
                for (int a = 0; a < d; a++)
                {
                    double v = count > 0 ? totals[k + (j * d) + a] / count : current[(j * d) + a];
                    next[(j * d) + a] = v;
                    double e = v - current[(j * d) + a];
                    shift += e * e;
                    move += e * e;
                }
                moves[j] = Math.Sqrt(move);
            }
            centers = next;
            if (shift <= tolerance)
                break;
        }
        return new Result(centers, iteration);
    }

    /// <summary>
    /// The changes of the counts and per-feature sums when a chunk's rows take their new labels: a row
    /// that changed label moves from its old label's count and sums to the new one's (rows in order;
    /// unweighted rows, so the counts stay exact integers), and only those rows are read. Records the
    /// labels and returns how many changed. After the first few iterations few rows change, and a
    /// pass reads little more than the bounds and labels instead of every row.
    /// </summary>
    private static int AccumulateChanges(ReadOnlySpan<double> rows, ReadOnlySpan<int> nearest, Span<int> labels, Span<double> counts, Span<double> sums)
    {
        int n = nearest.Length, d = rows.Length / n, changed = 0;
        Span<int> rowCounts = counts.Length <= 256 ? stackalloc int[counts.Length] : new int[counts.Length];
        rowCounts.Clear();
        for (int r = 0; r < n; r++)
        {
            int label = nearest[r], previous = labels[r];
            if (label == previous)
                continue;
            changed++;
            labels[r] = label;
            rowCounts[label]++;
            rowCounts[previous]--;
            var x = rows.Slice(r * d, d);
            RowSums.Add(sums.Slice(label * d, d), x);
            RowSums.Subtract(sums.Slice(previous * d, d), x);
        }
        for (int j = 0; j < counts.Length; j++)
            counts[j] += rowCounts[j];
        return changed;
    }

    /// <summary>
    /// Adds a chunk's rows to the count and the per-feature sums of their new label (each
    /// (label, feature) sum takes the rows in order, as the scalar loop did; w = 1 without weights:
    /// no multiply), records the labels, and returns how many changed.
    /// </summary>
    private static int Accumulate(ReadOnlySpan<double> rows, ReadOnlySpan<int> nearest, Span<int> labels, ReadOnlySpan<double> weights, Span<double> counts, Span<double> sums)
    {
        int n = nearest.Length, d = rows.Length / n, changed = 0;
        if (weights.IsEmpty)
        {
            // Counts of whole rows are exact integers in any order: counted as ints, they do not make
            // each row wait on the previous row's add to the same count.
            Span<int> rowCounts = counts.Length <= 256 ? stackalloc int[counts.Length] : new int[counts.Length];
            rowCounts.Clear();
            for (int r = 0; r < n; r++)
            {
                int label = nearest[r];
                changed += label != labels[r] ? 1 : 0;
                labels[r] = label;
                rowCounts[label]++;
                RowSums.Add(sums.Slice(label * d, d), rows.Slice(r * d, d));
            }
            for (int j = 0; j < counts.Length; j++)
                counts[j] += rowCounts[j];
            return changed;
        }
        for (int r = 0; r < n; r++)
        {
            int label = nearest[r];
            changed += label != labels[r] ? 1 : 0;
            labels[r] = label;
            counts[label] += weights[r];
            RowSums.AddScaled(sums.Slice(label * d, d), rows.Slice(r * d, d), weights[r]);
        }
        return changed;
    }
}
