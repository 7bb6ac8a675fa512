using System.Buffers;

namespace Emix.Engine;

/// <summary>
/// Fixed-size chunks of rows and the deterministic parallel reduction over them.
/// </summary>
/// <remarks>
/// Why results do not depend on the thread count or the number of processes: chunk boundaries
/// depend only on the row count and <see cref="ChunkRows"/>; each chunk's statistics are summed
/// row by row inside the chunk, and chunk results are added in the order of a fixed binary tree
/// over the chunk indices (<see cref="ReductionTree"/>). Threads and processes only decide who
/// computes a chunk, never the order of any floating-point addition. Threads take aligned subtrees
/// of chunks, a bounded number of them, so that memory stays O((units + threads·log chunks) ×
/// statistics), not O(chunks).
/// </remarks>
public readonly struct Chunking
{
    /// <summary>Default rows per chunk: big enough to amortise per-chunk work, small enough for cache.</summary>
    public const int DefaultChunkRows = 1024;

    /// <summary>Creates the chunking of <paramref name="rowCount"/> rows.</summary>
    public Chunking(int rowCount, int chunkRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        RowCount = rowCount;
        ChunkRows = chunkRows;
        ChunkCount = (int)(((long)rowCount + chunkRows - 1) / chunkRows);
    }

    /// <summary>Total rows.</summary>
    public int RowCount { get; }

    /// <summary>Rows per chunk (the last chunk may be shorter).</summary>
    public int ChunkRows { get; }

    /// <summary>Number of chunks.</summary>
    public int ChunkCount { get; }

    /// <summary>First row of a chunk.</summary>
    public int Start(int chunk) => chunk * ChunkRows;

    /// <summary>Rows in a chunk.</summary>
    public int Length(int chunk) => Math.Min(ChunkRows, RowCount - (chunk * ChunkRows));
}

/// <summary>Runs per-chunk work in parallel with per-thread scratch, deterministically.</summary>
internal static class ChunkRunner
{
    /// <summary>
    /// Computes <paramref name="chunkStatistics"/> for every chunk into its own buffer of
    /// <paramref name="statisticsLength"/> doubles and sums the buffers into <paramref name="total"/>
    /// in the order of the <see cref="ReductionTree"/> over the chunk indices. With
    /// <paramref name="processes"/>, this process computes only the chunks it owns and the processes
    /// exchange their subtree sums (see <see cref="ProcessGroup"/>): the bits are the same for any
    /// number of processes and threads.
    /// </summary>
    public static void Reduce<TScratch>(
        Chunking chunking,
        int statisticsLength,
        int? maxDegreeOfParallelism,
        Func<TScratch> createScratch,
        ChunkStatisticsAction<TScratch> chunkStatistics,
        Span<double> total,
        Action<TScratch>? releaseScratch = null,
        ProcessGroup? processes = null,
        CancellationToken cancellationToken = default)
    {
        var (first, end) = processes?.OwnedChunks(chunking, processes.Rank) ?? (0, chunking.ChunkCount);
        var tree = new ReductionTree(statisticsLength);
        try
        {
            ReduceRange(first, end, statisticsLength, maxDegreeOfParallelism, createScratch, chunkStatistics, tree, releaseScratch, cancellationToken);
            if (processes is null)
                tree.FoldInto(total);
            else
                ReductionTree.Combine(processes, chunking, tree, statisticsLength, total);
        }
        finally
        {
            tree.Release();
        }
    }

