namespace Emix.Families.Gaussian;

/// <summary>Spherical, equal volume (mclust EII): Σ_j = λ·I, λ = Σ_j tr W_j / (n·d).</summary>
internal sealed class SphericalEqualCovariance() : ConstrainedCovariance(SphericalCovariance.Instance)
{
    public static readonly SphericalEqualCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.SphericalEqual;
    public override string MclustCode => "EII";
    public override string Description => "spherical, equal volume";
    public override long FreeCovarianceParameters(int k, int d) => 1;

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D;
        double trace = 0;
        for (int j = 0; j < k; j++)
            foreach (double w in s.Of(j))
                trace += w;
        double lambda = trace / (s.N * d);
        RequirePositive(0, [lambda], "variance");
        return new CovarianceDecomposition(k, d, Same(lambda, k), Same(1, k * d), null);
    }
}

/// <summary>Diagonal, equal volume and shape (mclust EEI): Σ_j = λ·A, λ·A = diag(Σ_j W_j) / n.</summary>
internal sealed class DiagonalEqualCovariance() : ConstrainedCovariance(DiagonalCovariance.Instance)
{
    public static readonly DiagonalEqualCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.DiagonalEqual;
    public override string MclustCode => "EEI";
    public override string Description => "diagonal, equal volume and shape";
    public override long FreeCovarianceParameters(int k, int d) => d;

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D;
        var shape = new double[d];
        for (int j = 0; j < k; j++)
        {
            var w = s.Of(j);
            for (int a = 0; a < d; a++)
                shape[a] += w[a];
        }
        RequirePositive(0, shape, "variance");
        double lambda = Normalise(shape) / s.N;
        return new CovarianceDecomposition(k, d, Same(lambda, k), Repeat(shape, k), null);
    }
}

/// <summary>Diagonal, equal volume, variable shape (mclust EVI): A_j = diag W_j / |diag W_j|^(1/d), λ = Σ_j |diag W_j|^(1/d) / n.</summary>
internal sealed class DiagonalVariableShapeCovariance() : ConstrainedCovariance(DiagonalCovariance.Instance)
{
    public static readonly DiagonalVariableShapeCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.DiagonalVariableShape;
    public override string MclustCode => "EVI";
    public override string Description => "diagonal, equal volume, varying shape";
    public override long FreeCovarianceParameters(int k, int d) => 1 + ((long)k * (d - 1));

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D;
        var shape = new double[k * d];
        double sum = 0;
        for (int j = 0; j < k; j++)
        {
            var a = shape.AsSpan(j * d, d);
            s.Of(j).CopyTo(a);
            RequirePositive(j, a, "variance");
            sum += Normalise(a);
        }
        return new CovarianceDecomposition(k, d, Same(sum / s.N, k), shape, null);
    }
}

/// <summary>
/// Diagonal, variable volume, equal shape (mclust VEI, <c>mevei</c>): alternates λ_j = tr(W_j A⁻¹) / (d·n_j)
/// and A = diag(Σ_j W_j / λ_j) normalised to determinant 1, from λ = 1, A = I at the start of a fit and from the
/// last M-step's after, while the largest relative change of λ and A exceeds the inner tolerance.
/// </summary>
internal sealed class DiagonalVariableVolumeCovariance() : ConstrainedCovariance(DiagonalCovariance.Instance)
{
    public static readonly DiagonalVariableVolumeCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.DiagonalVariableVolume;
    public override string MclustCode => "VEI";
    public override string Description => "diagonal, varying volume, equal shape";
    public override long FreeCovarianceParameters(int k, int d) => k + (d - 1L);

    protected override CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner)
    {
        int k = s.K, d = s.D;
        var scale = previous is null ? Same(1, k) : (double[])previous.Scale.Clone();
        var shape = previous is null ? Same(1, d) : previous.ShapeOf(0).ToArray();
        var oldScale = new double[k];
        var oldShape = new double[d];
        int iterations = 0;
        double change;
        if (inner.MaxIterations <= 0)
            return Result();
        do
        {
            iterations++;
            scale.CopyTo(oldScale, 0);
            for (int j = 0; j < k; j++)
            {
                var w = s.Of(j);
                double sum = 0;
                for (int a = 0; a < d; a++)
                    sum += w[a] / shape[a];
                scale[j] = sum / (d * s.Nk[j]);
            }
            RequirePositive(0, scale, "volume");
            shape.CopyTo(oldShape, 0);
            for (int a = 0; a < d; a++)
            {
                double sum = 0;
                for (int j = 0; j < k; j++)
                    sum += s.Of(j)[a] / scale[j];
                shape[a] = sum;
            }
            RequirePositive(0, shape, "shape value");
            Normalise(shape);
            change = 0;
            for (int j = 0; j < k; j++)
                change = Math.Max(change, Change(oldScale[j], scale[j]));
            for (int a = 0; a < d; a++)
                change = Math.Max(change, Change(oldShape[a], shape[a]));
        }
        // mclust's test: goes on while errin > tol and inner <= itmax (one more than VEV's).
        while (change > inner.Tolerance && iterations <= inner.MaxIterations);
        return Result();

        CovarianceDecomposition Result() => new(k, d, scale, Repeat(shape, k), null);
    }
}
