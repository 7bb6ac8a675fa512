using System.Globalization;
using Emix.Data;
using Emix.Engine;

namespace Emix.Mpi;

/// <summary>
/// This process's share of a data set in a distributed fit: a <see cref="RowSource"/> that
/// reports the whole data set's row count and global row indices but holds (or streams) only the
/// rows of this rank. Pass it to <see cref="GaussianMixture.Fit(RowSource, IProgress{FitProgress}?, CancellationToken)"/>
/// on every rank: the fit then exchanges partial statistics over MPI and every rank gets the model
/// a single process would fit on the whole data, bit for bit.
/// </summary>
/// <remarks>
/// Shares are row ranges on whole subtrees of the engine's reduction tree (see
/// <c>ProcessGroup.AlignedRowBoundaries</c>): rank r of P gets about n/P rows, starting at a
/// multiple of 1024 rows. Options must keep the default <see cref="MixtureOptions.ChunkRows"/>.
/// </remarks>
public static class DistributedData
{
    /// <summary>
    /// Opens this rank's rows of a <c>.npy</c> file that every rank can read (a shared or copied
    /// file): only the rank's row range is read, into memory when it takes at most
    /// <paramref name="memoryBudget"/> bytes as float64, otherwise streamed from disk on every pass.
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing or not a supported array.</exception>
    public static RowSource OpenNpy(MpiWorld mpi, string path, long memoryBudget = long.MaxValue, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(mpi);
        var file = NpyFileRows.Open(path, featureNames);
        try
        {
            var group = new MpiProcessGroup(mpi, ProcessGroup.AlignedRowBoundaries(file.RowCount, mpi.Size, Chunking.DefaultChunkRows));
            int from = group.RowBoundaries[mpi.Rank], to = group.RowBoundaries[mpi.Rank + 1];
            int d = file.FeatureCount;
            if ((long)(to - from) * d * sizeof(double) > memoryBudget)
                return new ShardRows(file, group, from, to, offset: 0, owned: file, streamed: true);
            var values = new double[checked((to - from) * d)];
            double[]? buffer = null;
            for (int start = from; start < to; start += Chunking.DefaultChunkRows)
            {
                int count = Math.Min(Chunking.DefaultChunkRows, to - start);
                file.ReadRows(start, count, ref buffer).CopyTo(values.AsSpan((start - from) * d));
            }
            var rows = to > from ? DataSet.Wrap(values, d, file.FeatureNames, path) : null;
            file.Dispose();
            return new ShardRows(file, group, from, to, offset: from, owned: null, streamed: false, loaded: rows);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// This rank's rows of a data set of <paramref name="rowCount"/> rows that
    /// <paramref name="readRows"/>(first, count) reads in part (for example the row groups of a
    /// Parquet file that hold those rows), held in memory. A rank with no rows reads the first row
    /// only, for the column names.
    /// </summary>
    public static RowSource FromRowRange(MpiWorld mpi, int rowCount, Func<int, int, DataSet> readRows)
    {
        ArgumentNullException.ThrowIfNull(mpi);
        ArgumentNullException.ThrowIfNull(readRows);
        var group = new MpiProcessGroup(mpi, ProcessGroup.AlignedRowBoundaries(rowCount, mpi.Size, Chunking.DefaultChunkRows));
        int from = group.RowBoundaries[mpi.Rank], to = group.RowBoundaries[mpi.Rank + 1];
        var rows = readRows(to > from ? from : 0, to > from ? to - from : 1);
        return new ShardRows(rows, group, from, to, offset: from, owned: null, streamed: false, loaded: to > from ? rows : null, rowCount: rowCount);
    }

    /// <summary>
    /// One file per rank: <paramref name="mine"/> are this rank's rows, and the data set is the
    /// files of ranks 0, 1, … one after the other. Fitted as that whole data set, bit for bit.
    /// </summary>
    /// <remarks>
    /// The engine cuts rows into chunks of 1024 at multiples of 1024 of the whole data set, so a
    /// chunk can start in one rank's file and end in the next: the rank that owns the chunk (the one
    /// holding its first row) gets the rest of its rows from the following ranks once, at the start
    /// (at most 1023 rows). Shares cut the reduction tree where the files end, so a rank sends up to
    /// about 2·log₂(its chunks) partial sums per reduction (instead of at most 9 for row ranges).
    /// </remarks>
    /// <exception cref="DataFormatException">The ranks' files have different numbers of columns, or too many rows in all.</exception>
    public static RowSource FromRankFiles(MpiWorld mpi, DataSet mine)
    {
        ArgumentNullException.ThrowIfNull(mpi);
        ArgumentNullException.ThrowIfNull(mine);
        int size = mpi.Size, rank = mpi.Rank, d = mine.FeatureCount;
        var shapes = new double[2 * size];
        mpi.AllGather([mine.RowCount, d], shapes, Enumerable.Repeat(2, size).ToArray());
        var rows = new int[size];
        var boundaries = new int[size + 1];
        for (int r = 0; r < size; r++)
        {
            if ((int)shapes[(2 * r) + 1] != d)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{mine.Source}: {d} columns, but the file of rank {r} has {shapes[(2 * r) + 1]}; every rank's file needs the same columns."));
            rows[r] = (int)shapes[2 * r];
            long end = (long)boundaries[r] + rows[r];
            if (end > int.MaxValue)
                throw new DataFormatException($"{mine.Source}: the ranks' files hold more than {int.MaxValue} rows in all.");
            boundaries[r + 1] = (int)end;
        }

        // Every rank sends its first rows (up to a chunk less one): enough for the rank before it to
        // complete a chunk that starts in its own file, even across files shorter than a chunk.
        const int Head = Chunking.DefaultChunkRows - 1;
        var counts = rows.Select(n => Math.Min(n, Head) * d).ToArray();
        var heads = new double[counts.Sum()];
        mpi.AllGather(mine.Values[..counts[rank]], heads, counts);

        int rowCount = boundaries[size];
        int RoundUp(int row) => (int)Math.Min(rowCount, ((long)row + Head) / Chunking.DefaultChunkRows * Chunking.DefaultChunkRows);
        bool ownsAChunk = RoundUp(boundaries[rank]) < boundaries[rank + 1];
        int to = ownsAChunk ? RoundUp(boundaries[rank + 1]) : boundaries[rank + 1];
        var values = new double[checked((to - boundaries[rank]) * d)];
        mine.Values.CopyTo(values);
        int filled = mine.RowCount, headAt = counts.Take(rank + 1).Sum();
        for (int q = rank + 1; q < size && boundaries[rank] + filled < to; q++)
        {
            int take = Math.Min(counts[q] / d, to - boundaries[rank] - filled);
            heads.AsSpan(headAt, take * d).CopyTo(values.AsSpan(filled * d));
            filled += take;
            headAt += counts[q];
        }
        var loaded = DataSet.Wrap(values, d, mine.FeatureNames, mine.Source);
        var group = new MpiProcessGroup(mpi, boundaries);
        return new ShardRows(loaded, group, boundaries[rank], to, offset: boundaries[rank], owned: null, streamed: false, loaded: loaded, rowCount: rowCount);
    }

    /// <summary>
    /// This rank's share of rows that every rank holds or can read whole (for example a CSV file
    /// each rank parsed): the rank computes only its share, so the work is split, not the reading.
    /// </summary>
    public static RowSource Share(MpiWorld mpi, RowSource whole)
    {
        ArgumentNullException.ThrowIfNull(mpi);
        ArgumentNullException.ThrowIfNull(whole);
        var group = new MpiProcessGroup(mpi, ProcessGroup.AlignedRowBoundaries(whole.RowCount, mpi.Size, Chunking.DefaultChunkRows));
        return new ShardRows(whole, group, group.RowBoundaries[mpi.Rank], group.RowBoundaries[mpi.Rank + 1], offset: 0, owned: whole as IDisposable, streamed: !whole.IsInMemory);
    }

    /// <summary>Whether this rank streams its rows from disk on every pass (true) or holds them in memory.</summary>
    public static bool IsStreamed(RowSource rows) => rows is ShardRows { Streamed: true };

    /// <summary>Rows [from, to) of this rank, as global row indices (the engine reads these only).</summary>
    public static (int From, int To) RowRange(RowSource rows) =>
        rows is ShardRows shard ? (shard.From, shard.To) : (0, rows?.RowCount ?? 0);
}

/// <summary>An MPI job as the engine's <see cref="ProcessGroup"/>.</summary>
internal sealed class MpiProcessGroup(MpiWorld mpi, int[] boundaries) : ProcessGroup
{
    public override int Rank => mpi.Rank;

    public override int Size => mpi.Size;

    public override IReadOnlyList<int> RowBoundaries => boundaries;

    public override void AllGather(ReadOnlySpan<double> mine, Span<double> all, ReadOnlySpan<int> counts) => mpi.AllGather(mine, all, counts);
}

/// <summary>One rank's rows, read with global row indices; reading any other row is a bug and says so.</summary>
internal sealed class ShardRows : RowSource, IDisposable
{
    private readonly RowSource _whole;
    private readonly RowSource? _loaded;
    private readonly ProcessGroup _group;
    private readonly int _offset;
    private readonly IDisposable? _owned;

    public ShardRows(RowSource whole, ProcessGroup group, int from, int to, int offset, IDisposable? owned, bool streamed, RowSource? loaded = null, int? rowCount = null)
    {
        _whole = whole;
        _loaded = loaded;
        _group = group;
        From = from;
        To = to;
        _offset = offset;
        _owned = owned;
        Streamed = streamed;
        RowCount = rowCount ?? whole.RowCount;
        FeatureCount = whole.FeatureCount;
        FeatureNames = [.. whole.FeatureNames];
        Source = whole.Source;
    }

    public int From { get; }

    public int To { get; }

    public bool Streamed { get; }

    public override int RowCount { get; }

    public override int FeatureCount { get; }

    public override IReadOnlyList<string> FeatureNames { get; }

    public override string Source { get; }

    /// <inheritdoc/>
    protected internal override bool IsInMemory => false;

    internal override ProcessGroup? Processes => _group;

    /// <inheritdoc/>
    protected internal override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer)
    {
        if (count == 0)
            return [];
        if (start < From || start + count > To)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{Source}: rank {_group.Rank} was asked for rows [{start}, {start + count}) outside its share [{From}, {To}) (distributed fits need the default chunk size)."));
        }
        return (_loaded ?? _whole).ReadRows(start - _offset, count, ref buffer);
    }

    public void Dispose() => _owned?.Dispose();
}
