using Emix.Internals;

namespace Emix.Families.Gaussian;

/// <summary>
/// The ten structures of Celeux and Govaert (1995) beyond scikit-learn's four, as mclust 6 estimates
/// them. Each stores k per-component covariances in the storage of the scikit-learn structure with the
/// same orientation freedom (one variance, a diagonal, a full matrix), so the E-step kernels, the
/// statistics and the factorisations are those of that structure; only the M-step, the parameter count,
/// the code and the decomposition differ.
/// </summary>
/// <remarks>
/// The M-step works on the scatter matrices W_j = n_j·(S_j/n_j − δ_jδ_jᵀ + reg·I) (reg_covar added to
/// each component's covariance estimate before the constraint, so the result keeps its structure)
/// and n = Σ n_j. It is a pure function of the reduced statistics and of the previous decomposition
/// (the start of mclust's inner iterations), hence the same on any thread count.
/// </remarks>
internal abstract class ConstrainedCovariance : CovarianceStructure
{
    private readonly CovarianceStructure _layout;

    protected ConstrainedCovariance(CovarianceStructure layout) => _layout = layout;

    public override CovarianceStorage Storage => _layout.Storage;
    public override bool IsShared => false;
    public override int[] Shape(int k, int d) => _layout.Shape(k, d);
    public override int SecondMomentLength(int k, int d) => _layout.SecondMomentLength(k, d);

    /// <summary>mclust's <c>nVarParams</c>.</summary>
    public abstract override long FreeCovarianceParameters(int k, int d);

    public override void LogDensities(ReadOnlySpan<double> rows, int n, GaussianParameters p, Span<double> logProb, Span<double> scratch) =>
        _layout.LogDensities(rows, n, p, logProb, scratch);

    public override void RecentreSecondMoment(int j, int d, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta, Span<double> second) =>
        _layout.RecentreSecondMoment(j, d, s1, nk, delta, second);

    protected internal override void AddSecondMoment(int j, int d, ReadOnlySpan<double> e, double r, Span<double> second) =>
        _layout.AddSecondMoment(j, d, e, r, second);

    protected internal override void AddConditionalCovariance(int j, int d, ReadOnlySpan<int> missing, ReadOnlySpan<double> conditionalCovariance, double r, Span<double> second) =>
        _layout.AddConditionalCovariance(j, d, missing, conditionalCovariance, r, second);

    public override void PrecisionCholesky(int k, int d, ReadOnlySpan<double> covariances, Span<double> precisionCholesky, Span<double> logDet) =>
        _layout.PrecisionCholesky(k, d, covariances, precisionCholesky, logDet);

    public override void Precisions(int k, int d, ReadOnlySpan<double> precisionCholesky, Span<double> precisions) =>
        _layout.Precisions(k, d, precisionCholesky, precisions);

    public override bool TryCovariancesFromPrecisions(int k, int d, ReadOnlySpan<double> precisions, Span<double> covariances, out int badComponent) =>
        _layout.TryCovariancesFromPrecisions(k, d, precisions, covariances, out badComponent);

    public override void ExpandCovariance(int j, int k, int d, ReadOnlySpan<double> covariances, Span<double> matrix) =>
        _layout.ExpandCovariance(j, k, d, covariances, matrix);

    public override void EstimateCovariances(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, Span<double> covariances) =>
        Estimate(k, d, nkReg, delta, second, regCovar, null, InnerIterations.Default, covariances);

    /// <summary>
    /// The M-step: the decomposition of the constrained estimate, and its covariances written into
    /// <paramref name="covariances"/>. <paramref name="previous"/> (the last M-step's, or null at the
    /// start of a fit) is where the inner iterations start, as mclust carries them between EM iterations.
    /// </summary>
    public CovarianceDecomposition Estimate(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, CovarianceDecomposition? previous, InnerIterations inner, Span<double> covariances)
    {
        int block = Storage == CovarianceStorage.Full ? d * d : d;
        var scatter = new double[k * block];
        if (Storage == CovarianceStorage.Full)
            FullCovariance.Instance.EstimateCovariances(k, d, nkReg, delta, second, regCovar, scatter);
        else
            DiagonalCovariance.Variances(k, d, nkReg, delta, second, regCovar, scatter);
        double n = 0;
        for (int j = 0; j < k; j++)
        {
            n += nkReg[j];
            for (int i = 0; i < block; i++)
                scatter[(j * block) + i] *= nkReg[j];
        }
        if (previous is not null && (previous.ComponentCount != k || previous.FeatureCount != d))
            previous = null;
        var decomposition = Fit(new Scatter(k, d, scatter, nkReg.ToArray(), n), previous, inner);
        Compose(decomposition, covariances);
        return decomposition;
    }