    /// <summary>Computes chunks [first, end) and pushes them, in chunk order, into <paramref name="tree"/>.</summary>
    private static void ReduceRange<TScratch>(
        int first,
        int end,
        int statisticsLength,
        int? maxDegreeOfParallelism,
        Func<TScratch> createScratch,
        ChunkStatisticsAction<TScratch> chunkStatistics,
        ReductionTree tree,
        Action<TScratch>? releaseScratch,
        CancellationToken cancellationToken)
    {
        int count = end - first;
        if (count <= 0)
            return;
        int threads = EffectiveThreads(maxDegreeOfParallelism, count);
        if (threads == 1)
        {
            var scratch = createScratch();
            try
            {
                for (int c = first; c < end; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var buffer = tree.Rent();
                    chunkStatistics(c, buffer.AsSpan(0, statisticsLength), scratch);
                    tree.Push(c, buffer);
                }
            }
            finally
            {
                releaseScratch?.Invoke(scratch);
            }
            return;
        }

        // Threads take whole aligned subtrees of the reduction tree ("units") from a shared counter;
        // each sums its unit's chunks in a tree of its own, which gives exactly the unit's node of the
        // global tree, and the units are pushed in chunk order afterwards. So the additions are the
        // same as pushing every chunk in order, whoever computed what, and there is one parallel
        // loop per reduction (not one per few chunks), with at most a few dozen units alive.
        var units = Units(first, end, threads, statisticsLength);
        var results = new double[units.Count][];
        int next = -1;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, threads, options, createScratch, (_, _, scratch) =>
            {
                var local = new ReductionTree(statisticsLength);
                try
                {
                    int u;
                    while ((u = Interlocked.Increment(ref next)) < units.Count)
                    {
                        var (start, level) = units[u];
                        for (int c = start; c < start + (1 << level); c++)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            var buffer = local.Rent();
                            chunkStatistics(c, buffer.AsSpan(0, statisticsLength), scratch);
                            local.Push(c, buffer);
                        }
                        results[u] = local.TakeSingleBlock(start, level);
                    }
                }
                finally
                {
                    local.Release();
                }
                return scratch;
            }, scratch => releaseScratch?.Invoke(scratch));
            for (int u = 0; u < units.Count; u++)
            {
                tree.Push(units[u].Start, units[u].Level, results[u]);
                results[u] = null!;
            }
        }
        finally
        {
            foreach (var buffer in results)
            {
                if (buffer is not null)
                    ArrayPool<double>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Chunks [first, end) as aligned subtrees of at most 2^level chunks, the level chosen so that
    /// there are about 8 units per thread (dynamic balance on a shared machine) and their results
    /// take at most ~32 MiB.
    /// </summary>
    internal static List<(int Start, int Level)> Units(int first, int end, int threads, int statisticsLength)
    {
        int count = end - first;
        long maxUnits = Math.Max(2L * threads, (32L << 20) / (8L * Math.Max(1, statisticsLength)));
        long target = Math.Min(8L * threads, maxUnits);
        int level = 0;
        while ((count >> (level + 1)) >= target)
            level++;
        while (count / (1L << level) > maxUnits)
            level++;
        var units = new List<(int Start, int Level)>();
        foreach (var (start, blockLevel) in ReductionTree.BlocksOf(first, end))
        {
            if (blockLevel <= level)
            {
                units.Add((start, blockLevel));
                continue;
            }
            for (int at = start; at < start + (1 << blockLevel); at += 1 << level)
                units.Add((at, level));
        }
        return units;
    }

    /// <summary>Runs <paramref name="chunkAction"/> on every chunk (outputs go to disjoint rows, so no merge is needed).</summary>
    public static void ForEach<TScratch>(
        Chunking chunking,
        int? maxDegreeOfParallelism,
        Func<TScratch> createScratch,
        Action<int, TScratch> chunkAction,
        Action<TScratch>? releaseScratch = null,
        CancellationToken cancellationToken = default)
    {
        int threads = EffectiveThreads(maxDegreeOfParallelism, chunking.ChunkCount);
        if (threads == 1)
        {
            var scratch = createScratch();
            for (int c = 0; c < chunking.ChunkCount; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                chunkAction(c, scratch);
            }
            releaseScratch?.Invoke(scratch);
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        Parallel.For(0, chunking.ChunkCount, options, createScratch, (c, _, scratch) =>
        {
            chunkAction(c, scratch);
            return scratch;
        }, scratch => releaseScratch?.Invoke(scratch));
    }

    private static int EffectiveThreads(int? maxDegreeOfParallelism, int chunkCount) =>
        Math.Max(1, Math.Min(maxDegreeOfParallelism ?? Environment.ProcessorCount, chunkCount));
}

/// <summary>Computes the statistics of one chunk into a zeroed buffer.</summary>
internal delegate void ChunkStatisticsAction<TScratch>(int chunk, Span<double> statistics, TScratch scratch);
