using System.Buffers;

namespace Emix.Em;

/// <summary>
/// Fixed-size chunks of rows and the deterministic parallel reduction over them.
/// </summary>
/// <remarks>
/// Why results do not depend on the thread count: chunk boundaries depend only on the row
/// count and <see cref="ChunkRows"/>; each chunk's statistics are summed row by row inside the
/// chunk, and chunk results are added to the total strictly in chunk order. Threads only decide
/// who computes a chunk, never the order of any floating-point addition. Chunks run in waves of
/// <see cref="WaveChunks"/> so that memory stays O(wave × statistics), not O(chunks).
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
    /// <paramref name="statisticsLength"/> doubles and adds the buffers into
    /// <paramref name="total"/> in chunk order.
    /// </summary>
    public static void Reduce<TScratch>(
        Chunking chunking,
        int statisticsLength,
        int? maxDegreeOfParallelism,
        Func<TScratch> createScratch,
        ChunkStatisticsAction<TScratch> chunkStatistics,
        Span<double> total,
        Action<TScratch>? releaseScratch = null,
        CancellationToken cancellationToken = default)
    {
        total.Clear();
        int threads = EffectiveThreads(maxDegreeOfParallelism, chunking.ChunkCount);
        if (threads == 1)
        {
            var scratch = createScratch();
            var buffer = ArrayPool<double>.Shared.Rent(statisticsLength);
            try
            {
                var span = buffer.AsSpan(0, statisticsLength);
                for (int c = 0; c < chunking.ChunkCount; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    span.Clear();
                    chunkStatistics(c, span, scratch);
                    Add(total, span);
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(buffer);
                releaseScratch?.Invoke(scratch);
            }
            return;
        }

        // A wave's size changes neither the chunks nor the order of the additions, only how many
        // chunk buffers are alive at once; a few per thread keeps both threads busy.
        int wave = Math.Min(Math.Min(Chunking.WaveChunks, 4 * threads), chunking.ChunkCount);
        var buffers = new double[wave][];
        for (int b = 0; b < wave; b++)
            buffers[b] = ArrayPool<double>.Shared.Rent(statisticsLength);
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        try
        {
            for (int first = 0; first < chunking.ChunkCount; first += wave)
            {
                int count = Math.Min(wave, chunking.ChunkCount - first);
                int waveStart = first;
                Parallel.For(0, count, options, createScratch, (b, _, scratch) =>
                {
                    var buffer = buffers[b].AsSpan(0, statisticsLength);
                    buffer.Clear();
                    chunkStatistics(waveStart + b, buffer, scratch);
                    return scratch;
                }, scratch => releaseScratch?.Invoke(scratch));
                for (int b = 0; b < count; b++)
                    Add(total, buffers[b].AsSpan(0, statisticsLength));
            }
        }
        finally
        {
            foreach (var buffer in buffers)
                ArrayPool<double>.Shared.Return(buffer);
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

    private static void Add(Span<double> total, ReadOnlySpan<double> part)
    {
        for (int i = 0; i < total.Length; i++)
            total[i] += part[i];
    }
}

/// <summary>Computes the statistics of one chunk into a zeroed buffer.</summary>
internal delegate void ChunkStatisticsAction<TScratch>(int chunk, Span<double> statistics, TScratch scratch);
