using Emix.Engine;

namespace Emix.Tests;

/// <summary>
/// The canonical reduction order (<see cref="ReductionTree"/>) and the process seam
/// (<see cref="ProcessGroup"/>), with processes simulated by threads of this test: a fit split over
/// P processes gives the bits of a fit in one process.
/// </summary>
public class ReductionTreeTests
{
    [Fact]
    public void The_blocks_of_a_range_are_what_the_stack_holds_after_pushing_its_chunks()
    {
        for (int first = 0; first < 40; first++)
        {
            for (int end = first; end < 80; end++)
            {
                var tree = new ReductionTree(1);
                for (int c = first; c < end; c++)
                    tree.Push(c, tree.Rent());
                Assert.Equal(ReductionTree.BlocksOf(first, end), tree.Blocks.Select(b => (b.Start, b.Level)).ToList());
                tree.Release();
            }
        }
    }

    [Fact]
    public void Any_split_into_ranges_gives_the_bits_of_the_whole_tree()
    {
        var random = new Random(3);
        foreach (int chunks in new[] { 1, 2, 3, 7, 8, 9, 31, 64, 100, 1000 })
        {
            // Values of very different magnitudes so that any change of order changes bits.
            var values = Enumerable.Range(0, chunks).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 9))).ToArray();
            double whole = Sum(values, [0, chunks]);
            for (int trial = 0; trial < 20; trial++)
            {
                int p = random.Next(1, 6);
                var cuts = Enumerable.Range(0, p - 1).Select(_ => random.Next(0, chunks + 1)).Append(0).Append(chunks).Order().ToArray();
                Assert.Equal(BitConverter.DoubleToInt64Bits(whole), BitConverter.DoubleToInt64Bits(Sum(values, cuts)));
            }
        }
    }

    [Fact]
    public void The_tree_sum_is_pairwise_not_a_left_fold()
    {
        // 1 + 2⁵³ + 1 + 1 as ((1 + 2⁵³) + (1 + 1)) keeps the two last ones that a left fold loses.
        double[] values = [1, Math.Pow(2, 53), 1, 1];
        Assert.Equal(Math.Pow(2, 53) + 2, Sum(values, [0, values.Length]));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 4)]
    [InlineData(5_000, 3)]
    [InlineData(1_000_000, 4)]
    [InlineData(100_000_000, 2)]
    public void Aligned_boundaries_give_few_blocks_and_nearly_equal_shares(int rows, int processes)
    {
        var b = ProcessGroup.AlignedRowBoundaries(rows, processes, Chunking.DefaultChunkRows);
        Assert.Equal(0, b[0]);
        Assert.Equal(rows, b[^1]);
        var chunking = new Chunking(rows, Chunking.DefaultChunkRows);
        using var group = new SimulatedGroup(processes, b);
        for (int r = 0; r < processes; r++)
        {
            Assert.True(b[r] <= b[r + 1]);
            Assert.True(b[r] % Chunking.DefaultChunkRows == 0);
            var (first, end) = group.For(r).OwnedChunks(chunking, r);
            int sent = ReductionTree.SentBuffers(ReductionTree.Plan(group.For(r), chunking, r));
            Assert.True(sent <= 9, $"rank {r}: {sent} buffers sent");
            if (chunking.ChunkCount >= 16 * processes)
                Assert.InRange(end - first, chunking.ChunkCount / processes * 7 / 8, (chunking.ChunkCount / processes * 9 / 8) + 1);
        }
    }

    [Theory]
    [MemberData(nameof(TestData.TypesAndInits), MemberType = typeof(TestData))]
    public async Task A_fit_split_over_processes_has_the_bits_of_a_fit_in_one(CovarianceType type, InitMethod init)
    {
        var data = TestData.Blobs(9_000);
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Init = init, MaxIterations = 8, Tolerance = 0, Seed = 11, ChunkRows = 256 };
        var reference = TestData.Bits(new GaussianMixture(options).Fit(data));
        foreach (int processes in new[] { 1, 2, 3, 4 })
        {
            // Unaligned boundaries on purpose (any cut works; aligned ones only send fewer buffers).
            var boundaries = Enumerable.Range(0, processes + 1).Select(r => r == processes ? data.RowCount : r * 256 * 7 / 2 * ((r % 2) + 1)).ToArray();
            if (!boundaries.Zip(boundaries.Skip(1)).All(pair => pair.First <= pair.Second))
                boundaries = ProcessGroup.AlignedRowBoundaries(data.RowCount, processes, 256);
            using var group = new SimulatedGroup(processes, boundaries);
            var fits = Enumerable.Range(0, processes).Select(rank => Task.Run(() =>
                new GaussianMixture(options with { MaxDegreeOfParallelism = 1 + (rank % 2) }).Fit(new ShardRows(data, group.For(rank))))).ToArray();
            foreach (var fit in await Task.WhenAll(fits))
                Assert.Equal(reference, TestData.Bits(fit));
        }
    }

    private static double Sum(double[] values, int[] cuts)
    {
        int p = cuts.Length - 1;
        using var group = new SimulatedGroup(p, cuts);
        var chunking = new Chunking(values.Length, 1);
        var totals = new double[p];
        Parallel.For(0, p, new ParallelOptions { MaxDegreeOfParallelism = p }, r =>
        {
            var total = new double[1];
            ChunkRunner.Reduce<object?>(chunking, 1, 2, static () => null, (c, s, _) => s[0] = values[c], total, processes: p == 1 ? null : group.For(r));
            totals[r] = total[0];
        });
        Assert.All(totals, t => Assert.Equal(BitConverter.DoubleToInt64Bits(totals[0]), BitConverter.DoubleToInt64Bits(t)));
        return totals[0];
    }

    /// <summary>Processes simulated by threads: an all-gather through shared slots and a barrier.</summary>
    internal sealed class SimulatedGroup(int size, int[] boundaries) : IDisposable
    {
        private readonly Barrier _barrier = new(size);
        private readonly double[][] _slots = new double[size][];
        private readonly int[] _boundaries = boundaries;

        public void Dispose() => _barrier.Dispose();

        public ProcessGroup For(int rank) => new Member(this, rank);

        private sealed class Member(SimulatedGroup group, int rank) : ProcessGroup
        {
            public override int Rank => rank;
            public override int Size => group._slots.Length;
            public override IReadOnlyList<int> RowBoundaries => group._boundaries;

            public override void AllGather(ReadOnlySpan<double> mine, Span<double> all, ReadOnlySpan<int> counts)
            {
                Assert.Equal(counts[rank], mine.Length);
                group._slots[rank] = mine.ToArray();
                group._barrier.SignalAndWait();
                int at = 0;
                for (int r = 0; r < Size; r++)
                {
                    Assert.Equal(counts[r], group._slots[r].Length);
                    group._slots[r].CopyTo(all[at..]);
                    at += counts[r];
                }
                group._barrier.SignalAndWait();
            }
        }
    }

    /// <summary>One process's share of a data set: reading any other row is a test failure.</summary>
    private sealed class ShardRows(DataSet data, ProcessGroup group) : RowSource
    {
        public override int RowCount => data.RowCount;
        public override int FeatureCount => data.FeatureCount;
        public override IReadOnlyList<string> FeatureNames => data.FeatureNames;
        public override string Source => data.Source;
        protected internal override bool IsInMemory => false;
        internal override ProcessGroup? Processes => group;

        protected internal override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer)
        {
            int from = group.RowBoundaries[group.Rank], to = group.RowBoundaries[group.Rank + 1];
            // The last owned chunk may run past the next boundary when boundaries are not chunk-aligned.
            if (start < from || (start >= to && count > 0))
                throw new InvalidOperationException($"rank {group.Rank} read rows [{start}, {start + count}) outside its share [{from}, {to}).");
            return data.ReadRows(start, count, ref buffer);
        }
    }
}
