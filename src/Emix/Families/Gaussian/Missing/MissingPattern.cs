using System.Globalization;
using Emix.Families.Gaussian;
using Emix.Internals;

namespace Emix.Families.Gaussian.Missing;

/// <summary>
/// What every component needs for the rows that miss the same coordinates: the Cholesky factor of
/// the observed block of its covariance, the regression of the missing coordinates on the observed
/// ones and their conditional covariance. Built once per pattern and E-step pass.
/// </summary>
/// <remarks>
/// Glossary: o = observed coordinates (ascending), m = missing coordinates (ascending), L = lower
/// Cholesky factor of Σ_oo, B = Σ_mo·Σ_oo⁻¹ (m×o), C = Σ_mm − Σ_mo·Σ_oo⁻¹·Σ_om (m×m), computed as
/// Σ_mm − YᵀY with Y = L⁻¹·Σ_om so that C stays symmetric and positive semi-definite in rounding.
/// Diagonal and spherical covariances go through the same algebra (B is then zero and C the
/// missing variances): one code path for all four structures, and d is small where rows miss cells.
/// </remarks>
internal sealed class MissingPattern
{
    private MissingPattern(int[] observed, int[] missing, int k)
    {
        Observed = observed;
        Missing = missing;
        int o = observed.Length, m = missing.Length;
        Factor = new double[k * o * o];
        LogDetFactor = new double[k];
        Regression = new double[k * m * o];
        ConditionalCovariance = new double[k * m * m];
    }

    public int[] Observed { get; }
    public int[] Missing { get; }

    /// <summary>L of every component (k blocks of o×o, row-major lower triangular).</summary>
    public double[] Factor { get; }

    /// <summary>Σ log L_uu = ½ log det Σ_oo of every component.</summary>
    public double[] LogDetFactor { get; }

    /// <summary>B of every component (k blocks of m×o).</summary>
    public double[] Regression { get; }

    /// <summary>C of every component (k blocks of m×m).</summary>
    public double[] ConditionalCovariance { get; }

    public ReadOnlySpan<double> FactorOf(int j) => Factor.AsSpan(j * Observed.Length * Observed.Length, Observed.Length * Observed.Length);

    public ReadOnlySpan<double> RegressionOf(int j) => Regression.AsSpan(j * Missing.Length * Observed.Length, Missing.Length * Observed.Length);

    public ReadOnlySpan<double> ConditionalCovarianceOf(int j) => ConditionalCovariance.AsSpan(j * Missing.Length * Missing.Length, Missing.Length * Missing.Length);

    /// <summary>The pattern of <paramref name="row"/> (NaN = missing) under the parameters <paramref name="p"/>.</summary>
    public static MissingPattern Create(GaussianParameters p, ReadOnlySpan<double> row)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var observedList = new List<int>(d);
        var missingList = new List<int>(d);
        for (int a = 0; a < d; a++)
            (double.IsNaN(row[a]) ? missingList : observedList).Add(a);
        var pattern = new MissingPattern([.. observedList], [.. missingList], k);
        var sigma = new double[d * d];
        var y = new double[pattern.Observed.Length * pattern.Missing.Length];
        for (int j = 0; j < k; j++)
        {
            p.Structure.ExpandCovariance(j, k, d, p.Covariances, sigma);
            pattern.Fill(j, d, sigma, y);
        }
        return pattern;
    }

    private void Fill(int j, int d, ReadOnlySpan<double> sigma, Span<double> y)
    {
        int no = Observed.Length, nm = Missing.Length;
        var l = Factor.AsSpan(j * no * no, no * no);
        for (int u = 0; u < no; u++)
            for (int v = 0; v < no; v++)
                l[(u * no) + v] = sigma[(Observed[u] * d) + Observed[v]];
        int bad = DenseLinearAlgebra.CholeskyLower(l, no);
        if (bad >= 0)
        {
            // Σ is positive definite (its factor exists), so a block of it is too, up to rounding.
            throw new NumericalFailureException(string.Create(CultureInfo.InvariantCulture,
                $"The covariance of component {j + 1} restricted to the observed columns of a row is not positive definite (pivot {bad + 1}). {NumericalFailureException.CollapseAdvice}"))
            { Component = j };
        }
        double logDet = 0;
        for (int u = 0; u < no; u++)
            logDet += Math.Log(l[(u * no) + u]);
        LogDetFactor[j] = logDet;

        // Y = L⁻¹·Σ_om (o×m) by forward substitution, column by column.
        for (int v = 0; v < nm; v++)
        {
            for (int u = 0; u < no; u++)
            {
                double s = sigma[(Observed[u] * d) + Missing[v]];
                for (int t = 0; t < u; t++)
                    s -= l[(u * no) + t] * y[(t * nm) + v];
                y[(u * nm) + v] = s / l[(u * no) + u];
            }
        }
        // Bᵀ = Σ_oo⁻¹·Σ_om = L⁻ᵀ·Y by back substitution; stored as B (m×o).
        var b = Regression.AsSpan(j * nm * no, nm * no);
        for (int v = 0; v < nm; v++)
        {
            for (int u = no - 1; u >= 0; u--)
            {
                double s = y[(u * nm) + v];
                for (int t = u + 1; t < no; t++)
                    s -= l[(t * no) + u] * b[(v * no) + t];
                b[(v * no) + u] = s / l[(u * no) + u];
            }
        }
        // C = Σ_mm − YᵀY.
        var c = ConditionalCovariance.AsSpan(j * nm * nm, nm * nm);
        for (int v = 0; v < nm; v++)
        {
            for (int w = v; w < nm; w++)
            {
                double s = sigma[(Missing[v] * d) + Missing[w]];
                for (int u = 0; u < no; u++)
                    s -= y[(u * nm) + v] * y[(u * nm) + w];
                c[(v * nm) + w] = s;
                c[(w * nm) + v] = s;
            }
        }
    }
}
