namespace Emix;

/// <summary>
/// Rows the engine reads chunk by chunk: a <see cref="DataSet"/> in memory, or a file streamed
/// from disk on every pass (<see cref="Data.NpyFileRows"/>) when the data do not fit in memory.
/// Both give the same chunks, so a fit gives the same bits either way.
/// </summary>
/// <remarks>
/// Other assemblies may supply rows too (an ML.NET <c>IDataView</c>, a database cursor): derive from
/// this class and override the abstract members, <see cref="ReadRows"/> among them. Every pass of a
/// fit reads all rows again, chunk by chunk, possibly from several threads at once (each with its
/// own buffer), so <see cref="ReadRows"/> must be safe to call concurrently and return the same
/// values every time.
/// </remarks>
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
    protected internal abstract ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer);

    /// <summary>True when every row is held in memory (false unless a source says so).</summary>
    protected internal virtual bool IsInMemory => false;

    /// <summary>
    /// The processes this fit is spread over when this source holds one process's share of the rows
    /// (<see cref="Engine.ProcessGroup"/>); null for a source that holds every row.
    /// </summary>
    internal virtual Engine.ProcessGroup? Processes => null;

    /// <summary>
    /// Number of missing cells (NaN in a source made to allow them, see <see cref="DataSet.WrapWithMissing"/>);
    /// 0 for every other source. A fit on rows with missing cells is EM for data missing at random.
    /// </summary>
    public virtual long MissingCount => 0;

    /// <summary>True when some cell is missing (<see cref="MissingCount"/> &gt; 0).</summary>
    public bool HasMissing => MissingCount > 0;

    private double[]? _weights;
    private double _totalWeight;

    /// <summary>True when rows carry sample weights (<see cref="WithWeights"/>).</summary>
    public bool IsWeighted => _weights is not null;

    /// <summary>The sample weight of every row, or an empty span when every row weighs 1.</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>
    /// Σ of the weights (the row count when unweighted): the effective sample size of a weighted
    /// fit. Weights are frequency weights: a row of weight 3 counts as 3 identical rows, in the
    /// likelihood, the lower bound (divided by this total) and the log n of BIC.
    /// </summary>
    public double TotalWeight => _weights is null ? RowCount : _totalWeight;

    /// <summary>Weights of rows [start, start + count), or an empty span when unweighted.</summary>
    internal ReadOnlySpan<double> ReadWeights(int start, int count) => _weights is null ? default : _weights.AsSpan(start, count);

    /// <summary>
    /// The same rows with per-row sample weights (finite, non-negative, not all zero). A fit on
    /// them is weighted EM: with integer weights it gives the model of the data with each row
    /// repeated that many times.
    /// </summary>
    /// <exception cref="DataFormatException">A weight is negative, not finite, all are zero, or the count differs from <see cref="RowCount"/>.</exception>
    public virtual RowSource WithWeights(ReadOnlySpan<double> weights)
    {
        var checkedWeights = CheckWeights(weights, RowCount, Source);
        var weighted = new WeightedRows(this);
        weighted.AttachWeights(checkedWeights);
        return weighted;
    }

    /// <summary>Sets the weights of a freshly made source (they are not changed afterwards).</summary>
    private protected void AttachWeights(double[]? weights)
    {
        _weights = weights;
        double total = 0;
        if (weights is not null)
            foreach (double w in weights)
                total += w;
        _totalWeight = total;
    }

    /// <summary>Copies and checks sample weights; the message names the first bad one.</summary>
    private protected static double[] CheckWeights(ReadOnlySpan<double> weights, int rowCount, string source)
    {
        if (weights.Length != rowCount)
            throw new DataFormatException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{source}: {weights.Length} sample weights for {rowCount} rows; give one weight per row."));
        var copy = weights.ToArray();
        bool anyPositive = false;
        for (int i = 0; i < copy.Length; i++)
        {
            if (!double.IsFinite(copy[i]) || copy[i] < 0)
                throw new DataFormatException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{source}: sample weight of row {i + 1} is {copy[i]:R}; weights must be finite and non-negative."));
            anyPositive |= copy[i] > 0;
        }
        if (!anyPositive)
            throw new DataFormatException($"{source}: every sample weight is 0; at least one row must weigh something.");
        return copy;
    }

    /// <summary>Another source's rows with weights of their own.</summary>
    private sealed class WeightedRows(RowSource inner) : RowSource
    {
        public override int RowCount => inner.RowCount;
        public override int FeatureCount => inner.FeatureCount;
        public override IReadOnlyList<string> FeatureNames => inner.FeatureNames;
        public override string Source => inner.Source;
        protected internal override bool IsInMemory => inner.IsInMemory;
        public override long MissingCount => inner.MissingCount;
        internal override Engine.ProcessGroup? Processes => inner.Processes;
        protected internal override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer) => inner.ReadRows(start, count, ref buffer);
    }
}
