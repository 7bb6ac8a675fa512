using Emix.Statistics;

namespace Emix.Engine;

/// <summary>
/// A family whose E-step goes row by row in scalar code (Poisson, Bernoulli, categorical): it says how
/// one row's log w_j + log p_j(x) come out and what a row adds to the statistics; the chunk loops of
/// <see cref="IMixtureFamily{TParameters}"/> are written here once.
/// </summary>
internal abstract class RowwiseFamily<TParameters> : IMixtureFamily<TParameters>
    where TParameters : class
{
    public abstract string Name { get; }

    public abstract int ComponentCount(TParameters p);

    public abstract int FeatureCount(TParameters p);

    public abstract StatisticsLayout Layout(TParameters p);

    public virtual ReadOnlySpan<double> Centres(TParameters p) => default;

    public object ScratchKey(TParameters p) => (ComponentCount(p), FeatureCount(p));

    public object CreateScratch(int chunkRows, TParameters p) => new RowScratch(ComponentCount(p), FeatureCount(p));

    public abstract long FreeParameterCount(TParameters p);

    public abstract bool IsFinite(TParameters p);

    /// <summary>Writes log r_j of one row (k) into <paramref name="logResp"/> and returns its full log p(x); <paramref name="scratch"/> is the thread's.</summary>
    protected abstract double RowLogResponsibilities(TParameters p, ReadOnlySpan<double> x, Span<double> logResp, RowScratch scratch);

    /// <summary>Adds one row's contribution, responsibilities exp(log r) times <paramref name="weight"/>, to the statistics (nk included).</summary>
    protected abstract void AddRow(TParameters p, ReadOnlySpan<double> x, ReadOnlySpan<double> logResp, double weight, Span<double> statistics, RowScratch scratch);

    public virtual void Accumulate(TParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch) =>
        AccumulateRows(p, rows, weights, n, statistics, scratch);

    /// <summary>The E-step of a chunk row by row in scalar code: every family's reference, and its path where no vector kernel runs.</summary>
    internal void AccumulateRows(TParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, Span<double> statistics, object scratch)
    {
        var s = (RowScratch)scratch;
        int d = FeatureCount(p);
        var logResp = s.LogResp.AsSpan(0, ComponentCount(p));
        double logLikelihood = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            // A row of weight 0 adds nothing, even one no component can explain (0·−∞), as in the Gaussian kernels.
            if (w == 0)
                continue;
            var x = rows.Slice(i * d, d);
            logLikelihood += w * RowLogResponsibilities(p, x, logResp, s);
            AddRow(p, x, logResp, w, statistics, s);
        }
        statistics[StatisticsLayout.LogLikelihoodOffset] += logLikelihood;
    }

    public double LogResponsibilities(TParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch)
    {
        var s = (RowScratch)scratch;
        int k = ComponentCount(p), d = FeatureCount(p);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = RowLogResponsibilities(p, rows.Slice(i * d, d), logResp.Slice(i * k, k), s);
            if (!logNorm.IsEmpty)
                logNorm[i] = norm;
            total += norm;
        }
        return total;
    }

    public double MostProbable(TParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch)
    {
        var s = (RowScratch)scratch;
        int d = FeatureCount(p);
        var logResp = s.LogResp.AsSpan(0, ComponentCount(p));
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double norm = RowLogResponsibilities(p, rows.Slice(i * d, d), logResp, s);
            labels[i] = Passes.MostProbable(logResp);
            if (!logNorm.IsEmpty)
                logNorm[i] = norm;
            total += norm;
        }
        return total;
    }

    /// <summary>A thread's buffers: one row's log-responsibilities (k) and one int per feature.</summary>
    protected internal sealed class RowScratch(int k, int d)
    {
        public readonly double[] LogResp = new double[k];
        public readonly int[] PerFeature = new int[d];

        private double[]? _moments;

        /// <summary>A vector kernel's per-chunk moments (d × padded k), made on first use.</summary>
        public double[] Moments(int length) => _moments is { } m && m.Length >= length ? m : _moments = new double[length];
    }
}
