using System.Globalization;
using Emix.Internals;

namespace Emix.Families.Gaussian;

/// <summary>How a structure stores one covariance; the kernels switch on this, never on the structure.</summary>
internal enum CovarianceStorage
{
    /// <summary>One variance σ² (spherical).</summary>
    Scalar,

    /// <summary>d variances (diagonal).</summary>
    Diagonal,

    /// <summary>A general d×d matrix (full, tied).</summary>
    Full,
}

/// <summary>
/// Everything that depends on the covariance structure, behind one abstract class: log-densities
/// of a chunk against all components, the second-moment statistics it accumulates, its M-step,
/// its free-parameter count, sampling and its scikit-learn shape. Chosen once, in <see cref="For"/>.
/// </summary>
/// <remarks>
/// Glossary for this folder: n = rows in a chunk, d = features, k = components, r = responsibility,
/// c = the shift the statistics are centred on (the component means of the E-step), δ = μ − c,
/// nk = Σ r, nkReg = nk + 10·eps (scikit-learn's guard against empty components).
/// Centring on c keeps S/nkReg − δδᵀ free of the cancellation that E[xxᵀ] − μμᵀ suffers when the
/// data sit far from the origin.
/// </remarks>
internal abstract class CovarianceStructure
{
    protected const double Log2Pi = 1.8378770664093454835606594728112;

    public abstract CovarianceType Type { get; }

    /// <summary>How one covariance is stored: one variance, a diagonal, or a full matrix.</summary>
    public abstract CovarianceStorage Storage { get; }

    /// <summary>Whether all components share one covariance (then it cannot be reseeded, dropped or frozen per component).</summary>
    public abstract bool IsShared { get; }

    /// <summary>Covariances stored: 1 when shared, else k.</summary>
    public int CovarianceCount(int k) => IsShared ? 1 : k;

    /// <summary>Values of one stored covariance: d² (full), d (diagonal) or 1 (one variance).</summary>
    public int BlockLength(int d) => Storage switch
    {
        CovarianceStorage.Full => d * d,
        CovarianceStorage.Diagonal => d,
        _ => 1,
    };

    /// <summary>
    /// Sets component <paramref name="j"/>'s covariance to the data's per-feature variances (+ reg_covar)
    /// when a collapsed component is reseeded: a diagonal matrix, the diagonal itself, or their mean.
    /// </summary>
    public void ReseedCovariance(int j, int d, ReadOnlySpan<double> variance, double regCovar, Span<double> covariances)
    {
        var block = covariances.Slice(j * BlockLength(d), BlockLength(d));
        switch (Storage)
        {
            case CovarianceStorage.Full:
                block.Clear();
                for (int a = 0; a < d; a++)
                    block[(a * d) + a] = variance[a] + regCovar;
                break;
            case CovarianceStorage.Diagonal:
                for (int a = 0; a < d; a++)
                    block[a] = variance[a] + regCovar;
                break;
            default:
                block[0] = variance.ToArray().Average() + regCovar;
                break;
        }
    }

    /// <summary>mclust's three-letter code (VVV, EEE, VVI, VII, EII, …).</summary>
    public abstract string MclustCode { get; }

    /// <summary>mclust's description of the model.</summary>
    public abstract string Description { get; }

    /// <summary>scikit-learn's shape of <c>covariances_</c> for this structure.</summary>
    public abstract int[] Shape(int k, int d);

    public int ValueCount(int k, int d)
    {
        int count = 1;
        foreach (int extent in Shape(k, d))
            count = checked(count * extent);
        return count;
    }

    /// <summary>Doubles of second-moment statistics per fit.</summary>
    public abstract int SecondMomentLength(int k, int d);

    /// <summary>Free covariance parameters (scikit-learn's count, which is mclust's <c>nVarParams</c>).</summary>
    public abstract long FreeCovarianceParameters(int k, int d);

    /// <summary>Writes log N(x_i | μ_j, Σ_j) into <paramref name="logProb"/> (n×k).</summary>
    public abstract void LogDensities(ReadOnlySpan<double> rows, int n, GaussianParameters p, Span<double> logProb, Span<double> scratch);

