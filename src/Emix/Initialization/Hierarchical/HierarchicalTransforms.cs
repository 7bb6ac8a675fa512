namespace Emix.Initialization.Hierarchical;

/// <summary>The variables mclust's <c>hc(use = ...)</c> clusters: raw, standardised, or standardised and whitened by the SVD.</summary>
internal static class HierarchicalTransforms
{
    /// <summary>The transformed rows (n×p, row-major) and their column count p.</summary>
    public static (double[] Rows, int Columns) Apply(ReadOnlySpan<double> rows, int n, int d, HierarchicalTransform transform)
    {
        if (transform == HierarchicalTransform.Vars)
            return (rows.ToArray(), d);
        var (scaled, p) = Standardise(rows, n, d);
        if (transform == HierarchicalTransform.Std || p == 0)
            return (scaled, p);
        return Whiten(scaled, n, p);
    }

    /// <summary>
    /// R's <c>scale(X)</c>: each column centred and divided by its n−1 standard deviation; columns that are
    /// then not all finite (constant ones) are dropped, as mclust's <c>dropCols</c>.
    /// </summary>
    private static (double[] Rows, int Columns) Standardise(ReadOnlySpan<double> rows, int n, int d)
    {
        // R sums in long double (colMeans, sum); a compensated sum rounds to the same double but for rare cases.
        var keep = new List<int>(d);
        var mean = new double[d];
        var sd = new double[d];
        var centred = new double[n];
        for (int j = 0; j < d; j++)
        {
            var sum = default(CompensatedSum);
            for (int i = 0; i < n; i++)
                sum.Add(rows[(i * d) + j]);
            mean[j] = sum.DividedBy(n);
            var squares = default(CompensatedSum);
            for (int i = 0; i < n; i++)
            {
                double c = rows[(i * d) + j] - mean[j];
                squares.Add(c * c);
            }
            sd[j] = Math.Sqrt(squares.Value / (n - 1));
            if (sd[j] > 0 && double.IsFinite(1.0 / sd[j]))
                keep.Add(j);
        }
        int p = keep.Count;
        var result = new double[n * p];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < p; c++)
            {
                int j = keep[c];
                result[(i * p) + c] = (rows[(i * d) + j] - mean[j]) / sd[j];
            }
        }
        return (result, p);
    }

    /// <summary>A sum carried in two doubles (Knuth's TwoSum), at least as precise as R's long double accumulator.</summary>
    private struct CompensatedSum
    {
        private double _high, _low;

        public void Add(double x)
        {
            double s = _high + x;
            double b = s - _high;
            _low += (_high - (s - b)) + (x - b);
            _high = s;
        }

        public readonly double Value => _high + _low;

        /// <summary>(high + low) / n, rounded once.</summary>
        public readonly double DividedBy(int n)
        {
            double q = _high / n;
            double remainder = Math.FusedMultiplyAdd(-q, n, _high);
            return q + ((remainder + _low) / n);
        }
    }

    /// <summary>
    /// X V diag(1/√s) for the thin SVD X = U diag(s) Vᵀ (columns in decreasing order of s; min(n, p) of them).
    /// V comes from one-sided Jacobi rotations of X's columns (Hestenes), accumulated; X V is then formed
    /// from X itself, each entry summed in column order as R's <c>%*%</c> does. Column signs are arbitrary,
    /// as LAPACK's; the merge criteria do not depend on them.
    /// </summary>
    private static (double[] Rows, int Columns) Whiten(double[] x, int n, int p)
    {
        var a = new double[p][];
        var v = new double[p][];
        for (int c = 0; c < p; c++)
        {
            a[c] = new double[n];
            for (int i = 0; i < n; i++)
                a[c][i] = x[(i * p) + c];
            v[c] = new double[p];
            v[c][c] = 1;
        }
        for (int sweep = 0; sweep < 60; sweep++)
        {
            bool rotated = false;
            for (int c = 0; c < p - 1; c++)
            {
                for (int e = c + 1; e < p; e++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    var u = a[c];
                    var w = a[e];
                    for (int i = 0; i < n; i++)
                    {
                        alpha += u[i] * u[i];
                        beta += w[i] * w[i];
                        gamma += u[i] * w[i];
                    }
                    if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta))
                        continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = zeta == 0 ? 1 : Math.Sign(zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    double cs = 1 / Math.Sqrt(1 + (t * t)), sn = cs * t;
                    Rotate(u, w, cs, sn);
                    Rotate(v[c], v[e], cs, sn);
                }
            }
            if (!rotated)
                break;
        }
        var norms = new double[p];
        for (int c = 0; c < p; c++)
        {
            double s = 0;
            for (int i = 0; i < n; i++)
                s += a[c][i] * a[c][i];
            norms[c] = Math.Sqrt(s);
        }
        var order = Enumerable.Range(0, p).OrderByDescending(c => norms[c]).Take(Math.Min(n, p)).ToArray();
        int q = order.Length;
        var z = new double[n * q];
        for (int c = 0; c < q; c++)
        {
            var vc = v[order[c]];
            double scale = 1.0 / Math.Sqrt(norms[order[c]]);
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int l = 0; l < p; l++)
                    sum += x[(i * p) + l] * vc[l];
                z[(i * q) + c] = sum * scale;
            }
        }
        return (z, q);
    }

    private static void Rotate(double[] u, double[] w, double cs, double sn)
    {
        for (int i = 0; i < u.Length; i++)
        {
            double ui = u[i], wi = w[i];
            u[i] = (cs * ui) - (sn * wi);
            w[i] = (sn * ui) + (cs * wi);
        }
    }

    /// <summary>mclust's traceW: the sum over columns of the squared deviations from the column mean.</summary>
    public static double TraceW(ReadOnlySpan<double> rows, int n, int p)
    {
        double total = 0;
        for (int j = 0; j < p; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
                sum += rows[(i * p) + j];
            double mean = sum / n;
            for (int i = 0; i < n; i++)
            {
                double c = rows[(i * p) + j] - mean;
                total += c * c;
            }
        }
        return total;
    }
}
