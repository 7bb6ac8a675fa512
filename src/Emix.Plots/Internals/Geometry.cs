namespace Emix.Plots;

/// <summary>
/// The mixture restricted to the drawn columns, and the shapes drawn from it.
/// Glossary: k components, c drawn columns, w weights, mu means, S covariances (c×c blocks).
/// </summary>
internal static class Geometry
{
    /// <summary>
    /// The marginal mixture of the chosen columns: same weights, the means' entries and the covariances'
    /// c×c blocks of those columns (a Gaussian's marginal is the Gaussian of the sub-vector).
    /// </summary>
    public static GaussianMixtureModel Marginal(GaussianMixtureModel model, IReadOnlyList<int> columns)
    {
        int k = model.ComponentCount, c = columns.Count;
        var means = model.Means;
        var mu = new double[k, c];
        var covariances = new double[k * c * c];
        for (int j = 0; j < k; j++)
        {
            var full = model.GetCovarianceMatrix(j);
            for (int a = 0; a < c; a++)
            {
                mu[j, a] = means[j, columns[a]];
                for (int b = 0; b < c; b++)
                    covariances[(j * c * c) + (a * c) + b] = full[columns[a], columns[b]];
            }
        }
        var names = columns.Select(a => model.FeatureNames[a]).ToArray();
        return GaussianMixtureModel.Create(CovarianceType.Full, model.Weights, mu, covariances, names);
    }

    /// <summary>The rows' values of the chosen columns, as a new data set.</summary>
    public static DataSet Columns(DataSet data, IReadOnlyList<int> columns)
    {
        int n = data.RowCount, c = columns.Count;
        var values = new double[n * c];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < c; a++)
                values[(i * c) + a] = data[i, columns[a]];
        return DataSet.Wrap(values, c, columns.Select(a => data.FeatureNames[a]).ToArray(), data.Source);
    }

    /// <summary>One column's values.</summary>
    public static double[] Column(DataSet data, int column)
    {
        var values = new double[data.RowCount];
        for (int i = 0; i < values.Length; i++)
            values[i] = data[i, column];
        return values;
    }

    /// <summary>The normal density N(x; mu, sd²).</summary>
    public static double Normal(double x, double mu, double sd)
    {
        double z = (x - mu) / sd;
        return Math.Exp(-0.5 * z * z) / (sd * Math.Sqrt(2 * Math.PI));
    }

    /// <summary>
    /// The ellipse {x : (x − mu)ᵀ S⁻¹ (x − mu) = r²} of a 2×2 covariance, as a closed polyline:
    /// the unit circle stretched by √λ along each eigenvector of S.
    /// </summary>
    public static (double[] X, double[] Y) Ellipse(double muX, double muY, double sxx, double sxy, double syy, double r, int points = 120)
    {
        double half = (sxx + syy) / 2, diff = (sxx - syy) / 2;
        double root = Math.Sqrt((diff * diff) + (sxy * sxy));
        double major = Math.Sqrt(Math.Max(half + root, 0)), minor = Math.Sqrt(Math.Max(half - root, 0));
        double angle = 0.5 * Math.Atan2(2 * sxy, sxx - syy);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var x = new double[points + 1];
        var y = new double[points + 1];
        for (int i = 0; i <= points; i++)
        {
            double t = 2 * Math.PI * i / points;
            double u = r * major * Math.Cos(t), v = r * minor * Math.Sin(t);
            x[i] = muX + (u * cos) - (v * sin);
            y[i] = muY + (u * sin) + (v * cos);
        }
        return (x, y);
    }

    /// <summary>Smallest and largest value.</summary>
    public static (double Min, double Max) Range(ReadOnlySpan<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }

    /// <summary>The q-quantile (0 ≤ q ≤ 1) of sorted values, linearly interpolated.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 1)
            return sorted[0];
        double at = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(at);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((at - lo) * (sorted[hi] - sorted[lo]));
    }

    /// <summary>Histogram bins by the Freedman–Diaconis rule (2·IQR·n^(−1/3) wide), kept between 15 and 100.</summary>
    public static int FreedmanDiaconisBins(double[] sorted)
    {
        double iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        double range = sorted[^1] - sorted[0];
        if (iqr <= 0 || range <= 0)
            return 15;
        double width = 2 * iqr / Math.Cbrt(sorted.Length);
        return (int)Math.Clamp(Math.Ceiling(range / width), 15, 100);
    }
}
