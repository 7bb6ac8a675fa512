using Emix.Engine;
using Emix.Initialization;
using Emix.Internals;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Tests;

/// <summary>
/// The vector nearest-centre search and k-means++ distances give the scalar reference's bits
/// exactly, and k-means gives the same centres for every variant and thread count, equal to the
/// implementation from before the vector kernels (kept below as <see cref="PreviousKMeans"/>).
/// </summary>
public class KMeansSimdTests
{
    public static TheoryData<KernelVariant, int, int> Shapes()
    {
        var data = new TheoryData<KernelVariant, int, int>();
        foreach (var variant in KernelSelector.Supported)
            foreach (int d in new[] { 1, 2, 3, 7, 8, 9, 16, 33 })
                foreach (int k in new[] { 1, 2, 5, 16 })
                    data.Add(variant, d, k);
        return data;
    }

    public static TheoryData<KernelVariant> Variants()
    {
        var data = new TheoryData<KernelVariant>();
        foreach (var variant in KernelSelector.Supported)
            data.Add(variant);
        return data;
    }

    /// <summary>Row counts around every vector width and block size (4 and 8 lanes, blocks of 16 and 32 rows).</summary>
    private static readonly int[] RowCounts = [1, 3, 4, 7, 9, 15, 16, 17, 31, 33, 47, 64, 100, 1027];

    /// <summary>
    /// Values on a coarse grid (multiples of 0.5 in [−2, 2]), so that many rows sit at exactly the
    /// same distance from two centres, or on a centre; plus a smooth part for ordinary rows.
    /// </summary>
    private static double[] Values(int n, int d, long seed, bool grid)
    {
        var rng = new RandomSource(seed);
        var values = new double[n * d];
        for (int i = 0; i < values.Length; i++)
            values[i] = grid ? 0.5 * (rng.NextInt(9) - 4) : 10 * rng.NextNormal();
        return values;
    }

    /// <summary>k centres; centre j + 1 repeats centre j for odd j (exact ties between distinct indices).</summary>
    private static double[] Centres(int k, int d, long seed, bool grid)
    {
        var centres = Values(k, d, seed, grid);
        for (int j = 1; j + 1 < k; j += 2)
            centres.AsSpan(j * d, d).CopyTo(centres.AsSpan((j + 1) * d, d));
        return centres;
    }

