using Emix.Internals;

namespace Emix.Families.Gaussian;

/// <summary>Each component its own general covariance (mclust VVV). Second moments: k upper triangles of d×d.</summary>
internal sealed class FullCovariance : CovarianceStructure
{
    public static readonly FullCovariance Instance = new();

    public override CovarianceType Type => CovarianceType.Full;
    public override CovarianceStorage Storage => CovarianceStorage.Full;
    public override bool IsShared => false;
    public override string MclustCode => "VVV";
    public override string Description => "ellipsoidal, varying volume, shape, and orientation";
    public override int[] Shape(int k, int d) => [k, d, d];
    public override int SecondMomentLength(int k, int d) => k * d * d;
    public override long FreeCovarianceParameters(int k, int d) => (long)k * d * (d + 1) / 2;

    public override void LogDensities(ReadOnlySpan<double> rows, int n, GaussianParameters p, Span<double> logProb, Span<double> scratch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var diff = scratch[..d];
        for (int j = 0; j < k; j++)
        {
            ReadOnlySpan<double> mean = p.MeanOf(j);
            ReadOnlySpan<double> u = p.PrecisionCholeskyValues.AsSpan(j * d * d, d * d);
            double constant = (-0.5 * d * Log2Pi) + p.LogDetPrecisionCholesky[j];
            for (int i = 0; i < n; i++)
                logProb[(i * k) + j] = constant - (0.5 * UpperMahalanobis(rows.Slice(i * d, d), mean, u, diff));
        }
    }

    /// <summary>‖(x − μ)·U‖² for upper-triangular U (row-major).</summary>
    internal static double UpperMahalanobis(ReadOnlySpan<double> x, ReadOnlySpan<double> mean, ReadOnlySpan<double> u, Span<double> diff)
    {
        int d = x.Length;
        for (int a = 0; a < d; a++)
            diff[a] = x[a] - mean[a];
        double q = 0;
        for (int b = 0; b < d; b++)
        {
            double y = 0;
            for (int a = 0; a <= b; a++)
                y += diff[a] * u[(a * d) + b];
            q += y * y;
        }
        return q;
    }

    public override void RecentreSecondMoment(int j, int d, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta, Span<double> second) =>
        RecentreUpper(second.Slice(j * d * d, d * d), s1, nk, delta, d);

    protected internal override void AddSecondMoment(int j, int d, ReadOnlySpan<double> e, double r, Span<double> second) =>
        AddUpperOuter(second.Slice(j * d * d, d * d), e, r, d);

    protected internal override void AddConditionalCovariance(int j, int d, ReadOnlySpan<int> missing, ReadOnlySpan<double> conditionalCovariance, double r, Span<double> second) =>
        AddUpperBlock(second.Slice(j * d * d, d * d), missing, conditionalCovariance, r, d);

    /// <summary>S[a, b] += r·e_a·e_b for b ≥ a (the lower triangle is filled at the M-step).</summary>
    internal static void AddUpperOuter(Span<double> s, ReadOnlySpan<double> e, double r, int d)
    {
        for (int a = 0; a < d; a++)
        {
            double re = r * e[a];
            var row = s.Slice(a * d, d);
            for (int b = a; b < d; b++)
                row[b] += re * e[b];
        }
    }

    public override void EstimateCovariances(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, Span<double> covariances)
    {
        for (int j = 0; j < k; j++)
            CentredCovariance(second.Slice(j * d * d, d * d), delta.Slice(j * d, d), nkReg[j], regCovar, covariances.Slice(j * d * d, d * d), d);
    }

    /// <summary>Σ = S/nkReg − δδᵀ + reg·I from the upper triangle of S, written symmetric.</summary>
    internal static void CentredCovariance(ReadOnlySpan<double> s, ReadOnlySpan<double> delta, double nkReg, double regCovar, Span<double> cov, int d)
    {
        for (int a = 0; a < d; a++)
        {
            for (int b = a; b < d; b++)
            {
                double v = (s[(a * d) + b] / nkReg) - (delta[a] * delta[b]);
                cov[(a * d) + b] = v;
                cov[(b * d) + a] = v;
            }
            cov[(a * d) + a] += regCovar;
        }
    }

    public override void PrecisionCholesky(int k, int d, ReadOnlySpan<double> covariances, Span<double> precisionCholesky, Span<double> logDet)
    {
        var l = new double[d * d];
        for (int j = 0; j < k; j++)
            logDet[j] = FactorOne(j, d, covariances.Slice(j * d * d, d * d), precisionCholesky.Slice(j * d * d, d * d), l);
    }

    /// <summary>U = chol(Σ)⁻ᵀ and log det U; <paramref name="l"/> is d×d scratch.</summary>
    internal static double FactorOne(int component, int d, ReadOnlySpan<double> cov, Span<double> u, Span<double> l)
    {
        cov.CopyTo(l);
        int bad = DenseLinearAlgebra.CholeskyLower(l, d);
        if (bad >= 0)
            throw Collapse(component, $"not positive definite at pivot {bad + 1}");
        DenseLinearAlgebra.InverseTransposeOfLower(l, u, d);
        double logDet = 0;
        for (int a = 0; a < d; a++)
            logDet += Math.Log(u[(a * d) + a]);
        return logDet;
    }

    public override void Precisions(int k, int d, ReadOnlySpan<double> precisionCholesky, Span<double> precisions)
    {
        for (int j = 0; j < k; j++)
            DenseLinearAlgebra.MultiplyByOwnTranspose(precisionCholesky.Slice(j * d * d, d * d), precisions.Slice(j * d * d, d * d), d);
    }

    public override bool TryCovariancesFromPrecisions(int k, int d, ReadOnlySpan<double> precisions, Span<double> covariances, out int badComponent)
    {
        for (int j = 0; j < k; j++)
        {
            if (!DenseLinearAlgebra.TryInverseSpd(precisions.Slice(j * d * d, d * d), covariances.Slice(j * d * d, d * d), d))
            {
                badComponent = j;
                return false;
            }
        }
        badComponent = -1;
        return true;
    }

    public override void ExpandCovariance(int j, int k, int d, ReadOnlySpan<double> covariances, Span<double> matrix) =>
        covariances.Slice(j * d * d, d * d).CopyTo(matrix);
}
