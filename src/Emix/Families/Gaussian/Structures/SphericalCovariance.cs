namespace Emix.Families.Gaussian;

/// <summary>
/// Each component one variance (mclust VII). Accumulates the diagonal statistics and averages the
/// per-feature variances, exactly as scikit-learn's spherical estimate does.
/// </summary>
internal sealed class SphericalCovariance : CovarianceStructure
{
    public static readonly SphericalCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.Spherical;
    public override CovarianceStorage Storage => CovarianceStorage.Scalar;
    public override bool IsShared => false;
    public override string MclustCode => "VII";
    public override string Description => "spherical, varying volume";
    public override int[] Shape(int k, int d) => [k];
    public override int SecondMomentLength(int k, int d) => k * d;
    public override long FreeCovarianceParameters(int k, int d) => k;

    public override void LogDensities(ReadOnlySpan<double> rows, int n, GaussianParameters p, Span<double> logProb, Span<double> scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        for (int j = 0; j < k; j++)
        {
            ReadOnlySpan<double> mean = p.MeanOf(j);
            double precision = p.PrecisionCholeskyValues[j] * p.PrecisionCholeskyValues[j];
            double constant = (-0.5 * d * Log2Pi) + p.LogDetPrecisionCholesky[j];
            for (int i = 0; i < n; i++)
            {
                var x = rows.Slice(i * d, d);
                double q = 0;
                for (int a = 0; a < d; a++)
                {
                    double e = x[a] - mean[a];
                    q += e * e;
                }
                logProb[(i * k) + j] = constant - (0.5 * q * precision);
            }
        }
    }

    public override void RecentreSecondMoment(int j, int d, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta, Span<double> second) =>
        RecentreSquares(second.Slice(j * d, d), s1, nk, delta);

    protected internal override void AddSecondMoment(int j, int d, ReadOnlySpan<double> e, double r, Span<double> second) =>
        AddSquares(second.Slice(j * d, d), e, r);

    // E‖x − μ‖² = ‖x̂ − μ‖² + tr C: the diagonal of C is all the spherical estimate needs.
    protected internal override void AddConditionalCovariance(int j, int d, ReadOnlySpan<int> missing, ReadOnlySpan<double> conditionalCovariance, double r, Span<double> second) =>
        AddDiagonalBlock(second.Slice(j * d, d), missing, conditionalCovariance, r);

    public override void EstimateCovariances(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, Span<double> covariances)
    {
        var variances = new double[k * d];
        DiagonalCovariance.Variances(k, d, nkReg, delta, second, regCovar, variances);
        for (int j = 0; j < k; j++)
        {
            double sum = 0;
            for (int a = 0; a < d; a++)
                sum += variances[(j * d) + a];
            covariances[j] = sum / d;
        }
    }

    public override void PrecisionCholesky(int k, int d, ReadOnlySpan<double> covariances, Span<double> precisionCholesky, Span<double> logDet)
    {
        for (int j = 0; j < k; j++)
        {
            double v = covariances[j];
            if (!(v > 0) || !double.IsFinite(v))
                throw Collapse(j, $"variance is {v:R}");
            double pc = 1.0 / Math.Sqrt(v);
            precisionCholesky[j] = pc;
            logDet[j] = d * Math.Log(pc);
        }
    }

    public override void Precisions(int k, int d, ReadOnlySpan<double> precisionCholesky, Span<double> precisions)
    {
        for (int j = 0; j < k; j++)
            precisions[j] = precisionCholesky[j] * precisionCholesky[j];
    }

    public override bool TryCovariancesFromPrecisions(int k, int d, ReadOnlySpan<double> precisions, Span<double> covariances, out int badComponent) =>
        DiagonalCovariance.Instance.TryCovariancesFromPrecisions(k, 1, precisions, covariances, out badComponent);

    public override void ExpandCovariance(int j, int k, int d, ReadOnlySpan<double> covariances, Span<double> matrix)
    {
        matrix[..(d * d)].Clear();
        for (int a = 0; a < d; a++)
            matrix[(a * d) + a] = covariances[j];
    }
}