    /// <summary>The reference: Σₐ (xₐ − cₐ)² in order and the first centre with the least of them.</summary>
    private static int ReferenceNearest(ReadOnlySpan<double> x, double[] centres, int k)
    {
        int d = x.Length, best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int j = 0; j < k; j++)
        {
            double distance = ReferenceDistance(x, centres.AsSpan(j * d, d));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = j;
            }
        }
        return best;
    }

    private static double ReferenceDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> c)
    {
        double s = 0;
        for (int a = 0; a < x.Length; a++)
        {
            double e = x[a] - c[a];
            s += e * e;
        }
        return s;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Nearest_centre_and_distances_match_the_scalar_reference_bit_for_bit(KernelVariant variant, int d, int k)
    {
        var kernel = CentreDistances.Create(variant);
        foreach (bool grid in new[] { false, true })
        {
            foreach (int n in RowCounts)
            {
                var rows = Values(n, d, seed: (1000 * d) + (10 * k) + n, grid);
                var centres = Centres(k, d, seed: (7 * d) + k, grid);
                // Scratch and outputs larger than needed, prefilled, to catch reads or writes past the ends.
                var scratch = Enumerable.Repeat(double.NaN, kernel.ScratchLength(d) + 5).ToArray();
                var labels = Enumerable.Repeat(-7, n + 3).ToArray();
                kernel.Nearest(rows, d, centres, labels.AsSpan(0, n), scratch);
                var distances = Enumerable.Repeat(-1.0, (k * n) + 3).ToArray();
                kernel.ToCentres(rows, d, centres, distances.AsSpan(0, k * n), scratch);
                var boundLabels = new int[n];
                var nearest = Enumerable.Repeat(-1.0, n + 3).ToArray();
                var second = Enumerable.Repeat(-1.0, n + 3).ToArray();
                kernel.Nearest(rows, d, centres, boundLabels, scratch, nearest.AsSpan(0, n), second.AsSpan(0, n));
                Assert.Equal(labels[..n], boundLabels);
                for (int i = 0; i < n; i++)
                {
                    var x = rows.AsSpan(i * d, d);
                    Assert.True(ReferenceNearest(x, centres, k) == labels[i], $"{variant} d={d} k={k} n={n} grid={grid}: label of row {i}");
                    // The smallest distance and the smallest over the other centres, as computed.
                    var ordered = new double[k];
                    for (int j = 0; j < k; j++)
                        ordered[j] = ReferenceDistance(x, centres.AsSpan(j * d, d));
                    double expectedSecond = Enumerable.Range(0, k).Where(j => j != labels[i]).Select(j => ordered[j]).DefaultIfEmpty(double.PositiveInfinity).Min();
                    Assert.Equal(BitConverter.DoubleToInt64Bits(ordered[labels[i]]), BitConverter.DoubleToInt64Bits(nearest[i]));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expectedSecond), BitConverter.DoubleToInt64Bits(second[i]));
                    for (int j = 0; j < k; j++)
                    {
                        double expected = ReferenceDistance(x, centres.AsSpan(j * d, d));
                        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(distances[(j * n) + i]),
                            $"{variant} d={d} k={k} n={n} grid={grid}: distance of row {i} to centre {j}: {distances[(j * n) + i]:R}, expected {expected:R}");
                    }
                }
                Assert.All(labels[n..], l => Assert.Equal(-7, l));
                Assert.All(nearest[n..], v => Assert.Equal(-1.0, v));
                Assert.All(second[n..], v => Assert.Equal(-1.0, v));
                Assert.All(distances[(k * n)..], v => Assert.Equal(-1.0, v));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Ties_go_to_the_first_centre_and_nan_rows_to_centre_zero(KernelVariant variant)
    {
        // Centres 0..3 on the line x = (c, 0): every row at c + 0.5 is exactly between c and c + 1;
        // centre 4 repeats centre 1. Rows 0 and 10 hold NaN, which no distance comparison accepts.
        const int d = 2, k = 5, n = 19;
        double[] centres = [0, 0, 1, 0, 2, 0, 3, 0, 1, 0];
        var rows = new double[n * d];
        for (int i = 0; i < n; i++)
            rows[i * d] = 0.5 * (i % 7);
        rows[0] = double.NaN;
        rows[(10 * d) + 1] = double.NaN;
        var kernel = CentreDistances.Create(variant);
        var labels = new int[n];
        kernel.Nearest(rows, d, centres, labels, new double[kernel.ScratchLength(d)]);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(ReferenceNearest(rows.AsSpan(i * d, d), centres, k), labels[i]);
            Assert.NotEqual(4, labels[i]);
        }
        Assert.Equal(0, labels[0]);
        Assert.Equal(0, labels[10]);
        Assert.Equal(0, labels[1]); // 0.5: between centres 0 and 1
        Assert.Equal(1, labels[2]); // 1.0: on centres 1 and 4
        Assert.Equal(1, labels[3]); // 1.5: between centres 1 and 2
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Rows_the_distance_bounds_skip_keep_the_label_every_distance_gives(KernelVariant variant)
    {
        // Blobs, centres on five rows, then moved: a little, one of them far, and one onto another's
        // place (rows then sit exactly between two centres: ties the bounds must not decide).
        const int n = 3_000, d = 3, k = 5;
        var data = TestData.Blobs(n, d, seed: 5);
        var rows = data.RawValues;
        var kernel = CentreDistances.Create(variant);
        var centres = new double[k * d];
        for (int j = 0; j < k; j++)
            rows.AsSpan(j * 577 * d, d).CopyTo(centres.AsSpan(j * d, d));
        var labels = new int[n];
        var upper = new double[n];
        var lower = new double[n];
        using var scratch = new DistanceScratch(kernel.ScratchLength(d), labelLength: 3 * n, distanceLength: (d + 2) * n);
        DistanceBounds.Compute(kernel, rows, d, centres, labels, upper, lower, scratch);
        var rng = new RandomSource(8);
        foreach (double step in new[] { 1e-3, 0.05, 0.5 })
        {
            var moved = (double[])centres.Clone();
            for (int i = 0; i < moved.Length; i++)
                moved[i] += step * ((2 * rng.NextDouble()) - 1);
            if (step == 0.05)
                moved.AsSpan(3 * d, d).CopyTo(moved.AsSpan(4 * d, d));
            if (step == 0.5)
                moved[0] += 40;
            var moves = new double[k];
            for (int j = 0; j < k; j++)
                moves[j] = Math.Sqrt(Enumerable.Range(0, d).Sum(a => (moved[(j * d) + a] - centres[(j * d) + a]) * (moved[(j * d) + a] - centres[(j * d) + a])));
            var next = new int[n];
            int computed = new DistanceBounds(moves).Update(kernel, rows, d, moved, labels, next, upper, lower, scratch);
            // A small move leaves almost every row to its bounds; the large ones (centre 4 jumps onto
            // centre 3, centre 0 by 40) shrink every lower bound, so nearly every row is computed.
            if (step == 1e-3)
                Assert.InRange(computed, 1, n / 10);
            else
                Assert.InRange(computed, n / 2, n);
            for (int i = 0; i < n; i++)
            {
                var x = rows.AsSpan(i * d, d);
                Assert.True(ReferenceNearest(x, moved, k) == next[i], $"{variant} step {step}: label of row {i}");
                var distances = new double[k];
                for (int j = 0; j < k; j++)
                    distances[j] = Math.Sqrt(ReferenceDistance(x, moved.AsSpan(j * d, d)));
                Assert.True(upper[i] >= distances[next[i]] * (1 - 1e-12), $"row {i}: upper bound {upper[i]} below {distances[next[i]]}");
                double others = Enumerable.Range(0, k).Where(j => j != next[i]).Min(j => distances[j]);
                Assert.True(lower[i] <= others * (1 + 1e-12), $"row {i}: lower bound {lower[i]} above {others}");
            }
            labels = next;
            centres = moved;
        }
    }

    [Fact]
    public void KMeans_with_distance_bounds_gives_the_centres_of_computing_every_distance()
    {
        // Many iterations (overlapping blobs), weighted, on both threads counts.
        var data = Clustered(20_000, 2, weighted: true);
        var all = KMeansClustering.Fit(data, 7, new RandomSource(4), 2, CentreDistances.Create(KernelVariant.Auto), default, useBounds: false);
        Assert.True(all.Iterations > 5, $"only {all.Iterations} iterations");
        foreach (int threads in new[] { 1, 2 })
        {
            var bounded = KMeansClustering.Fit(data, 7, new RandomSource(4), threads, CentreDistances.Create(KernelVariant.Auto), default);
            Assert.Equal(all.Iterations, bounded.Iterations);
            Assert.Equal(Bits(all.Centers), Bits(bounded.Centers));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Hard_assignments_give_the_statistics_of_their_one_hot_responsibilities(bool weighted)
    {
        // The k-means initialisation's M-step takes labels; the general path takes n×k responsibilities.
        const int n = 777, k = 4;
        foreach (var type in TestData.AllTypes)
        {
            foreach (int d in new[] { 1, 3, 8 })
            {
                var data = Clustered(n, d, weighted); // weights include zeros
                var rows = data.RawValues;
                var weights = weighted ? data.Weights.ToArray() : [];
                var rng = new RandomSource(d);
                var labels = Enumerable.Range(0, n).Select(_ => rng.NextInt(k)).ToArray();
                var shifts = Enumerable.Range(0, k * d).Select(_ => rng.NextNormal()).ToArray();
                var structure = Emix.Families.Gaussian.CovarianceStructure.For(type);
                var layout = new Emix.Families.Gaussian.GaussianStatisticsLayout(structure, k, d);
                var resp = new double[n * k];
                for (int i = 0; i < n; i++)
                    resp[(i * k) + labels[i]] = weighted ? weights[i] : 1.0;
                var expected = new double[layout.Length];
                Emix.Families.Gaussian.GaussianEm.AccumulateChunk(structure, layout, rows, n, resp, shifts, expected, new double[d]);
                var actual = new double[layout.Length];
                var span = actual.AsSpan();
                structure.AccumulateLabelled(rows, n, d, labels, weights, shifts, layout.Nk(span), layout.FirstMoment(span), layout.SecondMoment(span), new double[d]);
                Assert.Equal(Bits(expected), Bits(actual));
            }
        }
    }

    private static long[] Bits(double[] values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    private static DataSet Clustered(int n, int d, bool weighted)
    {
        var data = TestData.Blobs(n, d, seed: 11);
        if (!weighted)
            return data;
        var rng = new RandomSource(3);
        var weights = new double[n];
        for (int i = 0; i < n; i++)
            weights[i] = rng.NextInt(4) * 0.75;
        return data.WithWeights(weights);
    }

    [Theory]
    [InlineData(1, 3, false)]
    [InlineData(2, 3, false)]
    [InlineData(5, 3, false)]
    [InlineData(5, 3, true)]
    [InlineData(8, 1, false)]
    [InlineData(16, 9, true)]
    public void KMeans_gives_the_previous_centres_for_every_variant_and_thread_count(int k, int d, bool weighted)
    {
        // 5,000 rows: four whole chunks of 1,024 and a ragged one, so two threads share the work.
        var data = Clustered(5_000, d, weighted);
        var expected = PreviousKMeans.Fit(data, k, new RandomSource(21), threads: 1);
        foreach (var variant in KernelSelector.Supported)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var result = KMeansClustering.Fit(data, k, new RandomSource(21), threads, CentreDistances.Create(variant), default);
                Assert.Equal(expected.Iterations, result.Iterations);
                Assert.Equal(Bits(expected.Centers), Bits(result.Centers));

                var seeds = KMeansPlusPlusSeeding.Select(data, k, new RandomSource(21), threads, CentreDistances.Create(variant), new double[d]);
                Assert.Equal(PreviousKMeans.Seeds(data, k, new RandomSource(21), threads: 2), seeds);
            }
        }
    }

    [Fact]
    public void The_first_seeding_pass_leaves_the_column_sums_of_column_moments()
    {
        var data = Clustered(3_000, 4, weighted: false);
        var sums = new double[4];
        KMeansPlusPlusSeeding.Select(data, 3, new RandomSource(1), threads: 2, CentreDistances.Create(KernelVariant.Auto), sums);
        var (mean, _) = ColumnMoments.Compute(data, threads: 1);
        Assert.Equal(Bits(mean), Bits(ColumnMoments.PerRow(sums, data.RowCount)));
    }

    /// <summary>
    /// k-means as it was before the vector kernels: k-means++ with one pass per candidate and one to
    /// update the distances, the column moments in passes of their own, scalar distances of every row
    /// to every centre in every pass (no bounds); without weights, the passes after the first move
    /// the rows that changed label between sums, as Emix's k-means does.
    /// </summary>
    private static class PreviousKMeans
    {
        public static (double[] Centers, int Iterations) Fit(DataSet data, int k, RandomSource rng, int threads)
        {
            int n = data.RowCount, d = data.FeatureCount;
            var values = data.RawValues;
            var weights = data.IsWeighted ? data.Weights.ToArray() : null;
            var seeds = Seeds(data, k, rng, threads);
            var centers = new double[k * d];
            for (int j = 0; j < k; j++)
                values.AsSpan(seeds[j] * d, d).CopyTo(centers.AsSpan(j * d, d));
            var (_, variance) = ColumnMoments.Compute(data, threads);
            double tolerance = KMeansClustering.RelativeTolerance * variance.Average();
            var chunking = new Chunking(n, Chunking.DefaultChunkRows);
            var labels = new int[n];
            Array.Fill(labels, -1);
            var stats = new double[1 + k + (k * d)];
            var totals = new double[k + (k * d)];
            int iteration = 0;
            while (iteration < KMeansClustering.MaxIterations)
            {
                iteration++;
                var current = centers;
                // Unweighted, after the first pass: only the rows that change label move between sums.
                bool changes = weights is null && iteration > 1;
                ChunkRunner.Reduce<object?>(chunking, stats.Length, threads, static () => null, (c, s, _) =>
                {
                    int start = chunking.Start(c), len = chunking.Length(c);
                    for (int i = start; i < start + len; i++)
                    {
                        var x = values.AsSpan(i * d, d);
                        int label = ReferenceNearest(x, current, k), previous = labels[i];
                        if (label != previous)
                            s[0] += 1;
                        labels[i] = label;
                        if (changes)
                        {
                            if (label == previous)
                                continue;
                            s[1 + label] += 1;
                            s[1 + previous] -= 1;
                            var gains = s.Slice(1 + k + (label * d), d);
                            var losses = s.Slice(1 + k + (previous * d), d);
                            for (int a = 0; a < d; a++)
                            {
                                gains[a] += x[a];
                                losses[a] -= x[a];
                            }
                            continue;
                        }
                        double w = weights is null ? 1.0 : weights[i];
                        s[1 + label] += w;
                        var sum = s.Slice(1 + k + (label * d), d);
                        for (int a = 0; a < d; a++)
                            sum[a] += w * x[a];
                    }
                }, stats);
                if (stats[0] == 0)
                    break;
                for (int i = 0; i < totals.Length; i++)
                    totals[i] = changes ? totals[i] + stats[1 + i] : stats[1 + i];
                var next = new double[k * d];
                double shift = 0;
                for (int j = 0; j < k; j++)
                {
                    double count = totals[j];
                    for (int a = 0; a < d; a++)
                    {
                        double v = count > 0 ? totals[k + (j * d) + a] / count : current[(j * d) + a];
                        next[(j * d) + a] = v;
                        double e = v - current[(j * d) + a];
                        shift += e * e;
                    }
                }
                centers = next;
                if (shift <= tolerance)
                    break;
            }
            return (centers, iteration);
        }

        public static int[] Seeds(DataSet data, int k, RandomSource rng, int threads)
        {
            int n = data.RowCount, d = data.FeatureCount;
            var values = data.RawValues;
            var weights = data.IsWeighted ? data.Weights.ToArray() : null;
            var chunking = new Chunking(n, Chunking.DefaultChunkRows);
            int trials = 2 + (int)Math.Log(k);
            var centers = new int[k];
            centers[0] = weights is null ? rng.NextInt(n) : rng.ChooseDistinctWeighted(weights, 1)[0];
            var closest = new double[n];
            for (int i = 0; i < n; i++)
                closest[i] = ReferenceDistance(values.AsSpan(i * d, d), values.AsSpan(centers[0] * d, d));
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
                    double target = rng.NextDouble() * running;
                    int candidate = Array.FindIndex(prefix, p => p > target);
                    if (candidate < 0)
                        candidate = n - 1;
                    ChunkRunner.Reduce<object?>(chunking, 1, threads, static () => null, (c, stats, _) =>
                    {
                        int start = chunking.Start(c), len = chunking.Length(c);
                        double s = 0;
                        for (int i = start; i < start + len; i++)
                        {
                            double distance = Math.Min(closest[i], ReferenceDistance(values.AsSpan(i * d, d), values.AsSpan(candidate * d, d)));
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
                for (int i = 0; i < n; i++)
                    closest[i] = Math.Min(closest[i], ReferenceDistance(values.AsSpan(i * d, d), values.AsSpan(best * d, d)));
            }
            return centers;
        }
    }
}
