namespace Emix.Families.Gaussian;

/// <summary>
/// Σ_j = λ_j·D_j·diag(a_j)·D_jᵀ per component: volume λ_j (mclust's scale), shape a_j (d values with
/// product 1, descending for the ellipsoidal structures) and orientation D_j (orthogonal, its columns
/// the principal axes; null for the axis-aligned structures, where D_j = I). Parts a structure holds
/// equal are repeated for every component. Never mutated after construction.
/// </summary>
internal sealed class CovarianceDecomposition
{
    public CovarianceDecomposition(int k, int d, double[] scale, double[] shape, double[]? orientation)
    {
        ComponentCount = k;
        FeatureCount = d;
        Scale = scale;
        Shape = shape;
        Orientation = orientation;
    }

    public int ComponentCount { get; }
    public int FeatureCount { get; }

    /// <summary>λ_j, k values.</summary>
    public double[] Scale { get; }

    /// <summary>a_j, k×d row-major.</summary>
    public double[] Shape { get; }

    /// <summary>D_j, k×d×d row-major (entry [j, r, c] is coordinate r of axis c), or null when every D_j is the identity.</summary>
    public double[]? Orientation { get; }

    public ReadOnlySpan<double> ShapeOf(int j) => Shape.AsSpan(j * FeatureCount, FeatureCount);

    public ReadOnlySpan<double> OrientationOf(int j) => Orientation.AsSpan(j * FeatureCount * FeatureCount, FeatureCount * FeatureCount);

    /// <summary>
    /// A decomposition of given covariances in <paramref name="structure"/>'s storage, for a model whose
    /// M-step left none (parameters given by the user, or a reseeded component): per component, λ the
    /// geometric mean of the eigenvalues (of the variances on the diagonal), a the eigenvalues over λ, D the eigenvectors.
    /// </summary>
    public static CovarianceDecomposition Of(CovarianceStructure structure, int k, int d, ReadOnlySpan<double> covariances)
    {
        var scale = new double[k];
        var shape = new double[k * d];
        double[]? orientation = structure.Storage == CovarianceStorage.Full ? new double[k * d * d] : null;
        var values = new double[d];
        var matrix = new double[d * d];
        for (int j = 0; j < k; j++)
        {
            switch (structure.Storage)
            {
                case CovarianceStorage.Full:
                    structure.ExpandCovariance(j, k, d, covariances, matrix);
                    Internals.SymmetricEigen.Decompose(matrix, d, values, orientation.AsSpan(j * d * d, d * d));
                    break;
                case CovarianceStorage.Diagonal:
                    covariances.Slice(j * d, d).CopyTo(values);
                    break;
                default:
                    values.AsSpan().Fill(covariances[j]);
                    break;
            }
            double g = GeometricMean(values);
            scale[j] = g;
            for (int a = 0; a < d; a++)
                shape[(j * d) + a] = values[a] / g;
        }
        return new CovarianceDecomposition(k, d, scale, shape, orientation);
    }

    /// <summary>exp(mean log v): the d-th root of the product, without its overflow.</summary>
    public static double GeometricMean(ReadOnlySpan<double> v)
    {
        double sum = 0;
        for (int a = 0; a < v.Length; a++)
            sum += Math.Log(v[a]);
        return Math.Exp(sum / v.Length);
    }
}

/// <summary>
/// The stop of a structure's inner M-step iterations (VEI, VEV, VEE, EVE, VVE): mclust's
/// <c>emControl(tol[2], itmax[2])</c>, whose defaults are √ε and no limit.
/// </summary>
internal readonly record struct InnerIterations(double Tolerance, int MaxIterations)
{
    /// <summary>mclust's <c>sqrt(.Machine$double.eps)</c> = 2⁻²⁶.</summary>
    public const double DefaultTolerance = MixtureOptions.Defaults.InnerTolerance;

    public static InnerIterations Default => new(DefaultTolerance, int.MaxValue);
}
