using Emix.Internals;

namespace Emix.Families.Gaussian;

/// <summary>
/// Ellipsoidal, equal volume and shape, variable orientation (mclust EEV, <c>meeev</c>): with W_j = L_j·Ω_j·L_jᵀ
/// (eigenvalues descending), A = Σ_j Ω_j / |Σ_j Ω_j|^(1/d), λ = |Σ_j Ω_j|^(1/d) / n, D_j = L_j.
/// </summary>
internal sealed class EllipsoidalVariableOrientationCovariance() : ConstrainedCovariance(FullCovariance.Instance)
{
    public static readonly EllipsoidalVariableOrientationCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.EllipsoidalVariableOrientation;
    public override string MclustCode => "EEV";
    public override string Description => "ellipsoidal, equal volume and shape";
    public override long FreeCovarianceParameters(int k, int d) => d + ((long)k * d * (d - 1) / 2);

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        var (values, vectors) = Eigen(s);
        var (shape, lambda) = PooledShape(s, values);
        return new CovarianceDecomposition(s.K, s.D, Same(lambda, s.K), Repeat(shape, s.K), vectors);
    }

    /// <summary>A = Σ_j Ω_j normalised to determinant 1, and λ = |Σ_j Ω_j|^(1/d) / n (also VEV's start).</summary>
    internal static (double[] Shape, double Lambda) PooledShape(Scatter s, ReadOnlySpan<double> values)
    {
        int d = s.D;
        var shape = new double[d];
        for (int j = 0; j < s.K; j++)
            for (int a = 0; a < d; a++)
                shape[a] += values[(j * d) + a];
        return (shape, Normalise(shape) / s.N);
    }
}

/// <summary>
/// Ellipsoidal, variable volume and orientation, equal shape (mclust VEV, <c>mevev</c>): D_j = L_j from
/// W_j = L_j·Ω_j·L_jᵀ; then alternates λ_j = tr(Ω_j A⁻¹) / (d·n_j) and A = Σ_j Ω_j / λ_j normalised, from EEV's
/// estimate at the start of a fit and from the last M-step's after, while the largest relative change of λ and A
/// is at least the inner tolerance.
/// </summary>
internal sealed class EllipsoidalEqualShapeCovariance() : ConstrainedCovariance(FullCovariance.Instance)
{
    public static readonly EllipsoidalEqualShapeCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.EllipsoidalEqualShape;
    public override string MclustCode => "VEV";
    public override string Description => "ellipsoidal, equal shape";
    public override long FreeCovarianceParameters(int k, int d) => k + (d - 1L) + ((long)k * d * (d - 1) / 2);

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D;
        var (values, vectors) = Eigen(s);
        double[] shape, scale;
        if (previous is null)
        {
            (shape, double lambda) = EllipsoidalVariableOrientationCovariance.PooledShape(s, values);
            scale = Same(lambda, k);
        }
        else
        {
            shape = previous.ShapeOf(0).ToArray();
            scale = (double[])previous.Scale.Clone();
        }
        var oldShape = new double[d];
        var oldScale = new double[k];
        int iterations = 0;
        double change;
        if (inner.MaxIterations > 0)
        {
            do
            {
                shape.CopyTo(oldShape, 0);
                scale.CopyTo(oldScale, 0);
                Array.Clear(shape);
                for (int j = 0; j < k; j++)
                {
                    double sum = 0;
                    for (int a = 0; a < d; a++)
                        sum += values[(j * d) + a] / oldShape[a];
                    scale[j] = sum / (s.Nk[j] * d);
                    RequirePositive(j, [scale[j]], "volume");
                    for (int a = 0; a < d; a++)
                        shape[a] += values[(j * d) + a] / scale[j];
                }
                iterations++;
                RequirePositive(0, shape, "shape value");
                Normalise(shape);
                change = 0;
                for (int a = 0; a < d; a++)
                    change = Math.Max(Change(oldShape[a], shape[a]), change);
                for (int j = 0; j < k; j++)
                    change = Math.Max(Change(oldScale[j], scale[j]), change);
            }
            // mclust's test: goes on while errin >= tol and inner < itmax.
            while (change >= inner.Tolerance && iterations < inner.MaxIterations);
        }
        return new CovarianceDecomposition(k, d, scale, Repeat(shape, k), vectors);
    }
}

