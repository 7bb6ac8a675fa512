using Emix.Internals;

namespace Emix.Families.Gaussian;

/// <summary>One general covariance shared by all components (mclust EEE). Second moments: one upper triangle of d×d summed over components.</summary>
internal sealed class TiedCovariance : CovarianceStructure
{
    public static readonly TiedCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.Tied;
    public override CovarianceStorage Storage => CovarianceStorage.Full;
    public override bool IsShared => true;
    public override string MclustCode => "EEE";
    public override string Description => "ellipsoidal, equal volume, shape, and orientation";
    public override int[] Shape(int k, int d) => [d, d];
    public override int SecondMomentLength(int k, int d) => d * d;
    public override long FreeCovarianceParameters(int k, int d) => (long)d * (d + 1) / 2;

    public override void LogDensities(ReadOnlySpan<double> rows, int n, GaussianParameters p, Span<double> logProb, Span<double> scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var diff = scratch[..d];
        ReadOnlySpan<double> u = p.PrecisionCholeskyValues;
        double constant = (-0.5 * d * Log2Pi) + p.LogDetPrecisionCholesky[0];
        for (int j = 0; j < k; j++)
        {
            ReadOnlySpan<double> mean = p.MeanOf(j);
            for (int i = 0; i < n; i++)
                logProb[(i * k) + j] = constant - (0.5 * FullCovariance.UpperMahalanobis(rows.Slice(i * d, d), mean, u, diff));
        }
    }

    public override void RecentreSecondMoment(int j, int d, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta, Span<double> second) =>
        RecentreUpper(second, s1, nk, delta, d);

    protected internal override void AddSecondMoment(int j, int d, ReadOnlySpan<double> e, double r, Span<double> second) =>
        FullCovariance.AddUpperOuter(second, e, r, d);

    protected internal override void AddConditionalCovariance(int j, int d, ReadOnlySpan<int> missing, ReadOnlySpan<double> conditionalCovariance, double r, Span<double> second) =>
        AddUpperBlock(second, missing, conditionalCovariance, r, d);

    public override void EstimateCovariances(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, Span<double> covariances)
    {
        // Σ = (Σ_j S_j − Σ_j nkReg_j·δ_j·δ_jᵀ) / Σ_j nkReg_j + reg·I, as scikit-learn's (XᵀX − Σ nk μμᵀ)/Σ nk.
        double total = 0;
        for (int j = 0; j < k; j++)
            total += nkReg[j];
        for (int a = 0; a < d; a++)
        {
            for (int b = a; b < d; b++)
            {
                double s = second[(a * d) + b];
                for (int j = 0; j < k; j++)
                    s -= nkReg[j] * delta[(j * d) + a] * delta[(j * d) + b];
                double v = s / total;
                covariances[(a * d) + b] = v;
                covariances[(b * d) + a] = v;
            }
            covariances[(a * d) + a] += regCovar;
        }
    }

    public override void PrecisionCholesky(int k, int d, ReadOnlySpan<double> covariances, Span<double> precisionCholesky, Span<double> logDet)
    {
        double value = FullCovariance.FactorOne(0, d, covariances, precisionCholesky, new double[d * d]);
        logDet[..k].Fill(value);
    }

    public override void Precisions(int k, int d, ReadOnlySpan<double> precisionCholesky, Span<double> precisions) =>
        DenseLinearAlgebra.MultiplyByOwnTranspose(precisionCholesky, precisions, d);

    public override bool TryCovariancesFromPrecisions(int k, int d, ReadOnlySpan<double> precisions, Span<double> covariances, out int badComponent)
    {
        bool ok = DenseLinearAlgebra.TryInverseSpd(precisions, covariances, d);
        badComponent = ok ? -1 : 0;
        return ok;
    }

    public override void ExpandCovariance(int j, int k, int d, ReadOnlySpan<double> covariances, Span<double> matrix) =>
        covariances[..(d * d)].CopyTo(matrix);
}
