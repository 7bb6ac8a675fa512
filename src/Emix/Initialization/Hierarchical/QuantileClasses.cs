namespace Emix.Initialization.Hierarchical;

/// <summary>mclust's <c>qclass(x, k)</c>: k classes of one variable cut at its quantiles, Mclust's start in one dimension.</summary>
internal static class QuantileClasses
{
    /// <summary>
    /// The 0-based class of every value: cut points are R's type-7 quantiles at m equally spaced
    /// probabilities for m = k+1, k+2, … until k+1 of them are distinct; if there are more, those that
    /// open the smallest gaps are dropped; the ends become min − ε and max + ε with ε = sd·√(2⁻⁵²), and
    /// class c holds the values in [q_c, q_c+1).
    /// </summary>
    public static int[] Classify(ReadOnlySpan<double> values, int k)
    {
        int n = values.Length;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double mean = 0;
        foreach (double x in values)
            mean += x;
        mean /= n;
        double squares = 0;
        foreach (double x in values)
            squares += (x - mean) * (x - mean);
        double eps = Math.Sqrt(squares / (n - 1)) * Math.Sqrt(Math.Pow(2, -52));

        List<double> q = [];
        for (int m = k + 1; q.Count < k + 1; m++)
            q = DistinctQuantiles(sorted, m);
        if (q.Count > k + 1)
        {
            // R: q[-order(diff(q))[1:nr]], order being stable: the left end of each of the nr smallest gaps goes.
            int drop = q.Count - k - 1;
            var gaps = Enumerable.Range(0, q.Count - 1).OrderBy(i => q[i + 1] - q[i]).Take(drop).ToHashSet();
            q = q.Where((_, i) => !gaps.Contains(i)).ToList();
        }
        q[0] = sorted[0] - eps;
        q[^1] = sorted[^1] + eps;
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            // Later classes overwrite earlier ones, as qclass's loop does.
            int label = -1;
            for (int c = 0; c < k; c++)
            {
                if (values[i] >= q[c] && values[i] < q[c + 1])
                    label = c;
            }
            labels[i] = label;
        }
        return labels;
    }

    /// <summary><c>unique(quantile(x, seq(0, 1, length = m)))</c> with R's default type 7.</summary>
    private static List<double> DistinctQuantiles(double[] sorted, int m)
    {
        int n = sorted.Length;
        double by = 1.0 / (m - 1);
        var result = new List<double>(m);
        for (int s = 0; s < m; s++)
        {
            // seq(): the ends exactly, the middle from + s·by.
            double prob = s == 0 ? 0 : s == m - 1 ? 1 : s * by;
            double index = 1 + ((n - 1) * prob);
            int lo = (int)Math.Floor(index), hi = (int)Math.Ceiling(index);
            double value = sorted[lo - 1];
            if (index > lo && sorted[hi - 1] != value)
            {
                double h = index - lo;
                value = ((1 - h) * value) + (h * sorted[hi - 1]);
            }
            if (!result.Contains(value))
                result.Add(value);
        }
        return result;
    }
}
