namespace Emix.Families.Gaussian;

/// <summary>Each component its own diagonal covariance (mclust VVI). Second moments: k×d sums of squares.</summary>
internal sealed class DiagonalCovariance : CovarianceStructure
{
    public static readonly DiagonalCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.Diagonal;
    public override CovarianceStorage Storage => CovarianceStorage.Diagonal;
    public override bool IsShared => false;
    public override string MclustCode => "VVI";
    public override string Description => "diagonal, varying volume and shape";
    public override int[] Shape(int k, int d) => [k, d];
    public override int SecondMomentLength(int k, int d) => k * d;
    public override long FreeCovarianceParameters(int k, int d) => (long)k * d;

    public override void LogDensities(ReadOnlySpan<double> rows, int n, GaussianParameters p, Span<double> logProb, Span<double> scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        for (int j = 0; j < k; j++)
        {
            ReadOnlySpan<double> mean = p.MeanOf(j);
            ReadOnlySpan<double> pc = p.PrecisionCholeskyValues.AsSpan(j * d, d);
            double constant = (-0.5 * d * Log2Pi) + p.LogDetPrecisionCholesky[j];
            for (int i = 0; i < n; i++)
            {
                var x = rows.Slice(i * d, d);
                double q = 0;
                for (int a = 0; a < d; a++)
                {
                    double y = (x[a] - mean[a]) * pc[a];
                    q += y * y;
                }
                logProb[(i * k) + j] = constant - (0.5 * q);
            }
        }
    }

    public override void RecentreSecondMoment(int j, int d, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta, Span<double> second) =>
        RecentreSquares(second.Slice(j * d, d), s1, nk, delta);

    protected internal override void AddSecondMoment(int j, int d, ReadOnlySpan<double> e, double r, Span<double> second) =>
        AddSquares(second.Slice(j * d, d), e, r);

    protected internal override void AddConditionalCovariance(int j, int d, ReadOnlySpan<int> missing, ReadOnlySpan<double> conditionalCovariance, double r, Span<double> second) =>
        AddDiagonalBlock(second.Slice(j * d, d), missing, conditionalCovariance, r);

    public override void EstimateCovariances(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, Span<double> covariances) =>
        Variances(k, d, nkReg, delta, second, regCovar, covariances);

    /// <summary>σ²_ja = S_ja/nkReg_j − δ_ja² + reg, scikit-learn's diagonal estimate centred on c.</summary>
    internal static void Variances(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, Span<double> variances)
    {
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                double dl = delta[(j * d) + a];
                variances[(j * d) + a] = (second[(j * d) + a] / nkReg[j]) - (dl * dl) + regCovar;
            }
        }
    }

    public override void PrecisionCholesky(int k, int d, ReadOnlySpan<double> covariances, Span<double> precisionCholesky, Span<double> logDet)
    {
        for (int j = 0; j < k; j++)
        {
            double sum = 0;
            for (int a = 0; a < d; a++)
            {
                double v = covariances[(j * d) + a];
                if (!(v > 0) || !double.IsFinite(v))
                    throw Collapse(j, $"variance of feature {a + 1} is {v:R}");
                double pc = 1.0 / Math.Sqrt(v);
                precisionCholesky[(j * d) + a] = pc;
                sum += Math.Log(pc);
            }
            logDet[j] = sum;
        }
    }

    public override void Precisions(int k, int d, ReadOnlySpan<double> precisionCholesky, Span<double> precisions)
    {
        for (int i = 0; i < k * d; i++)
            precisions[i] = precisionCholesky[i] * precisionCholesky[i];
    }

    public override bool TryCovariancesFromPrecisions(int k, int d, ReadOnlySpan<double> precisions, Span<double> covariances, out int badComponent)
    {
        for (int i = 0; i < k * d; i++)
        {
            if (!(precisions[i] > 0) || !double.IsFinite(precisions[i]))
            {
                badComponent = i / d;
                return false;
            }
            covariances[i] = 1.0 / precisions[i];
        }
        badComponent = -1;
        return true;
    }

    public override void ExpandCovariance(int j, int k, int d, ReadOnlySpan<double> covariances, Span<double> matrix)
    {
        matrix[..(d * d)].Clear();
        for (int a = 0; a < d; a++)
            matrix[(a * d) + a] = covariances[(j * d) + a];
    }
}
