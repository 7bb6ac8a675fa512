namespace Emix.Statistics;

/// <summary>
/// The statistics of families whose M-step parameter is a weighted mean of x (Poisson rates, Bernoulli
/// probabilities): [Σ log p(x_i)], nk (k), Σ r·x (k×d). Not centred: such data sit near the origin.
/// </summary>
internal sealed class MeanStatisticsLayout(int k, int d) : StatisticsLayout(k, 1 + k + (k * d), 0)
{
    public int FeatureCount { get; } = d;

    public int SumOffset => 1 + ComponentCount;

    public Span<double> Sums(Span<double> buffer) => buffer.Slice(SumOffset, ComponentCount * FeatureCount);

    public override bool SameAs(StatisticsLayout other) =>
        other is MeanStatisticsLayout p && p.ComponentCount == ComponentCount && p.FeatureCount == FeatureCount;

    /// <summary>
    /// The M-step of such families: w_j = nkReg_j / <paramref name="initRowCount"/> after an initialisation (as scikit-learn),
    /// nkReg_j / Σ nkReg after an E-step; the means Σ r·x / nkReg (nkReg = nk + 10·eps, so an empty component gets 0, not NaN).
    /// </summary>
    public (double[] Weights, double[] Means) Estimate(double[] values, double? initRowCount)
    {
        int k = ComponentCount, d = FeatureCount;
        var nk = Nk(values);
        var sums = Sums(values);
        var weights = new double[k];
        var means = new double[k * d];
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            double nkReg = nk[j] + NkGuard;
            weights[j] = nkReg;
            total += nkReg;
            for (int a = 0; a < d; a++)
                means[(j * d) + a] = sums[(j * d) + a] / nkReg;
        }
        double divisor = initRowCount ?? total;
        for (int j = 0; j < k; j++)
            weights[j] /= divisor;
        return (weights, means);
    }

    /// <summary>Adds nk and Σ r·x of rows with given responsibilities (n×k, already times each row's weight).</summary>
    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, Span<double> statistics)
    {
        int k = ComponentCount, d = FeatureCount;
        var nk = Nk(statistics);
        var sums = Sums(statistics);
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * d, d);
            for (int j = 0; j < k; j++)
            {
                double r = resp[(i * k) + j];
                nk[j] += r;
                if (r == 0)
                    continue;
                var sum = sums.Slice(j * d, d);
                for (int a = 0; a < d; a++)
                    sum[a] += r * x[a];
            }
        }
    }

    /// <summary>The same for hard labels with responsibility w_i (1 without weights).</summary>
    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, Span<double> statistics)
    {
        int d = FeatureCount;
        var nk = Nk(statistics);
        var sums = Sums(statistics);
        for (int i = 0; i < n; i++)
        {
            int j = labels[i];
            double r = weights.IsEmpty ? 1.0 : weights[i];
            nk[j] += r;
            if (r == 0)
                continue;
            var sum = sums.Slice(j * d, d);
            var x = rows.Slice(i * d, d);
            for (int a = 0; a < d; a++)
                sum[a] += r * x[a];
        }
    }

    /// <summary>Adds one row's nk and Σ r·x for responsibilities exp(<paramref name="logResp"/>) times the row's weight.</summary>
    public void AddRow(ReadOnlySpan<double> x, ReadOnlySpan<double> logResp, double weight, Span<double> nk, Span<double> sums)
    {
        int d = FeatureCount;
        for (int j = 0; j < logResp.Length; j++)
        {
            double r = Math.Exp(logResp[j]) * weight;
            if (r == 0)
                continue;
            nk[j] += r;
            var sum = sums.Slice(j * d, d);
            for (int a = 0; a < d; a++)
                sum[a] += r * x[a];
        }
    }
}