    /// <summary>
    /// Adds Σ r·(x − c) into <paramref name="sx"/> (k×d) and this structure's second moments into
    /// <paramref name="second"/>, one row and one component at a time (the scalar reference;
    /// rows with r = 0, as after a hard initial assignment, are skipped).
    /// </summary>
    public void Accumulate(ReadOnlySpan<double> rows, int n, int k, int d, ReadOnlySpan<double> resp,
        ReadOnlySpan<double> shifts, Span<double> sx, Span<double> second, Span<double> scratch)
    {
        var e = scratch[..d];
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * d, d);
            for (int j = 0; j < k; j++)
            {
                double r = resp[(i * k) + j];
                if (r == 0)
                    continue;
                AddRow(j, d, r, x, shifts, sx, second, e);
            }
        }
    }

    /// <summary>
    /// <see cref="Accumulate"/> for hard assignments: row i belongs wholly to component
    /// <paramref name="labels"/>[i], with responsibility <paramref name="weights"/>[i] (1 without
    /// weights), and nk is added too. The operations on every non-zero responsibility are those of
    /// <see cref="Accumulate"/> over the one-hot rows, whose zeros change no sum: the same bits,
    /// without the n×k responsibilities or the loop over components.
    /// </summary>
    public void AccumulateLabelled(ReadOnlySpan<double> rows, int n, int d, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights,
        ReadOnlySpan<double> shifts, Span<double> nk, Span<double> sx, Span<double> second, Span<double> scratch)
    {
        var e = scratch[..d];
        for (int i = 0; i < n; i++)
        {
            int j = labels[i];
            double r = weights.IsEmpty ? 1.0 : weights[i];
            nk[j] += r;
            if (r == 0)
                continue;
            AddRow(j, d, r, rows.Slice(i * d, d), shifts, sx, second, e);
        }
    }

    /// <summary>Adds r·(x − c_j) to component j's first moment and its second moment, e = x − c_j.</summary>
    private void AddRow(int j, int d, double r, ReadOnlySpan<double> x, ReadOnlySpan<double> shifts, Span<double> sx, Span<double> second, Span<double> e)
    {
        var c = shifts.Slice(j * d, d);
        var sxRow = sx.Slice(j * d, d);
        for (int a = 0; a < d; a++)
        {
            e[a] = x[a] - c[a];
            sxRow[a] += r * e[a];
        }
        AddSecondMoment(j, d, e, r, second);
    }

    /// <summary>Adds r·(x − c_j)(x − c_j)ᵀ, or the part of it this structure keeps, for component <paramref name="j"/>.</summary>
    protected internal abstract void AddSecondMoment(int j, int d, ReadOnlySpan<double> e, double r, Span<double> second);

    /// <summary>
    /// For a row with missing coordinates (see <see cref="Families.Gaussian.Missing.MissingValueEm"/>): adds
    /// r·(e·eᵀ + C), or the part of it this structure keeps, where e = x̂ − c_j has the missing
    /// coordinates at their conditional means and C (m×m, row-major) is the conditional covariance
    /// of the coordinates listed in <paramref name="missing"/> (ascending); C is zero elsewhere.
    /// </summary>
    internal void AddExpectedSecondMoment(int j, int d, ReadOnlySpan<double> e, ReadOnlySpan<int> missing,
        ReadOnlySpan<double> conditionalCovariance, double r, Span<double> second)
    {
        AddSecondMoment(j, d, e, r, second);
        AddConditionalCovariance(j, d, missing, conditionalCovariance, r, second);
    }

    /// <summary>Adds r·C (conditional covariance of the <paramref name="missing"/> coordinates) in this structure's second-moment layout.</summary>
    protected internal abstract void AddConditionalCovariance(int j, int d, ReadOnlySpan<int> missing, ReadOnlySpan<double> conditionalCovariance, double r, Span<double> second);

    /// <summary>S[a, b] += r·C[u, v] for a = missing[u] ≤ b = missing[v], into a d×d upper triangle (full and tied).</summary>
    protected static void AddUpperBlock(Span<double> s, ReadOnlySpan<int> missing, ReadOnlySpan<double> c, double r, int d)
    {
        int m = missing.Length;
        for (int u = 0; u < m; u++)
            for (int v = u; v < m; v++)
                s[(missing[u] * d) + missing[v]] += r * c[(u * m) + v];
    }

    /// <summary>S[a] += r·C[u, u] for a = missing[u], into d sums of squares (diagonal and spherical).</summary>
    protected static void AddDiagonalBlock(Span<double> s, ReadOnlySpan<int> missing, ReadOnlySpan<double> c, double r)
    {
        int m = missing.Length;
        for (int u = 0; u < m; u++)
            s[missing[u]] += r * c[(u * m) + u];
    }

    /// <summary>S[a] += r·e_a² for the k×d diagonal statistics (diagonal and spherical).</summary>
    protected static void AddSquares(Span<double> s, ReadOnlySpan<double> e, double r)
    {
        for (int a = 0; a < e.Length; a++)
            s[a] += r * e[a] * e[a];
    }

    /// <summary>
    /// Adds S1_j·Δᵀ + Δ·S1_jᵀ + nk_j·ΔΔᵀ, in this structure's second-moment layout, for component
    /// <paramref name="j"/>: what moving its statistics' centre by −Δ adds (see <see cref="GaussianStatisticsLayout.Recentre"/>).
    /// </summary>
    public abstract void RecentreSecondMoment(int j, int d, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta, Span<double> second);

    /// <summary>S[a, b] += s1_a·Δ_b + Δ_a·s1_b + nk·Δ_a·Δ_b for b ≥ a, into a d×d upper triangle (full and tied).</summary>
    protected static void RecentreUpper(Span<double> s, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta, int d)
    {
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++)
                s[(a * d) + b] += (s1[a] * delta[b]) + (delta[a] * s1[b]) + (nk * delta[a] * delta[b]);
    }

    /// <summary>S[a] += 2·s1_a·Δ_a + nk·Δ_a², into d sums of squares (diagonal and spherical).</summary>
    protected static void RecentreSquares(Span<double> s, ReadOnlySpan<double> s1, double nk, ReadOnlySpan<double> delta)
    {
        for (int a = 0; a < delta.Length; a++)
            s[a] += (2 * s1[a] * delta[a]) + (nk * delta[a] * delta[a]);
    }

    /// <summary>
    /// Writes Σ_j w_j·Σ_j in this structure's second-moment layout, around each component's own mean:
    /// the second moments whose M-step gives these covariances back (the start of stepwise EM).
    /// </summary>
    public void WeightedSecondMoment(int k, int d, ReadOnlySpan<double> weights, ReadOnlySpan<double> covariances, Span<double> second)
    {
        second.Clear();
        int block = BlockLength(d);
        for (int j = 0; j < k; j++)
        {
            var cov = covariances.Slice(IsShared ? 0 : j * block, block);
            var target = second.Slice(IsShared ? 0 : j * SecondMomentLength(1, d), SecondMomentLength(1, d));
            for (int i = 0; i < target.Length; i++)
                target[i] += weights[j] * cov[Storage == CovarianceStorage.Scalar ? 0 : i];
        }
    }

    /// <summary>M-step covariances from the statistics, with <paramref name="regCovar"/> on the diagonal.</summary>
    public abstract void EstimateCovariances(int k, int d, ReadOnlySpan<double> nkReg, ReadOnlySpan<double> delta,
        ReadOnlySpan<double> second, double regCovar, Span<double> covariances);

    /// <summary>
    /// Precision Cholesky factors (scikit-learn's <c>precisions_cholesky_</c>) and their log-determinants;
    /// throws <see cref="NumericalFailureException"/> naming the component that is not positive definite.
    /// </summary>
    public abstract void PrecisionCholesky(int k, int d, ReadOnlySpan<double> covariances, Span<double> precisionCholesky, Span<double> logDet);

    /// <summary>Precisions (inverse covariances) from the Cholesky factors, in scikit-learn's shape.</summary>
    public abstract void Precisions(int k, int d, ReadOnlySpan<double> precisionCholesky, Span<double> precisions);

    /// <summary>Covariances from user-given precisions; false names nothing, the caller reports.</summary>
    public abstract bool TryCovariancesFromPrecisions(int k, int d, ReadOnlySpan<double> precisions, Span<double> covariances, out int badComponent);

    /// <summary>Component <paramref name="j"/>'s covariance as a full d×d matrix.</summary>
    public abstract void ExpandCovariance(int j, int k, int d, ReadOnlySpan<double> covariances, Span<double> matrix);

    /// <summary>
    /// Writes a lower-triangular factor A with Σ_j = A·Aᵀ (d×d) for sampling x = μ + A·z.
    /// </summary>
    public void SamplingFactor(int j, int k, int d, ReadOnlySpan<double> covariances, Span<double> factor)
    {
        ExpandCovariance(j, k, d, covariances, factor);
        if (DenseLinearAlgebra.CholeskyLower(factor, d) >= 0)
            throw new NumericalFailureException($"Covariance of component {j + 1} is not positive definite; cannot sample.") { Component = j };
    }

    /// <summary>scikit-learn's four structures, in mclust's table order (VII, VVI, EEE, VVV): the default list of model selection.</summary>
    public static IReadOnlyList<CovarianceStructure> All { get; } =
        [SphericalCovariance.Instance, DiagonalCovariance.Instance, TiedCovariance.Instance, FullCovariance.Instance];

    /// <summary>All fourteen structures in mclust's table order (EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV).</summary>
    public static IReadOnlyList<CovarianceStructure> AllFourteen { get; } =
    [
        SphericalEqualCovariance.Instance, SphericalCovariance.Instance,
        DiagonalEqualCovariance.Instance, DiagonalVariableVolumeCovariance.Instance, DiagonalVariableShapeCovariance.Instance, DiagonalCovariance.Instance,
        TiedCovariance.Instance, EllipsoidalVariableVolumeCovariance.Instance, EllipsoidalVariableShapeCovariance.Instance, EllipsoidalEqualOrientationCovariance.Instance,
        EllipsoidalVariableOrientationCovariance.Instance, EllipsoidalEqualShapeCovariance.Instance, EllipsoidalEqualVolumeCovariance.Instance, FullCovariance.Instance,
    ];

    public static CovarianceStructure For(CovarianceType type) => type switch
    {
        CovarianceType.Full => FullCovariance.Instance,
        CovarianceType.Tied => TiedCovariance.Instance,
        CovarianceType.Diagonal => DiagonalCovariance.Instance,
        CovarianceType.Spherical => SphericalCovariance.Instance,
        CovarianceType.SphericalEqual => SphericalEqualCovariance.Instance,
        CovarianceType.DiagonalEqual => DiagonalEqualCovariance.Instance,
        CovarianceType.DiagonalVariableVolume => DiagonalVariableVolumeCovariance.Instance,
        CovarianceType.DiagonalVariableShape => DiagonalVariableShapeCovariance.Instance,
        CovarianceType.EllipsoidalVariableVolume => EllipsoidalVariableVolumeCovariance.Instance,
        CovarianceType.EllipsoidalVariableShape => EllipsoidalVariableShapeCovariance.Instance,
        CovarianceType.EllipsoidalEqualOrientation => EllipsoidalEqualOrientationCovariance.Instance,
        CovarianceType.EllipsoidalVariableOrientation => EllipsoidalVariableOrientationCovariance.Instance,
        CovarianceType.EllipsoidalEqualShape => EllipsoidalEqualShapeCovariance.Instance,
        CovarianceType.EllipsoidalEqualVolume => EllipsoidalEqualVolumeCovariance.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown covariance type"),
    };

    protected static NumericalFailureException Collapse(int component, string what) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"Fitting the mixture model failed because component {component + 1} has an ill-defined empirical covariance ({what}; for instance caused by singleton or collapsed samples). {NumericalFailureException.CollapseAdvice}"))
        { Component = component };
}
