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
        int Index(int row, int column) => ((offset + row - 1) * p) + offset + column - 1;
        if (k <= n)
        {
            for (int c = 1; c <= n; c++)
                r[Index(k, c)] = v[c - 1];
            if (k == 1)
                return;
            if (n > 1)
            {
                int i = 1, m = n;
                for (int j = 2; j <= k; j++)
                {
                    var (cs, sn) = Rotation(ref r[Index(i, i)], ref r[Index(k, i)]);
                    m--;
                    for (int c = 0; c < m; c++)
                        Rotate(ref r[Index(i, j + c)], ref r[Index(k, j + c)], cs, sn);
                    i = j;
                }
            }
            else
            {
                Rotation(ref r[Index(1, 1)], ref r[Index(k, 1)]);
            }
        }
        else
        {
            if (n > 1)
            {
                int i = 1, m = n;
                for (int j = 2; j <= n; j++)
                {
                    var (cs, sn) = Rotation(ref r[Index(i, i)], ref v[i - 1]);
                    m--;
                    for (int c = 0; c < m; c++)
                        Rotate(ref r[Index(i, j + c)], ref v[j + c - 1], cs, sn);
                    i = j;
                }
            }
            Rotation(ref r[Index(n, n)], ref v[n - 1]);
        }
    }

    /// <summary>drotg (reference BLAS 3.10+): the rotation that zeroes b against a; a becomes r, b the reconstruction value z.</summary>
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
        double z = anorm > bnorm ? s : c != 0 ? 1 / c : 1;
        a = rr;
        b = z;
        return (c, s);
    }

    /// <summary>drot on one pair of entries.</summary>
    private static void Rotate(ref double x, ref double y, double c, double s)
    {
        double t = (c * x) + (s * y);
        y = (c * y) - (s * x);
        x = t;
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