/// <summary>
/// Ellipsoidal, equal volume, variable shape and orientation (mclust EVV, <c>meevv</c>; no inner iterations):
/// Σ_j = λ·W_j / |W_j|^(1/d) with λ = Σ_j |W_j|^(1/d) / n.
/// </summary>
internal sealed class EllipsoidalEqualVolumeCovariance() : ConstrainedCovariance(FullCovariance.Instance)
{
    public static readonly EllipsoidalEqualVolumeCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.EllipsoidalEqualVolume;
    public override string MclustCode => "EVV";
    public override string Description => "ellipsoidal, equal volume";
    public override long FreeCovarianceParameters(int k, int d) => ((long)k * d * (d + 1) / 2) - (k - 1);

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D;
        var (values, vectors) = Eigen(s);
        double sum = 0;
        for (int j = 0; j < k; j++)
            sum += Normalise(values.AsSpan(j * d, d));
        return new CovarianceDecomposition(k, d, Same(sum / s.N, k), values, vectors);
    }
}

/// <summary>
/// Ellipsoidal, variable volume, equal shape and orientation (mclust VEE, <c>mevee</c>): Σ_j = λ_j·C with
/// det C = 1; alternates C = Σ_j W_j / λ_j normalised and λ_j = tr(W_j C⁻¹) / (d·n_j), from λ = 1 in every
/// M-step, while the relative change of the objective d·Σ_j n_j·(1 + log λ_j) exceeds the inner tolerance.
/// </summary>
internal sealed class EllipsoidalVariableVolumeCovariance() : ConstrainedCovariance(FullCovariance.Instance)
{
    public static readonly EllipsoidalVariableVolumeCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.EllipsoidalVariableVolume;
    public override string MclustCode => "VEE";
    public override string Description => "ellipsoidal, equal shape and orientation";
    public override long FreeCovarianceParameters(int k, int d) => k + ((long)d * (d + 1) / 2) - 1;

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D;
        var scale = Same(1, k);
        var c = new double[d * d];
        var inverse = new double[d * d];
        var values = new double[d];
        var vectors = new double[d * d];
        double target, previousTarget = double.MaxValue / 2, change;
        int iterations = 0;
        double nSum = 0;
        for (int j = 0; j < k; j++)
            nSum += s.Nk[j];
        do
        {
            iterations++;
            Array.Clear(c);
            for (int j = 0; j < k; j++)
            {
                var w = s.Of(j);
                for (int i = 0; i < d * d; i++)
                    c[i] += w[i] / scale[j];
            }
            SymmetricEigen.Decompose(c, d, values, vectors);
            RequirePositive(0, values, "eigenvalue");
            double g = CovarianceDecomposition.GeometricMean(values);
            for (int i = 0; i < d * d; i++)
                c[i] /= g;
            if (!DenseLinearAlgebra.TryInverseSpd(c, inverse, d))
                throw Collapse(0, "the common shape and orientation matrix is not positive definite");
            target = nSum * d;
            for (int j = 0; j < k; j++)
            {
                var w = s.Of(j);
                double trace = 0;
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        trace += w[(a * d) + b] * inverse[(b * d) + a];
                scale[j] = trace / (d * s.Nk[j]);
                RequirePositive(j, [scale[j]], "volume");
                target += d * Math.Log(scale[j]) * s.Nk[j];
            }
            change = Math.Abs(target - previousTarget) / (1 + Math.Abs(target));
            previousTarget = target;
        }
        while (change > inner.Tolerance && iterations < inner.MaxIterations);
        double gFinal = CovarianceDecomposition.GeometricMean(values);
        for (int a = 0; a < d; a++)
            values[a] /= gFinal;
        return new CovarianceDecomposition(k, d, scale, Repeat(values, k), Repeat(vectors, k));
    }
}

