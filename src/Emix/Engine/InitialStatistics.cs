using Emix.Initialization;
using Emix.Statistics;

namespace Emix.Engine;

/// <summary>
/// What a family's fit adds to statistics from responsibilities it is given instead of computing
/// them: the start of every run (scikit-learn's <c>_initialize</c>, mclust's <c>me(z)</c>), one M-step
/// from an initialisation's responsibilities or hard labels.
/// </summary>
internal interface IGivenResponsibilities
{
    /// <summary>Adds nk and the rest of the statistics of rows with responsibilities <paramref name="resp"/> (n×k, already times each row's weight).</summary>
    void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch);

    /// <summary>
    /// The same for hard labels: row i wholly in component <paramref name="labels"/>[i] with responsibility
    /// <paramref name="weights"/>[i] (1 when empty): the bits of the one-hot responsibilities, without them.
    /// </summary>
    void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch);
}

/// <summary>Statistics of the rows under given responsibilities, in chunks merged in chunk order (and across processes).</summary>
internal static class InitialStatistics
{
    public static MixtureStatistics Gather(RowSource data, InitialResponsibilities resp, StatisticsLayout layout, ReadOnlySpan<double> centres,
        IGivenResponsibilities family, int chunkRows, int? threads, CancellationToken cancellationToken)
    {
        int k = layout.ComponentCount, d = data.FeatureCount;
        var chunking = new Chunking(data.RowCount, chunkRows);
        var statistics = MixtureStatistics.Zero(layout, centres);
        var shifts = statistics.Centres;
        ChunkRunner.Reduce(chunking, layout.Length, threads, () => new Scratch(chunkRows, k, d), (c, s, scratch) =>
        {
            int len = chunking.Length(c), start = chunking.Start(c);
            var rows = data.ReadRows(start, len, ref scratch.Rows);
            var labels = scratch.Labels.AsSpan(0, len);
            if (resp.TryLabels(start, len, rows, labels))
            {
                family.AccumulateLabels(rows, len, labels, data.ReadWeights(start, len), shifts, s, scratch.Row);
                return;
            }
            var r = scratch.Resp.AsSpan(0, len * k);
            resp.Fill(c, start, len, k, rows, r);
            Passes.ScaleRows(r, data.ReadWeights(start, len), k);
            family.AccumulateResponsibilities(rows, len, r, shifts, s, scratch.Row);
        }, statistics.Values, cancellationToken: cancellationToken, processes: data.Processes);
        return statistics;
    }

    private sealed class Scratch(int chunkRows, int k, int d)
    {
        public readonly double[] Resp = new double[chunkRows * k];
        public readonly int[] Labels = new int[chunkRows];
        public readonly double[] Row = new double[d];
        public double[]? Rows;
    }
}
