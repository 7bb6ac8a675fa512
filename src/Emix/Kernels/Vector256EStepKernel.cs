using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Emix.Covariance;

namespace Emix.Kernels;

/// <summary>
/// The 256-bit FMA kernel. Rows are processed in blocks of <see cref="BlockRows"/>, transposed to
/// feature-major order so that one vector holds one feature of four rows; every loop then runs
/// across rows, which keeps all four lanes busy whatever d is.
/// </summary>
/// <remarks>
/// Glossary: B = block rows (stride of the feature-major arrays), m = rows in the block rounded up
/// to 8, dp = d rounded up to 4 (padding rows are zero), D = x − μ_j (feature-major), W = r·D,
/// U = precision Cholesky factor (upper triangular, padded to d × dp with zeros), q = ‖(x − μ)U‖².
/// Full and tied: q through register-blocked triangular products (2 row vectors × 4 columns of U
/// per step) and second moments through 2×4 tiles of Wᵀ·D. Diagonal and spherical: the direct
/// quadratic form Σ ((x − μ)·σ⁻¹)², which costs the same as the expanded one here and does not
/// cancel when data sit far from the origin. The block order is fixed, so results do not depend on
/// threads; they differ from the scalar reference only by rounding (tests bound it).
/// </remarks>
internal sealed class Vector256EStepKernel : IEStepKernel
{
    public static readonly Vector256EStepKernel Instance = new();

    /// <summary>Rows per block: the feature-major copies of a block stay in L2 for d up to a few hundred.</summary>
    public const int BlockRows = 256;

    private const double Log2Pi = 1.8378770664093454835606594728112;

    private sealed class Scratch
    {
        public Scratch(int k, int d)
        {
            int dp = PaddedFeatures(d);
            Xt = new double[dp * BlockRows];
            D = new double[dp * BlockRows];
            W = new double[dp * BlockRows];
            LogP = new double[k * BlockRows];
            Norm = new double[BlockRows];
        }

        public readonly double[] Xt, D, W, LogP, Norm;
    }

    internal static int PaddedFeatures(int d) => (d + 3) & ~3;

    public object CreateScratch(int chunkRows, int k, int d) => new Scratch(k, d);