/// <summary>
/// The two structures with one orientation and variable shapes (mclust EVE, <c>meeve</c>, and VVE, <c>mevve</c>),
/// by Browne and McNicholas's (2014) majorisation–minimisation: each inner iteration updates the orientation twice
/// (the orthogonal polar factor of two majorisers) and then the shapes (and for VVE the volumes), while the
/// relative change of the objective Σ_j tr(O·W_j·Oᵀ·A_j⁻¹) exceeds the inner tolerance. Orientation O = I and
/// shapes 1 at the start of a fit, the last M-step's after. As mclust does, the majorisers use the shapes alone
/// (not the volumes) and ω_j, the largest eigenvalue of W_j.
/// </summary>
internal abstract class CommonOrientationCovariance() : ConstrainedCovariance(FullCovariance.Instance)
{
    /// <summary>Whether each component has its own volume (VVE) rather than one for all (EVE).</summary>
    protected abstract bool VariableVolume { get; }

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D, dd = d * d;
        // O holds the axes as rows (mclust's layout): Σ_j = λ_j·Oᵀ·diag(a_j)·O.
        var o = new double[dd];
        var shape = new double[k * d];
        if (previous is { Orientation: not null })
        {
            var axes = previous.OrientationOf(0);
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                    o[(r * d) + c] = axes[(c * d) + r];
            previous.Shape.CopyTo(shape, 0);
        }
        else
        {
            for (int a = 0; a < d; a++)
                o[(a * d) + a] = 1;
            shape.AsSpan().Fill(1);
        }
        var largest = new double[k];
        var values = new double[d];
        var vectors = new double[dd];
        for (int j = 0; j < k; j++)
        {
            SymmetricEigen.Decompose(s.Of(j), d, values, vectors);
            RequirePositive(j, values, "eigenvalue");
            largest[j] = values[0];
        }
        var scale = new double[k];
        var m = new double[dd];
        var t = new double[dd];
        var polar = new double[dd];
        double target, previousTarget = double.MaxValue / 2, change;
        int iterations = 0;
        do
        {
            iterations++;
            // Majoriser 1: Σ_j A_j⁻¹·O·W_j − ω_j·A_j⁻¹·O.
            Array.Clear(m);
            for (int j = 0; j < k; j++)
            {
                var w = s.Of(j);
                for (int r = 0; r < d; r++)
                {
                    double inv = 1 / shape[(j * d) + r];
                    for (int c = 0; c < d; c++)
                    {
                        double sum = 0;
                        for (int i = 0; i < d; i++)
                            sum += o[(r * d) + i] * w[(i * d) + c];
                        m[(r * d) + c] += (inv * sum) - (largest[j] * inv * o[(r * d) + c]);
                    }
                }
            }
            SetOrientation(m, polar, o, d);
            // Majoriser 2: Σ_j W_j·O·A_j⁻¹ − max(1/a_j)·W_j·O (O as just updated).
            Array.Clear(m);
            for (int j = 0; j < k; j++)
            {
                var w = s.Of(j);
                double maxInverse = 0;
                for (int a = 0; a < d; a++)
                    maxInverse = Math.Max(maxInverse, 1 / shape[(j * d) + a]);
                for (int r = 0; r < d; r++)
                {
                    for (int c = 0; c < d; c++)
                    {
                        double sum = 0;
                        for (int i = 0; i < d; i++)
                            sum += w[(r * d) + i] * o[(i * d) + c];
                        m[(r * d) + c] += (sum / shape[(j * d) + c]) - (maxInverse * sum);
                    }
                }
            }
            SetOrientation(m, polar, o, d);
            // Shapes (and VVE's volumes) given O, and the objective.
            target = 0;
            for (int j = 0; j < k; j++)
            {
                var w = s.Of(j);
                for (int r = 0; r < d; r++)
                {
                    for (int c = 0; c < d; c++)
                    {
                        double sum = 0;
                        for (int i = 0; i < d; i++)
                            sum += o[(r * d) + i] * w[(i * d) + c];
                        t[(r * d) + c] = sum;
                    }
                }
                var a = shape.AsSpan(j * d, d);
                for (int r = 0; r < d; r++)
                {
                    double sum = 0;
                    for (int c = 0; c < d; c++)
                        sum += t[(r * d) + c] * o[(r * d) + c];
                    a[r] = VariableVolume ? sum / s.Nk[j] : sum;
                }
                RequirePositive(j, a, "shape value");
                double g = Normalise(a);
                if (VariableVolume)
                    scale[j] = g;
                double objective = 0;
                for (int r = 0; r < d; r++)
                {
                    double sum = 0;
                    for (int c = 0; c < d; c++)
                        sum += t[(r * d) + c] * o[(r * d) + c];
                    objective += sum / a[r];
                }
                target += objective;
            }
            change = Math.Abs(target - previousTarget) / (1 + Math.Abs(target));
            previousTarget = target;
        }
        while (change > inner.Tolerance && iterations < inner.MaxIterations);
        if (!VariableVolume)
        {
            double nSum = 0;
            for (int j = 0; j < k; j++)
                nSum += s.Nk[j];
            scale.AsSpan().Fill(target / (nSum * d));
        }
        RequirePositive(0, scale, "volume");
        var axesOut = new double[dd];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                axesOut[(r * d) + c] = o[(c * d) + r];
        return new CovarianceDecomposition(k, d, scale, shape, Repeat(axesOut, k));
    }

    /// <summary>
    /// O = (U·Vᵀ)ᵀ for M = U·Σ·Vᵀ, mclust's update from a majoriser. M is exactly zero in the first inner
    /// iteration from unit shapes (the second majoriser's two terms cancel); LAPACK's SVD of the zero matrix
    /// has U = V = I, so mclust's O becomes the identity there, and so does this one.
    /// </summary>
    private static void SetOrientation(double[] m, double[] polar, double[] o, int d)
    {
        if (Array.TrueForAll(m, x => x == 0))
        {
            Array.Clear(o);
            for (int a = 0; a < d; a++)
                o[(a * d) + a] = 1;
            return;
        }
        if (!SymmetricEigen.TryPolarFactor(m, d, polar))
            throw Collapse(0, "the orientation's majoriser is singular");
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                o[(r * d) + c] = polar[(c * d) + r];
    }
}

/// <summary>Ellipsoidal, equal volume and orientation, variable shape (mclust EVE): λ = objective / (n·d).</summary>
internal sealed class EllipsoidalVariableShapeCovariance : CommonOrientationCovariance
{
    public static readonly EllipsoidalVariableShapeCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.EllipsoidalVariableShape;
    public override string MclustCode => "EVE";
    public override string Description => "ellipsoidal, equal volume and orientation";
    public override long FreeCovarianceParameters(int k, int d) => 1 + ((long)k * (d - 1)) + ((long)d * (d - 1) / 2);
    protected override bool VariableVolume => false;
}

/// <summary>Ellipsoidal, variable volume and shape, equal orientation (mclust VVE): λ_j = |O·W_j·Oᵀ / n_j|^(1/d) on its diagonal.</summary>
internal sealed class EllipsoidalEqualOrientationCovariance : CommonOrientationCovariance
{
    public static readonly EllipsoidalEqualOrientationCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.EllipsoidalEqualOrientation;
    public override string MclustCode => "VVE";
    public override string Description => "ellipsoidal, equal orientation";
    public override long FreeCovarianceParameters(int k, int d) => ((long)k * d) + ((long)d * (d - 1) / 2);
    protected override bool VariableVolume => true;
}
