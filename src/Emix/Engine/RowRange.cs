namespace Emix.Engine;

/// <summary>Rows [start, start + count) of another source, with their weights: a batch of a stepwise fit.</summary>
internal sealed class RowRange : RowSource
{
    private readonly RowSource _inner;
    private readonly int _start;

    public RowRange(RowSource inner, int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + count, inner.RowCount);
        _inner = inner;
        _start = start;
        RowCount = count;
        if (inner.IsWeighted)
            AttachWeights(inner.Weights.Slice(start, count).ToArray());
    }

    public override int RowCount { get; }
    public override int FeatureCount => _inner.FeatureCount;
    public override IReadOnlyList<string> FeatureNames => _inner.FeatureNames;
    public override string Source => _inner.Source;
    public override long MissingCount => _inner.MissingCount;
    protected internal override bool IsInMemory => _inner.IsInMemory;

    protected internal override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer) =>
        _inner.ReadRows(_start + start, count, ref buffer);
}
