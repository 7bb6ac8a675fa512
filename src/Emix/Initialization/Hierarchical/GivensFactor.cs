namespace Emix.Initialization.Hierarchical;

/// <summary>
/// The triangular-factor updates hcvvv makes (mclust's mclrup, det2mc and the reference BLAS drotg/drot it
/// calls), step for step, on a p×p row-major matrix. hcvvv's criterion depends on how these lay out and
/// overwrite rows (see <see cref="Add"/>), so equal partitions need the same operations, not only the
/// same mathematics.
/// </summary>
internal static class GivensFactor
{
    private static readonly double SafeMin = Math.Pow(2, -1022);
    private static readonly double SafeMax = Math.Pow(2, 1022);

    /// <summary>
    /// mclrup(l, n, v, r): adds row <paramref name="v"/> (n entries) to the factor held in the n×n block of
    /// <paramref name="r"/> at (<paramref name="offset"/>, <paramref name="offset"/>), l being the number of
    /// rows the factor then stands for. While l − 1 ≤ n the row is written into block row l − 1, whatever
    /// that row held, and rotated against the rows above it; otherwise it is rotated into the whole block.
    /// </summary>
    public static void Add(int l, int n, Span<double> v, Span<double> r, int p, int offset)
    {
        if (l == 1)
            return;
        int k = l - 1;
        // Block entry (row, column), 1-based, is r[base + (row − 1)·p + column − 1].
        int origin = (offset * p) + offset;
        if (k <= n)
        {
            int rowK = origin + ((k - 1) * p);
            v[..n].CopyTo(r.Slice(rowK, n));
            if (k == 1)
                return;
            if (n > 1)
            {
                for (int i = 1; i < k; i++)
                {
                    int rowI = origin + ((i - 1) * p);
                    var (cs, sn) = Rotation(ref r[rowI + i - 1], ref r[rowK + i - 1]);
                    var x = r.Slice(rowI + i, n - i);
                    var y = r.Slice(rowK + i, n - i);
                    for (int c = 0; c < x.Length; c++)
                    {
                        double t = (cs * x[c]) + (sn * y[c]);
                        y[c] = (cs * y[c]) - (sn * x[c]);
                        x[c] = t;
                    }
                }
            }
            else
            {
                Rotation(ref r[origin], ref r[rowK]);
            }
        }
        else
        {
            for (int i = 1; i < n; i++)
            {
                int rowI = origin + ((i - 1) * p);
                var (cs, sn) = Rotation(ref r[rowI + i - 1], ref v[i - 1]);
                var x = r.Slice(rowI + i, n - i);
                var y = v.Slice(i, n - i);
                for (int c = 0; c < x.Length; c++)
                {
                    double t = (cs * x[c]) + (sn * y[c]);
                    y[c] = (cs * y[c]) - (sn * x[c]);
                    x[c] = t;
                }
            }
            Rotation(ref r[origin + ((n - 1) * p) + n - 1], ref v[n - 1]);
        }
    }

    /// <summary>drotg (reference BLAS 3.10+): the rotation that zeroes b against a; a becomes r.</summary>
    private static (double Cos, double Sin) Rotation(ref double a, ref double b)
    {
        double anorm = Math.Abs(a), bnorm = Math.Abs(b);
        if (bnorm == 0)
        {
            b = 0;
            return (1, 0);
        }
        if (anorm == 0)
        {
            a = b;
            b = 1;
            return (0, 1);
        }
        double scale = Math.Min(SafeMax, Math.Max(SafeMin, Math.Max(anorm, bnorm)));
        double sigma = anorm > bnorm ? Math.CopySign(1.0, a) : Math.CopySign(1.0, b);
        double ra = a / scale, rb = b / scale;
        double rr = sigma * (scale * Math.Sqrt((ra * ra) + (rb * rb)));
        double c = a / rr, s = b / rr;
        a = rr;
        // drotg leaves its reconstruction value z in b; hcvvv never reads it (b is below the diagonal,
        // or an entry of a row already folded in), so it is not computed.
        b = 0;
        return (c, s);
    }

    /// <summary>det2mc: 2·Σₖ log|r_kk·s|, or −∞ (mclust: −FLMAX) when a diagonal entry is zero.</summary>
    public static double LogDeterminant(ReadOnlySpan<double> r, int p, double s)
    {
        double sum = 0;
        for (int k = 0; k < p; k++)
        {
            double q = r[(k * p) + k] * s;
            if (!(Math.Abs(q) > 0))
                return double.NegativeInfinity;
            sum += Math.Log(Math.Abs(q));
        }
        return 2 * sum;
    }
}
