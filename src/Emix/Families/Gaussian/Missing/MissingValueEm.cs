using System.Globalization;
using Emix.Families.Gaussian;
using Emix.Engine;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Families.Gaussian.Missing;

/// <summary>
/// Exact EM for rows with missing cells (data missing at random), for every covariance structure:
/// the E-step of a row uses the marginal density of its observed coordinates, and the statistics
/// take the conditional expectations of the missing coordinates and their conditional covariances.
/// The lower bound is then the observed-data log-likelihood, which EM never decreases.
/// See docs/missing-values.md.
/// </summary>
/// <remarks>
/// Glossary: n = rows in a chunk, d = features, k = components, o / m = a row's observed / missing
/// coordinates, x̂_j = the row with x_m replaced by μ_jm + B_j·(x_o − μ_jo), C_j = the conditional
/// covariance of x_m under component j, e = x̂_j − μ_j (the statistics are centred on the means,
/// as in <see cref="GaussianStatisticsLayout"/>), r = responsibility (times the row's sample weight).
/// Complete rows of a chunk are gathered, in order, and go through the E-step kernel unchanged;
/// the rows with missing cells follow, in row order. Chunks merge in chunk order as always, so the
/// result does not depend on the thread count.
/// </remarks>
internal static class MissingValueEm
{
    private const double Log2Pi = 1.8378770664093454835606594728112;

    /// <summary>Per-thread buffers of one pass; the pattern cache belongs to the parameters of that pass.</summary>
    internal sealed class Scratch
    {
        /// <summary>
        /// Patterns kept per thread and pass. Each holds O(k·d²) doubles; data where nearly every row
        /// has its own pattern would otherwise keep one per row, so the cache starts over when full
        /// (the results do not depend on it: a pattern is a function of the parameters alone).
        /// </summary>
        private const int MaxCachedPatterns = 256;

        private readonly Dictionary<string, MissingPattern> _patterns = new(StringComparer.Ordinal);
        private readonly char[] _key;
        private GaussianParameters? _patternsFor;

        public Scratch(IEStepKernel? kernel, GaussianParameters p, int chunkRows)
        {
            int k = p.ComponentCount, d = p.FeatureCount;
            Kernel = kernel?.CreateScratch(chunkRows, p);
            Complete = new double[chunkRows * d];
            CompleteWeights = new double[chunkRows];
            CompleteLogResp = new double[chunkRows * k];
            CompleteLogNorm = new double[chunkRows];
            LogResp = new double[chunkRows * k];
            LogNorm = new double[chunkRows];
            Diff = new double[d];
            Z = new double[d];
            E = new double[d];
            _key = new char[d];
        }

        public readonly object? Kernel;
        public readonly double[] Complete, CompleteWeights, CompleteLogResp, CompleteLogNorm, LogResp, LogNorm, Diff, Z, E;
        public double[]? Rows;

