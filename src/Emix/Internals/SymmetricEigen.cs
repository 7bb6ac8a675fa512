namespace Emix.Internals;

/// <summary>
/// Eigendecomposition of small symmetric matrices and the orthogonal polar factor of a square
/// matrix, by Jacobi rotations (accurate to a few ulps of the largest eigenvalue, no dependency).
/// Used by the constrained covariance structures' M-steps. Matrices are d×d, row-major.
/// </summary>
internal static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Eigenvalues of the symmetric <paramref name="a"/> in descending order into <paramref name="values"/>,
    /// and the unit eigenvectors as the columns of <paramref name="vectors"/> (vectors[r·d + c] is entry r of vector c).
    /// </summary>
    public static void Decompose(ReadOnlySpan<double> a, int d, Span<double> values, Span<double> vectors)
    {
        var m = a[..(d * d)].ToArray();
        var v = vectors[..(d * d)];
        v.Clear();
        for (int i = 0; i < d; i++)
            v[(i * d) + i] = 1;
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0, diagonal = 0;
            for (int p = 0; p < d; p++)
            {
                diagonal += m[(p * d) + p] * m[(p * d) + p];
                for (int q = p + 1; q < d; q++)
                    off += m[(p * d) + q] * m[(p * d) + q];
            }
            if (off == 0 || off <= 1e-34 * diagonal)
                break;
            for (int p = 0; p < d - 1; p++)
                for (int q = p + 1; q < d; q++)
                    Rotate(m, v, d, p, q);
        }
        Span<int> order = d <= 256 ? stackalloc int[d] : new int[d];
        for (int i = 0; i < d; i++)
            order[i] = i;
        // Insertion sort by descending eigenvalue; ties keep their order, so the result is a pure function of a.
        for (int i = 1; i < d; i++)
        {
            int o = order[i];
            int j = i - 1;
            while (j >= 0 && m[(order[j] * d) + order[j]] < m[(o * d) + o])
            {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = o;
        }
        var sortedVectors = new double[d * d];
        for (int c = 0; c < d; c++)
        {
            values[c] = m[(order[c] * d) + order[c]];
            for (int r = 0; r < d; r++)
                sortedVectors[(r * d) + c] = v[(r * d) + order[c]];
        }
        sortedVectors.CopyTo(v);
    }

    /// <summary>One Jacobi rotation zeroing m[p, q] (Rutishauser's formulas), accumulated into the columns of v.</summary>
    private static void Rotate(double[] m, Span<double> v, int d, int p, int q)
    {
        double apq = m[(p * d) + q];
        if (apq == 0)
            return;
        double app = m[(p * d) + p], aqq = m[(q * d) + q];
        double theta = (aqq - app) / (2 * apq);
        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
        if (theta == 0)
            t = 1;
        if (double.IsInfinity(theta * theta))
            t = 0.5 / theta;
        double c = 1 / Math.Sqrt((t * t) + 1), s = t * c;
        for (int r = 0; r < d; r++)
        {
            double mrp = m[(r * d) + p], mrq = m[(r * d) + q];
            m[(r * d) + p] = (c * mrp) - (s * mrq);
            m[(r * d) + q] = (s * mrp) + (c * mrq);
        }
        for (int r = 0; r < d; r++)
        {
            double mpr = m[(p * d) + r], mqr = m[(q * d) + r];
            m[(p * d) + r] = (c * mpr) - (s * mqr);
            m[(q * d) + r] = (s * mpr) + (c * mqr);
        }
        m[(p * d) + q] = 0;
        m[(q * d) + p] = 0;
        for (int r = 0; r < d; r++)
        {
            double vrp = v[(r * d) + p], vrq = v[(r * d) + q];
            v[(r * d) + p] = (c * vrp) - (s * vrq);
            v[(r * d) + q] = (s * vrp) + (c * vrq);
        }
    }

    /// <summary>
    /// The orthogonal factor U·Vᵀ of the singular value decomposition M = U·Σ·Vᵀ (the nearest orthogonal
    /// matrix to M), by one-sided Jacobi rotations on the columns of M; false when M is singular.
    /// </summary>
    public static bool TryPolarFactor(ReadOnlySpan<double> m, int d, Span<double> polar)
    {
        var a = m[..(d * d)].ToArray();
        var v = new double[d * d];
        for (int i = 0; i < d; i++)
            v[(i * d) + i] = 1;
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < d - 1; p++)
            {
                for (int q = p + 1; q < d; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int r = 0; r < d; r++)
                    {
                        double x = a[(r * d) + p], y = a[(r * d) + q];
                        alpha += x * x;
                        beta += y * y;
                        gamma += x * y;
                    }
                    if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta))
                        continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    if (zeta == 0)
                        t = 1;
                    if (double.IsInfinity(zeta * zeta))
                        t = 0.5 / zeta;
                    double c = 1 / Math.Sqrt(1 + (t * t)), s = c * t;
                    for (int r = 0; r < d; r++)
                    {
                        double x = a[(r * d) + p], y = a[(r * d) + q];
                        a[(r * d) + p] = (c * x) - (s * y);
                        a[(r * d) + q] = (s * x) + (c * y);
                        x = v[(r * d) + p];
                        y = v[(r * d) + q];
                        v[(r * d) + p] = (c * x) - (s * y);
                        v[(r * d) + q] = (s * x) + (c * y);
                    }
                }
            }
            if (!rotated)
                break;
        }
        // A = M·V = U·Σ: the columns of A divided by their norms are U. A zero column (M singular, as when
        // M has a zero column) leaves its column of U free: any unit vector orthogonal to the others completes U.
        var zero = new bool[d];
        for (int c = 0; c < d; c++)
        {
            double norm = 0;
            for (int r = 0; r < d; r++)
                norm += a[(r * d) + c] * a[(r * d) + c];
            norm = Math.Sqrt(norm);
            if (!double.IsFinite(norm))
                return false;
            if (norm == 0)
            {
                zero[c] = true;
                continue;
            }
            for (int r = 0; r < d; r++)
                a[(r * d) + c] /= norm;
        }
        for (int c = 0; c < d; c++)
            if (zero[c] && !Complete(a, d, c, zero))
                return false;
        for (int r = 0; r < d; r++)
        {
            for (int c = 0; c < d; c++)
            {
                double sum = 0;
                for (int i = 0; i < d; i++)
                    sum += a[(r * d) + i] * v[(c * d) + i];
                polar[(r * d) + c] = sum;
            }
        }
        return true;
    }

    /// <summary>Sets column <paramref name="c"/> of <paramref name="u"/> to the first unit basis vector made orthogonal to its other (non-<paramref name="open"/>) columns.</summary>
    private static bool Complete(double[] u, int d, int c, bool[] open)
    {
        var v = new double[d];
        for (int e = 0; e < d; e++)
        {
            Array.Clear(v);
            v[e] = 1;
            for (int pass = 0; pass < 2; pass++)
            {
                for (int other = 0; other < d; other++)
                {
                    if (open[other])
                        continue;
                    double dot = 0;
                    for (int r = 0; r < d; r++)
                        dot += u[(r * d) + other] * v[r];
                    for (int r = 0; r < d; r++)
                        v[r] -= dot * u[(r * d) + other];
                }
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            if (norm > 0.5)
            {
                for (int r = 0; r < d; r++)
                    u[(r * d) + c] = v[r] / norm;
                open[c] = false;
                return true;
            }
        }
        return false;
    }
}