    public void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, int n, SufficientStatistics layout, Span<double> stats, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, d = p.FeatureCount;
        var nk = layout.Nk(stats);
        var sx = layout.FirstMoment(stats);
        var second = layout.SecondMoment(stats);
        var type = p.Structure.Type;
        double logLikelihood = 0;
        for (int start = 0; start < n; start += BlockRows)
        {
            int nb = Math.Min(BlockRows, n - start);
            int m = (nb + 7) & ~7;
            Transpose(rows.Slice(start * d, nb * d), nb, m, d, s.Xt);
            LogDensities(p, s, m);
            logLikelihood += Normalise(s, k, nb, m);
            for (int j = 0; j < k; j++)
            {
                var r = s.LogP.AsSpan(j * BlockRows, m);
                Exponentiate(r, s.Norm, nb, m);
                nk[j] += SumRows(r, m);
                Centre(s.Xt, p.MeanOf(j), d, m, s.D);
                WeightAndFirstMoment(r, s.D, d, m, s.W, sx.Slice(j * d, d));
                switch (type)
                {
                    case CovarianceType.Full:
                        AddUpperProducts(s.W, s.D, d, m, second.Slice(j * d * d, d * d));
                        break;
                    case CovarianceType.Tied:
                        AddUpperProducts(s.W, s.D, d, m, second);
                        break;
                    default:
                        AddSquares(s.W, s.D, d, m, second.Slice(j * d, d));
                        break;
                }
            }
        }
        stats[SufficientStatistics.LogLikelihoodOffset] += logLikelihood;
    }

    public double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, d = p.FeatureCount;
        double total = 0;
        for (int start = 0; start < n; start += BlockRows)
        {
            int nb = Math.Min(BlockRows, n - start);
            int m = (nb + 7) & ~7;
            Transpose(rows.Slice(start * d, nb * d), nb, m, d, s.Xt);
            LogDensities(p, s, m);
            total += Normalise(s, k, nb, m);
            for (int i = 0; i < nb; i++)
            {
                double norm = s.Norm[i];
                var row = logResp.Slice((start + i) * k, k);
                for (int j = 0; j < k; j++)
                    row[j] = s.LogP[(j * BlockRows) + i] - norm;
                if (!logNorm.IsEmpty)
                    logNorm[start + i] = norm;
            }
        }
        return total;
    }

    /// <summary>Feature-major copy; rows past <paramref name="nb"/> repeat the last row so every lane stays finite.</summary>
    private static void Transpose(ReadOnlySpan<double> rows, int nb, int m, int d, double[] xt)
    {
        for (int i = 0; i < m; i++)
        {
            var row = rows.Slice(Math.Min(i, nb - 1) * d, d);
            for (int a = 0; a < d; a++)
                xt[(a * BlockRows) + i] = row[a];
        }
    }

    /// <summary>log w_j + log N(x_i | μ_j, Σ_j) into LogP[j, i] for the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogDensities(GaussianParameters p, Scratch s, int m)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var type = p.Structure.Type;
        double[]? factors = type is CovarianceType.Full or CovarianceType.Tied ? PaddedFactors(p) : null;
        int dp = PaddedFeatures(d);
        for (int j = 0; j < k; j++)
        {
            var logP = s.LogP.AsSpan(j * BlockRows, m);
            double constant = (-0.5 * d * Log2Pi) + p.LogDetPrecisionCholesky[j] + p.LogWeights[j];
            var mean = p.MeanOf(j);
            switch (type)
            {
                case CovarianceType.Full:
                case CovarianceType.Tied:
                    Centre(s.Xt, mean, d, m, s.D);
                    int offset = type == CovarianceType.Full ? j * d * dp : 0;
                    TriangularQuadraticForm(s.D, factors.AsSpan(offset, d * dp), d, dp, m, logP);
                    break;
                case CovarianceType.Diagonal:
                    DiagonalQuadraticForm(s.Xt, mean, p.PrecisionCholeskyValues.AsSpan(j * d, d), d, m, logP);
                    break;
                default:
                    SphericalQuadraticForm(s.Xt, mean, d, m, logP);
                    double precision = p.PrecisionCholeskyValues[j] * p.PrecisionCholeskyValues[j];
                    for (int i = 0; i < m; i++)
                        logP[i] *= precision;
                    break;
            }
            // logP holds q = the squared Mahalanobis distance; turn it into the weighted log-density.
            var c = Vector256.Create(constant);
            var half = Vector256.Create(-0.5);
            ref double lp = ref MemoryMarshal.GetReference(logP);
            for (int i = 0; i < m; i += 4)
                Fma.MultiplyAdd(half, Vector256.LoadUnsafe(ref lp, (nuint)i), c).StoreUnsafe(ref lp, (nuint)i);
        }
    }

    /// <summary>U padded to d × dp (zeros right of column d) for every component; computed once per parameter set.</summary>
    private static double[] PaddedFactors(GaussianParameters p) => p.GetOrCreateKernelData(static q =>
    {
        int d = q.FeatureCount, dp = PaddedFeatures(d);
        int count = q.Structure.Type == CovarianceType.Full ? q.ComponentCount : 1;
        var padded = new double[count * d * dp];
        for (int j = 0; j < count; j++)
            for (int a = 0; a < d; a++)
                q.PrecisionCholeskyValues.AsSpan((j * d * d) + (a * d), d).CopyTo(padded.AsSpan((j * d * dp) + (a * dp), d));
        return padded;
    });

    /// <summary>D[a, i] = Xt[a, i] − μ_a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Centre(double[] xt, ReadOnlySpan<double> mean, int d, int m, double[] dOut)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double o = ref MemoryMarshal.GetArrayDataReference(dOut);
        for (int a = 0; a < d; a++)
        {
            var mu = Vector256.Create(mean[a]);
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += 4)
                (Vector256.LoadUnsafe(ref x, row + (nuint)i) - mu).StoreUnsafe(ref o, row + (nuint)i);
        }
    }

    /// <summary>q_i = Σ_b (Σ_{a≤b} D[a, i]·U[a, b])², 8 rows × 4 columns of U per register tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TriangularQuadraticForm(double[] dm, ReadOnlySpan<double> u, int d, int dp, int m, Span<double> q)
    {
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref double ur = ref MemoryMarshal.GetReference(u);
        ref double qr = ref MemoryMarshal.GetReference(q);
        for (int i = 0; i < m; i += 8)
        {
            var q0 = Vector256<double>.Zero;
            var q1 = Vector256<double>.Zero;
            for (int b0 = 0; b0 < d; b0 += 4)
            {
                Vector256<double> a00 = default, a01 = default, a02 = default, a03 = default;
                Vector256<double> a10 = default, a11 = default, a12 = default, a13 = default;
                int last = Math.Min(b0 + 4, d);
                for (int a = 0; a < last; a++)
                {
                    nuint at = (nuint)((a * BlockRows) + i);
                    var x0 = Vector256.LoadUnsafe(ref dr, at);
                    var x1 = Vector256.LoadUnsafe(ref dr, at + 4);
                    nuint ua = (nuint)((a * dp) + b0);
                    var u0 = Vector256.Create(Unsafe.Add(ref ur, ua));
                    var u1 = Vector256.Create(Unsafe.Add(ref ur, ua + 1));
                    var u2 = Vector256.Create(Unsafe.Add(ref ur, ua + 2));
                    var u3 = Vector256.Create(Unsafe.Add(ref ur, ua + 3));
                    a00 = Fma.MultiplyAdd(x0, u0, a00);
                    a01 = Fma.MultiplyAdd(x0, u1, a01);
                    a02 = Fma.MultiplyAdd(x0, u2, a02);
                    a03 = Fma.MultiplyAdd(x0, u3, a03);
                    a10 = Fma.MultiplyAdd(x1, u0, a10);
                    a11 = Fma.MultiplyAdd(x1, u1, a11);
                    a12 = Fma.MultiplyAdd(x1, u2, a12);
                    a13 = Fma.MultiplyAdd(x1, u3, a13);
                }
                q0 = Fma.MultiplyAdd(a00, a00, q0);
                q0 = Fma.MultiplyAdd(a01, a01, q0);
                q0 = Fma.MultiplyAdd(a02, a02, q0);
                q0 = Fma.MultiplyAdd(a03, a03, q0);
                q1 = Fma.MultiplyAdd(a10, a10, q1);
                q1 = Fma.MultiplyAdd(a11, a11, q1);
                q1 = Fma.MultiplyAdd(a12, a12, q1);
                q1 = Fma.MultiplyAdd(a13, a13, q1);
            }
            q0.StoreUnsafe(ref qr, (nuint)i);
            q1.StoreUnsafe(ref qr, (nuint)(i + 4));
        }
    }

    /// <summary>q_i = Σ_a ((x_ia − μ_a)·σ⁻¹_a)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalQuadraticForm(double[] xt, ReadOnlySpan<double> mean, ReadOnlySpan<double> inverseSd, int d, int m, Span<double> q)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double qr = ref MemoryMarshal.GetReference(q);
        for (int i = 0; i < m; i += 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (int a = 0; a < d; a++)
            {
                var mu = Vector256.Create(mean[a]);
                var sc = Vector256.Create(inverseSd[a]);
                nuint at = (nuint)((a * BlockRows) + i);
                var t0 = (Vector256.LoadUnsafe(ref x, at) - mu) * sc;
                var t1 = (Vector256.LoadUnsafe(ref x, at + 4) - mu) * sc;
                acc0 = Fma.MultiplyAdd(t0, t0, acc0);
                acc1 = Fma.MultiplyAdd(t1, t1, acc1);
            }
            acc0.StoreUnsafe(ref qr, (nuint)i);
            acc1.StoreUnsafe(ref qr, (nuint)(i + 4));
        }
    }

    /// <summary>q_i = Σ_a (x_ia − μ_a)² (the caller multiplies by the precision).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SphericalQuadraticForm(double[] xt, ReadOnlySpan<double> mean, int d, int m, Span<double> q)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double qr = ref MemoryMarshal.GetReference(q);
        for (int i = 0; i < m; i += 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (int a = 0; a < d; a++)
            {
                var mu = Vector256.Create(mean[a]);
                nuint at = (nuint)((a * BlockRows) + i);
                var t0 = Vector256.LoadUnsafe(ref x, at) - mu;
                var t1 = Vector256.LoadUnsafe(ref x, at + 4) - mu;
                acc0 = Fma.MultiplyAdd(t0, t0, acc0);
                acc1 = Fma.MultiplyAdd(t1, t1, acc1);
            }
            acc0.StoreUnsafe(ref qr, (nuint)i);
            acc1.StoreUnsafe(ref qr, (nuint)(i + 4));
        }
    }

    /// <summary>Row-wise log-sum-exp over components into Norm; returns Σ of the first <paramref name="nb"/> norms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Normalise(Scratch s, int k, int nb, int m)
    {
        ref double lp = ref MemoryMarshal.GetArrayDataReference(s.LogP);
        ref double nr = ref MemoryMarshal.GetArrayDataReference(s.Norm);
        var negativeInfinity = Vector256.Create(double.NegativeInfinity);
        for (int i = 0; i < m; i += 4)
        {
            var max = negativeInfinity;
            for (int j = 0; j < k; j++)
                max = Vector256.Max(max, Vector256.LoadUnsafe(ref lp, (nuint)((j * BlockRows) + i)));
            // A row no component can explain has max = −∞; keep it from becoming NaN (−∞ − −∞).
            var safeMax = Vector256.ConditionalSelect(Vector256.Equals(max, negativeInfinity), Vector256<double>.Zero, max);
            var sum = Vector256<double>.Zero;
            for (int j = 0; j < k; j++)
                sum += Vector256.Exp(Vector256.LoadUnsafe(ref lp, (nuint)((j * BlockRows) + i)) - safeMax);
            (safeMax + Vector256.Log(sum)).StoreUnsafe(ref nr, (nuint)i);
        }
        double total = 0;
        for (int i = 0; i < nb; i++)
            total += s.Norm[i];
        return total;
    }

    /// <summary>r = exp(log p − norm) in place; zero for padding rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Exponentiate(Span<double> logP, double[] norm, int nb, int m)
    {
        ref double lp = ref MemoryMarshal.GetReference(logP);
        ref double nr = ref MemoryMarshal.GetArrayDataReference(norm);
        for (int i = 0; i < m; i += 4)
            Vector256.Exp(Vector256.LoadUnsafe(ref lp, (nuint)i) - Vector256.LoadUnsafe(ref nr, (nuint)i)).StoreUnsafe(ref lp, (nuint)i);
        logP[nb..m].Clear();
    }

    private static double SumRows(Span<double> r, int m)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        var acc = Vector256<double>.Zero;
        for (int i = 0; i < m; i += 4)
            acc += Vector256.LoadUnsafe(ref rr, (nuint)i);
        return Vector256.Sum(acc);
    }

    /// <summary>W[a, i] = r_i·D[a, i] and Σ_i W[a, i] into <paramref name="sx"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightAndFirstMoment(Span<double> r, double[] dm, int d, int m, double[] w, Span<double> sx)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref double wr = ref MemoryMarshal.GetArrayDataReference(w);
        for (int a = 0; a < d; a++)
        {
            var acc = Vector256<double>.Zero;
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += 4)
            {
                var v = Vector256.LoadUnsafe(ref rr, (nuint)i) * Vector256.LoadUnsafe(ref dr, row + (nuint)i);
                v.StoreUnsafe(ref wr, row + (nuint)i);
                acc += v;
            }
            sx[a] += Vector256.Sum(acc);
        }
    }

    /// <summary>S[a, a] += Σ_i W[a, i]·D[a, i] (diagonal and spherical second moments).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddSquares(double[] w, double[] dm, int d, int m, Span<double> s)
    {
        ref double wr = ref MemoryMarshal.GetArrayDataReference(w);
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        for (int a = 0; a < d; a++)
        {
            var acc = Vector256<double>.Zero;
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += 4)
                acc = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref wr, row + (nuint)i), Vector256.LoadUnsafe(ref dr, row + (nuint)i), acc);
            s[a] += Vector256.Sum(acc);
        }
    }

    /// <summary>
    /// S[a, b] += Σ_i W[a, i]·D[b, i] for b ≥ a, in 2×4 register tiles (rows a, a+1; columns b..b+3).
    /// Rows of W and D past d are zero padding, so tiles may run over the edge.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddUpperProducts(double[] w, double[] dm, int d, int m, Span<double> s)
    {
        ref double wr = ref MemoryMarshal.GetArrayDataReference(w);
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        for (int a0 = 0; a0 < d; a0 += 2)
        {
            for (int b0 = a0 & ~3; b0 < d; b0 += 4)
            {
                Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default;
                Vector256<double> c10 = default, c11 = default, c12 = default, c13 = default;
                nuint wa0 = (nuint)(a0 * BlockRows), wa1 = wa0 + BlockRows;
                nuint db0 = (nuint)(b0 * BlockRows), db1 = db0 + BlockRows, db2 = db1 + BlockRows, db3 = db2 + BlockRows;
                for (int i = 0; i < m; i += 4)
                {
                    nuint ii = (nuint)i;
                    var w0 = Vector256.LoadUnsafe(ref wr, wa0 + ii);
                    var w1 = Vector256.LoadUnsafe(ref wr, wa1 + ii);
                    var x0 = Vector256.LoadUnsafe(ref dr, db0 + ii);
                    var x1 = Vector256.LoadUnsafe(ref dr, db1 + ii);
                    var x2 = Vector256.LoadUnsafe(ref dr, db2 + ii);
                    var x3 = Vector256.LoadUnsafe(ref dr, db3 + ii);
                    c00 = Fma.MultiplyAdd(w0, x0, c00);
                    c01 = Fma.MultiplyAdd(w0, x1, c01);
                    c02 = Fma.MultiplyAdd(w0, x2, c02);
                    c03 = Fma.MultiplyAdd(w0, x3, c03);
                    c10 = Fma.MultiplyAdd(w1, x0, c10);
                    c11 = Fma.MultiplyAdd(w1, x1, c11);
                    c12 = Fma.MultiplyAdd(w1, x2, c12);
                    c13 = Fma.MultiplyAdd(w1, x3, c13);
                }
                AddTile(s, d, a0, b0, c00, c01, c02, c03);
                AddTile(s, d, a0 + 1, b0, c10, c11, c12, c13);
            }
        }
    }

    private static void AddTile(Span<double> s, int d, int a, int b0, Vector256<double> c0, Vector256<double> c1, Vector256<double> c2, Vector256<double> c3)
    {
        if (a >= d)
            return;
        var row = s.Slice(a * d, d);
        if (b0 >= a && b0 < d) row[b0] += Vector256.Sum(c0);
        if (b0 + 1 >= a && b0 + 1 < d) row[b0 + 1] += Vector256.Sum(c1);
        if (b0 + 2 >= a && b0 + 2 < d) row[b0 + 2] += Vector256.Sum(c2);
        if (b0 + 3 >= a && b0 + 3 < d) row[b0 + 3] += Vector256.Sum(c3);
    }
}
