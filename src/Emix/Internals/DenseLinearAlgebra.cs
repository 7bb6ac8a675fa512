namespace Emix.Internals;

/// <summary>
/// Small dense linear algebra on row-major d×d matrices stored in spans. Glossary: d = order.
/// These run once per component per M-step (O(k·d³)), never per row.
/// </summary>
internal static class DenseLinearAlgebra
{
    /// <summary>
    /// In-place lower Cholesky factor A = L·Lᵀ (upper triangle zeroed). Returns the index of the
    /// first non-positive pivot, or -1 on success.
    /// </summary>
    public static int CholeskyLower(Span<double> a, int d)
    {
        for (int j = 0; j < d; j++)
        {
            double diag = a[(j * d) + j];
            for (int p = 0; p < j; p++)
                diag -= a[(j * d) + p] * a[(j * d) + p];
            if (!(diag > 0.0) || !double.IsFinite(diag))
                return j;
            double ljj = Math.Sqrt(diag);
            a[(j * d) + j] = ljj;
            for (int i = j + 1; i < d; i++)
            {
                double s = a[(i * d) + j];
                for (int p = 0; p < j; p++)
                    s -= a[(i * d) + p] * a[(j * d) + p];
                a[(i * d) + j] = s / ljj;
            }
            for (int i = 0; i < j; i++)
                a[(i * d) + j] = 0.0;
        }
        return -1;
    }

    /// <summary>
    /// Given lower L (row-major), writes U = L⁻ᵀ (upper triangular) into <paramref name="u"/>:
    /// the precision Cholesky factor as scikit-learn stores it, with U·Uᵀ = (L·Lᵀ)⁻¹.
    /// </summary>
    public static void InverseTransposeOfLower(ReadOnlySpan<double> l, Span<double> u, int d)
    {
        u.Clear();
        // Solve L·X = I column by column; X = L⁻¹ is lower; U = Xᵀ.
        for (int c = 0; c < d; c++)
        {
            for (int i = c; i < d; i++)
            {
                double s = i == c ? 1.0 : 0.0;
                for (int p = c; p < i; p++)
                    s -= l[(i * d) + p] * u[(c * d) + p]; // u[c, p] holds X[p, c]
                u[(c * d) + i] = s / l[(i * d) + i];
            }
        }
    }

    /// <summary>C = U·Uᵀ for upper triangular U.</summary>
    public static void MultiplyByOwnTranspose(ReadOnlySpan<double> u, Span<double> c, int d)
    {
        for (int i = 0; i < d; i++)
        {
            for (int j = i; j < d; j++)
            {
                double s = 0;
                for (int p = j; p < d; p++)
                    s += u[(i * d) + p] * u[(j * d) + p];
                c[(i * d) + j] = s;
                c[(j * d) + i] = s;
            }
        }
    }

    /// <summary>Inverse of a symmetric positive-definite matrix; returns false if it is not positive definite.</summary>
    public static bool TryInverseSpd(ReadOnlySpan<double> a, Span<double> inverse, int d)
    {
        var l = a.ToArray();
        if (CholeskyLower(l, d) >= 0)
            return false;
        var u = new double[d * d];
        InverseTransposeOfLower(l, u, d);
        MultiplyByOwnTranspose(u, inverse, d);
        return true;
    }
}