        /// <summary>The pattern of a row with missing cells, built on first sight in this pass.</summary>
        public MissingPattern PatternOf(GaussianParameters p, ReadOnlySpan<double> row)
        {
            if (!ReferenceEquals(_patternsFor, p))
            {
                _patterns.Clear();
                _patternsFor = p;
            }
            for (int a = 0; a < row.Length; a++)
                _key[a] = double.IsNaN(row[a]) ? 'm' : 'o';
            var lookup = _patterns.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(_key, out var pattern))
            {
                if (_patterns.Count == MaxCachedPatterns)
                    _patterns.Clear();
                pattern = MissingPattern.Create(p, row);
                _patterns.Add(new string(_key), pattern);
            }
            return pattern;
        }
    }

    private static bool IsComplete(ReadOnlySpan<double> row)
    {
        foreach (double v in row)
            if (double.IsNaN(v))
                return false;
        return true;
    }

    /// <summary>
    /// The E-step statistics of one chunk that may hold rows with missing cells: the layout of the
    /// kernels, centred on the means of <paramref name="p"/>, with the observed-data log-likelihood first.
    /// </summary>
    internal static void AccumulateChunk(GaussianParameters p, IEStepKernel kernel, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n,
        GaussianStatisticsLayout layout, Span<double> stats, Scratch s)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        int complete = Gather(rows, weights, n, d, s);
        if (complete == n)
        {
            kernel.Accumulate(p, rows, weights, n, layout, stats, s.Kernel!);
            return;
        }
        if (complete > 0)
            kernel.Accumulate(p, s.Complete.AsSpan(0, complete * d), weights.IsEmpty ? default : s.CompleteWeights.AsSpan(0, complete), complete, layout, stats, s.Kernel!);

        var nk = layout.Nk(stats);
        var sx = layout.FirstMoment(stats);
        var second = layout.SecondMoment(stats);
        var logResp = s.LogResp.AsSpan(0, k);
        double logLikelihood = 0;
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * d, d);
            double w = weights.IsEmpty ? 1.0 : weights[i];
            // A row of weight 0 adds nothing, even one no component can explain (0·−∞), as in the kernels.
            if (IsComplete(x) || w == 0)
                continue;
            var pattern = s.PatternOf(p, x);
            double norm = RowLogResponsibilities(p, pattern, x, logResp, s);
            logLikelihood += w * norm;
            for (int j = 0; j < k; j++)
            {
                double r = Math.Exp(logResp[j]) * w;
                if (r == 0)
                    continue;
                nk[j] += r;
                ConditionalDeviation(p, pattern, j, x, s.E);
                var sxRow = sx.Slice(j * d, d);
                for (int a = 0; a < d; a++)
                    sxRow[a] += r * s.E[a];
                p.Structure.AddExpectedSecondMoment(j, d, s.E, pattern.Missing, pattern.ConditionalCovarianceOf(j), r, second);
            }
        }
        stats[GaussianStatisticsLayout.LogLikelihoodOffset] += logLikelihood;
    }

    /// <summary>Copies the complete rows of a chunk (and their weights) to the scratch, in order; returns how many.</summary>
    private static int Gather(ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, int d, Scratch s)
    {
        int complete = 0;
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * d, d);
            if (!IsComplete(x))
                continue;
            x.CopyTo(s.Complete.AsSpan(complete * d, d));
            if (!weights.IsEmpty)
                s.CompleteWeights[complete] = weights[i];
            complete++;
        }
        return complete;
    }

    /// <summary>
    /// log r_ij (k) of one row with missing cells from the marginal densities of its observed
    /// coordinates, log-sum-exp normalised by <see cref="Passes.NormaliseLogRow"/>; returns log p(x_o).
    /// </summary>
    private static double RowLogResponsibilities(GaussianParameters p, MissingPattern pattern, ReadOnlySpan<double> x, Span<double> logResp, Scratch s)
    {
        int k = p.ComponentCount;
        var observed = pattern.Observed;
        int no = observed.Length;
        for (int j = 0; j < k; j++)
        {
            var mean = p.MeanOf(j);
            var l = pattern.FactorOf(j);
            // q = ‖L⁻¹(x_o − μ_o)‖² by forward substitution.
            double q = 0;
            for (int u = 0; u < no; u++)
            {
                double v = x[observed[u]] - mean[observed[u]];
                for (int t = 0; t < u; t++)
                    v -= l[(u * no) + t] * s.Z[t];
                v /= l[(u * no) + u];
                s.Z[u] = v;
                q += v * v;
            }
            logResp[j] = (-0.5 * no * Log2Pi) - pattern.LogDetFactor[j] - (0.5 * q) + p.LogWeights[j];
        }
        return Passes.NormaliseLogRow(logResp[..k]);
    }

    /// <summary>e = x̂_j − μ_j: x_o − μ_o on the observed coordinates, B_j·(x_o − μ_o) on the missing ones.</summary>
    private static void ConditionalDeviation(GaussianParameters p, MissingPattern pattern, int j, ReadOnlySpan<double> x, Span<double> e)
    {
        var mean = p.MeanOf(j);
        var observed = pattern.Observed;
        var missing = pattern.Missing;
        int no = observed.Length;
        for (int u = 0; u < no; u++)
            e[observed[u]] = x[observed[u]] - mean[observed[u]];
        var b = pattern.RegressionOf(j);
        for (int v = 0; v < missing.Length; v++)
        {
            double sum = 0;
            for (int u = 0; u < no; u++)
                sum += b[(v * no) + u] * e[observed[u]];
            e[missing[v]] = sum;
        }
    }

    /// <summary>
    /// log r_ij (n×k) and log p(x_i) (n) of a chunk that may hold rows with missing cells: complete
    /// rows through the kernel (the same bits as without missing cells), the others from their
    /// observed coordinates. Returns Σ log p(x_i) in row order.
    /// </summary>
    internal static double LogResponsibilities(GaussianParameters p, IEStepKernel kernel, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, Scratch s)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        int complete = Gather(rows, default, n, d, s);
        if (complete > 0)
            kernel.LogResponsibilities(p, s.Complete.AsSpan(0, complete * d), complete, s.CompleteLogResp.AsSpan(0, complete * k), s.CompleteLogNorm.AsSpan(0, complete), s.Kernel!);
        double total = 0;
        int next = 0;
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * d, d);
            var row = logResp.Slice(i * k, k);
            if (IsComplete(x))
            {
                s.CompleteLogResp.AsSpan(next * k, k).CopyTo(row);
                logNorm[i] = s.CompleteLogNorm[next++];
            }
            else
            {
                logNorm[i] = RowLogResponsibilities(p, s.PatternOf(p, x), x, row, s);
            }
            total += logNorm[i];
        }
        return total;
    }

    /// <summary>
    /// Conditional means E[x_m | x_o] = Σ_j r_j(x_o)·x̂_j of every missing cell (observed cells are
    /// copied) and, when <paramref name="variances"/> is given, the conditional variances
    /// Σ_j r_j·(C_j,aa + (x̂_j,a − E_a)²) (0 on observed cells). Both n×d, row-major.
    /// </summary>
    public static void Impute(DataSet data, GaussianParameters p, Span<double> means, Span<double> variances)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var s = new Scratch(null, p, 1);
        var logResp = s.LogResp.AsSpan(0, k);
        var conditional = new double[k * d];
        var values = data.Values;
        values.CopyTo(means);
        if (!variances.IsEmpty)
            variances[..values.Length].Clear();
        for (int i = 0; i < data.RowCount; i++)
        {
            var x = values.Slice(i * d, d);
            if (IsComplete(x))
                continue;
            var pattern = s.PatternOf(p, x);
            RowLogResponsibilities(p, pattern, x, logResp, s);
            var mean = means.Slice(i * d, d);
            foreach (int a in pattern.Missing)
                mean[a] = 0;
            for (int j = 0; j < k; j++)
            {
                var xHat = conditional.AsSpan(j * d, d);
                ConditionalDeviation(p, pattern, j, x, xHat);
                var mu = p.MeanOf(j);
                double r = Math.Exp(logResp[j]);
                foreach (int a in pattern.Missing)
                {
                    xHat[a] += mu[a];
                    mean[a] += r * xHat[a];
                }
            }
            if (variances.IsEmpty)
                continue;
            var variance = variances.Slice(i * d, d);
            var missing = pattern.Missing;
            int nm = missing.Length;
            for (int j = 0; j < k; j++)
            {
                double r = Math.Exp(logResp[j]);
                var c = pattern.ConditionalCovarianceOf(j);
                for (int v = 0; v < nm; v++)
                {
                    int a = missing[v];
                    double spread = conditional[(j * d) + a] - mean[a];
                    variance[a] += r * (c[(v * nm) + v] + (spread * spread));
                }
            }
        }
    }

    /// <summary>
    /// The rows the initialisation sees: with missing cells, each filled with the (weighted) mean of
    /// the observed values of its column, so that k-means and the first M-step run on complete rows.
    /// EM then starts from these parameters and treats the cells as missing from its first E-step.
    /// </summary>
    /// <exception cref="DataFormatException">A column has no observed value at all.</exception>
    public static RowSource InitializationRows(RowSource data)
    {
        if (!data.HasMissing)
            return data;
        int n = data.RowCount, d = data.FeatureCount;
        double[]? buffer = null;
        var rows = data.ReadRows(0, n, ref buffer);
        var weights = data.Weights;
        var sum = new double[d];
        var total = new double[d];
        for (int i = 0; i < n; i++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[i];
            for (int a = 0; a < d; a++)
            {
                double v = rows[(i * d) + a];
                if (double.IsNaN(v))
                    continue;
                sum[a] += w * v;
                total[a] += w;
            }
        }
        for (int a = 0; a < d; a++)
        {
            if (!(total[a] > 0))
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{data.Source}: column {a + 1} ('{data.FeatureNames[a]}') has no observed value (of positive weight); leave it out (--columns)."));
            sum[a] /= total[a];
        }
        var filled = rows.ToArray();
        for (int i = 0; i < filled.Length; i++)
            if (double.IsNaN(filled[i]))
                filled[i] = sum[i % d];
        var result = DataSet.Wrap(filled, d, data.FeatureNames, data.Source);
        return weights.IsEmpty ? result : result.WithWeights(weights);
    }
}
