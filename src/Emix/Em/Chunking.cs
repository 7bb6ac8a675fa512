using System.Buffers;

namespace Emix.Em;

/// <summary>
/// Fixed-size chunks of rows and the deterministic parallel reduction over them.
/// </summary>
/// <remarks>
/// Why results do not depend on the thread count or the number of processes: chunk boundaries
/// depend only on the row count and <see cref="ChunkRows"/>; each chunk's statistics are summed
/// row by row inside the chunk, and chunk results are added in the order of a fixed binary tree
/// over the chunk indices (<see cref="ReductionTree"/>). Threads and processes only decide who
/// computes a chunk, never the order of any floating-point addition. Chunks run in waves of
/// <see cref="WaveChunks"/> so that memory stays O((wave + log chunks) × statistics), not O(chunks).
/// </remarks>
public readonly struct Chunking
{
    /// <summary>Default rows per chunk: big enough to amortise per-chunk work, small enough for cache.</summary>
    public const int DefaultChunkRows = 1024;

    /// <summary>Chunks computed before their results are merged (fixed, independent of threads).</summary>
    internal const int WaveChunks = 64;

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

        // A wave's size changes neither the chunks nor the order of the additions, only how many
        // chunk buffers are alive at once; a few per thread keeps both threads busy.
        int wave = Math.Min(Math.Min(Chunking.WaveChunks, 4 * threads), count);
        var buffers = new double[wave][];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        for (int waveStart = first; waveStart < end; waveStart += wave)
        {
            int size = Math.Min(wave, end - waveStart);
            for (int b = 0; b < size; b++)
                buffers[b] = tree.Rent();
            int start = waveStart;
            Parallel.For(0, size, options, createScratch, (b, _, scratch) =>
            {
                chunkStatistics(start + b, buffers[b].AsSpan(0, statisticsLength), scratch);
                return scratch;
            }, scratch => releaseScratch?.Invoke(scratch));
            for (int b = 0; b < size; b++)
                tree.Push(start + b, buffers[b]);
        }
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