    /// <summary>The scatter matrices (full: k×d×d; otherwise their diagonals, k×d), the weights n_j and n = Σ n_j.</summary>
    internal sealed class Scatter(int k, int d, double[] w, double[] nk, double n)
    {
        public int K { get; } = k;
        public int D { get; } = d;
        public double[] Nk { get; } = nk;
        public double N { get; } = n;

        /// <summary>Component <paramref name="j"/>'s scatter matrix (or its diagonal).</summary>
        public ReadOnlySpan<double> Of(int j) => w.AsSpan(j * (w.Length / K), w.Length / K);
    }

    /// <summary>The structure's M-step proper, from the scatter matrices.</summary>
    protected abstract CovarianceDecomposition Fit(Scatter s, CovarianceDecomposition? previous, InnerIterations inner);

    /// <summary><see cref="Fit"/> for the conjugate prior's M-step, which hands VEV its posterior scatter matrices.</summary>
    internal CovarianceDecomposition FitScatter(Scatter s, CovarianceDecomposition? previous, InnerIterations inner) => Fit(s, previous, inner);

    /// <summary>Σ_j = λ_j·D_j·diag(a_j)·D_jᵀ in this structure's storage.</summary>
    internal void Compose(CovarianceDecomposition c, Span<double> covariances)
    {
        int k = c.ComponentCount, d = c.FeatureCount;
        for (int j = 0; j < k; j++)
        {
            double scale = c.Scale[j];
            var shape = c.ShapeOf(j);
            switch (Storage)
            {
                case CovarianceStorage.Scalar:
                    covariances[j] = scale * shape[0];
                    break;
                case CovarianceStorage.Diagonal:
                    for (int a = 0; a < d; a++)
                        covariances[(j * d) + a] = scale * shape[a];
                    break;
                default:
                    var o = c.OrientationOf(j);
                    var sigma = covariances.Slice(j * d * d, d * d);
                    for (int a = 0; a < d; a++)
                    {
                        for (int b = a; b < d; b++)
                        {
                            double sum = 0;
                            for (int i = 0; i < d; i++)
                                sum += o[(a * d) + i] * shape[i] * o[(b * d) + i];
                            sigma[(a * d) + b] = scale * sum;
                            sigma[(b * d) + a] = scale * sum;
                        }
                    }
                    break;
            }
        }
    }

    /// <summary>Eigenvalues (descending, k×d) and eigenvectors (k×d×d, columns) of every scatter matrix.</summary>
    protected internal static (double[] Values, double[] Vectors) Eigen(Scatter s)
    {
        int k = s.K, d = s.D;
        var values = new double[k * d];
        var vectors = new double[k * d * d];
        for (int j = 0; j < k; j++)
        {
            SymmetricEigen.Decompose(s.Of(j), d, values.AsSpan(j * d, d), vectors.AsSpan(j * d * d, d * d));
            RequirePositive(j, values.AsSpan(j * d, d), "eigenvalue");
        }
        return (values, vectors);
    }

    /// <summary>Throws the collapse of component <paramref name="j"/> unless every value is positive and finite.</summary>
    protected internal static void RequirePositive(int j, ReadOnlySpan<double> values, string what)
    {
        for (int a = 0; a < values.Length; a++)
            if (!(values[a] > 0) || !double.IsFinite(values[a]))
                throw Collapse(j, $"{what} {a + 1} of the constrained estimate is {values[a]:R}");
    }

    /// <summary>Repeats <paramref name="one"/> k times.</summary>
    protected internal static double[] Repeat(ReadOnlySpan<double> one, int k)
    {
        var all = new double[k * one.Length];
        for (int j = 0; j < k; j++)
            one.CopyTo(all.AsSpan(j * one.Length));
        return all;
    }

    /// <summary>k identical values.</summary>
    protected internal static double[] Same(double value, int k)
    {
        var all = new double[k];
        all.AsSpan().Fill(value);
        return all;
    }

    /// <summary>Divides <paramref name="v"/> by its geometric mean and returns that mean.</summary>
    protected internal static double Normalise(Span<double> v)
    {
        double g = CovarianceDecomposition.GeometricMean(v);
        for (int a = 0; a < v.Length; a++)
            v[a] /= g;
        return g;
    }

    /// <summary>|old − new| / (1 + new), mclust's relative change of a scale or shape value.</summary>
    protected internal static double Change(double old, double value) => Math.Abs(old - value) / (1 + value);
}
