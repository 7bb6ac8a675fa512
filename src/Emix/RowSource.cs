namespace Emix;

/// <summary>
/// Rows the engine reads chunk by chunk: a <see cref="DataSet"/> in memory, or a file streamed
/// from disk on every pass (<see cref="Data.NpyFileRows"/>) when the data do not fit in memory.
/// Both give the same chunks, so a fit gives the same bits either way.
/// </summary>
public abstract class RowSource
{
    /// <summary>Number of rows.</summary>
    public abstract int RowCount { get; }

    /// <summary>Number of features per row.</summary>
    public abstract int FeatureCount { get; }

    /// <summary>Column names.</summary>
    public abstract IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Where the rows come from, for messages.</summary>
    public abstract string Source { get; }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>), row-major.
    /// A source in memory returns a view; a streamed source reads into <paramref name="buffer"/>
    /// (allocated on first use, then reused by the calling thread).
    /// </summary>
    internal abstract ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer);

    /// <summary>True when every row is held in memory.</summary>
    internal abstract bool IsInMemory { get; }

    /// <summary>
    /// The processes this fit is spread over when this source holds one process's share of the rows
    /// (<see cref="Em.ProcessGroup"/>); null for a source that holds every row.
    /// </summary>
    internal virtual Em.ProcessGroup? Processes => null;
}
