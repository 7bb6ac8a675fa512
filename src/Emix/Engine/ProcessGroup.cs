namespace Emix.Engine;

/// <summary>
/// The processes one fit is spread over (for example the ranks of an MPI job), as the engine needs
/// them: which rows each process holds, and one collective operation to exchange partial sums.
/// The core implements no transport (Emix.Mpi does); a <see cref="RowSource"/> that holds one
/// process's share of the rows returns its group from <see cref="RowSource.Processes"/>.
/// </summary>
/// <remarks>
/// Every process sees the whole data set's row count and global row indices, but reads only the
/// rows of the chunks it owns: chunk c belongs to rank r when its first row is in
/// [<see cref="RowBoundaries"/>[r], <see cref="RowBoundaries"/>[r + 1]). Reductions over the
/// data are summed in the order of <see cref="ReductionTree"/>, so the bits do not depend on
/// the boundaries or on the number of processes.
/// </remarks>
internal abstract class ProcessGroup
{
    /// <summary>This process's index, 0 ≤ rank &lt; <see cref="Size"/>.</summary>
    public abstract int Rank { get; }

    /// <summary>Number of processes.</summary>
    public abstract int Size { get; }

    /// <summary>Size + 1 ascending row indices from 0 to the row count: rank r holds rows [b[r], b[r + 1]).</summary>
    public abstract IReadOnlyList<int> RowBoundaries { get; }

    /// <summary>
    /// Gathers <paramref name="mine"/> from every process into <paramref name="all"/>, concatenated
    /// in rank order; rank r contributes <paramref name="counts"/>[r] values. Bits travel unchanged.
    /// </summary>
    public abstract void AllGather(ReadOnlySpan<double> mine, Span<double> all, ReadOnlySpan<int> counts);

    /// <summary>The chunks [first, end) that rank <paramref name="rank"/> computes in <paramref name="chunking"/>.</summary>
    public (int First, int End) OwnedChunks(Chunking chunking, int rank)
    {
        var b = RowBoundaries;
        if (b[^1] != chunking.RowCount)
            throw new InvalidOperationException($"A chunking of {chunking.RowCount} rows used with a process group over {b[^1]} rows.");
        int FirstChunkAtOrAfter(int row) => (int)(((long)row + chunking.ChunkRows - 1) / chunking.ChunkRows);
        return (FirstChunkAtOrAfter(b[rank]), FirstChunkAtOrAfter(b[rank + 1]));
    }

    /// <summary>
    /// Row boundaries for <paramref name="processCount"/> processes that cut the chunks of
    /// <paramref name="chunkRows"/> rows into nearly equal shares on whole subtrees of the reduction
    /// tree: shares are multiples of a power-of-two number of chunks chosen so that there are at
    /// least 8 such units per process. Then each process sends at most about 2·log₂(16) + 1 partial
    /// sums per reduction, however many rows there are, and shares differ by at most one unit (≤ 1/8).
    /// </summary>
    public static int[] AlignedRowBoundaries(int rowCount, int processCount, int chunkRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(processCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        long chunks = ((long)rowCount + chunkRows - 1) / chunkRows;
        long unit = 1;
        while (chunks / (unit * 2) >= 8L * processCount)
            unit *= 2;
        long units = (chunks + unit - 1) / unit;
        var boundaries = new int[processCount + 1];
        for (int r = 0; r <= processCount; r++)
        {
            long unitIndex = units * r / processCount;
            boundaries[r] = (int)Math.Min(rowCount, unitIndex * unit * chunkRows);
        }
        boundaries[processCount] = rowCount;
        return boundaries;
    }
}
