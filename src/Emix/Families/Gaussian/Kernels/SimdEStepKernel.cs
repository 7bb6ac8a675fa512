using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emix.Families.Gaussian;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// The SIMD kernel, written once and specialised per vector width by <typeparamref name="TOps"/> and
/// per block shape by <typeparamref name="TBlock"/>. Rows are processed in blocks of
/// <see cref="BlockRows"/>, transposed to feature-major order so that one vector holds one feature of
/// W rows; every loop then runs across rows, which keeps all lanes busy whatever d is.
/// </summary>
/// <remarks>
/// Glossary: W = doubles per vector, B = block rows (the stride of the feature-major arrays),
/// m = rows in the block rounded up to 2W, dp = d rounded up to 4 (padding rows are zero),
/// D = x − μ_j (feature-major), W·r = r·D, U = precision Cholesky factor (upper triangular, padded
/// to d × dp with zeros), q = ‖(x − μ)U‖².
/// Full: q through register-blocked triangular products (4 row vectors × 4 columns of U per step),
/// on rows shifted by the mixture's mean c as they are transposed, q = ‖(x − c)U − (μ − c)U‖², so
/// no pass centres the block on each mean (where accurate: <see cref="FullShiftLimit"/>), and
/// second moments through tiles of 8 rows × one vector of (r·D)ᵀ·D. Tied: one triangular
/// product per row around the mixture's mean and one second-moment pass for all components (see
/// <see cref="TiedCorrection"/>), where that is accurate. Diagonal and spherical: the expanded form
/// around the mixture's mean in register tiles of four components where that is accurate, else
/// the direct form Σ ((x − μ)·σ⁻¹)² (SimdEStepKernel.Diagonal.cs). The next block's rows are
/// prefetched from inside the current block's loops (<see cref="Prefetcher"/>). The block order is
/// fixed, so results do not depend on threads; they differ from the scalar reference only by
/// rounding (tests bound it).
/// </remarks>
internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock> : IEStepKernel
    where TVector : struct
    where TOps : struct, IVectorOps<TVector>
    where TBlock : struct, IBlockShape
{
    public static readonly SimdEStepKernel<TVector, TOps, TBlock> Instance = new();

    /// <summary>Rows per block, and the stride of the feature-major arrays (see <see cref="IBlockShape"/>).</summary>
    private static int BlockRows => TBlock.Rows;

    /// <summary><see cref="BlockRows"/> as an offset.</summary>
    private static nuint Stride => (nuint)TBlock.Rows;

    private const double Log2Pi = 1.8378770664093454835606594728112;

    /// <summary>
    /// Exponents below this give results under 1e-304, near the subnormal range. Subnormal
    /// operands make x86 floating-point units take microcode assists (tens of times slower), and
    /// .NET does not flush them to zero, so exponents are clamped here before exp, and
    /// responsibilities that small are set to exactly 0 (their effect on any statistic is below
    /// 1e-300 relative).
    /// </summary>
    private const double SmallestExponent = -700;

    private sealed class Scratch
    {
        public Scratch(int k, int d, CovarianceStructure structure)
        {
            int dp = PaddedFeatures(d);
            RowWidth = (d + TOps.Count - 1) / TOps.Count * TOps.Count;
            int weightRows = (d + 7) & ~7;
            Xt = new double[dp * BlockRows];
            D = new double[dp * BlockRows];
            W = new double[weightRows * BlockRows];
            bool diagonal = structure.Storage != CovarianceStorage.Full;
            // Diagonal: rows for the padding components of the last register tile, which stay zero.
            LogP = new double[(diagonal ? PaddedComponents(k) : k) * BlockRows];
            Norm = new double[BlockRows];
            if (diagonal)
            {
                Moments = new double[2 * PaddedComponents(k) * d * TOps.Count];
                ChunkCounts = new double[k];
            }
            if (structure.Storage == CovarianceStorage.Full && structure.IsShared)
            {
                RowWeight = new double[BlockRows];
                ChunkCounts = new double[k];
                ChunkFirst = new double[k * d];
                Discard = new double[d];
            }
            if (structure.Storage == CovarianceStorage.Full)
            {
                Rm = new double[BlockRows * RowWidth];
                Second = new double[structure.CovarianceCount(k) * weightRows * RowWidth];
            }
        }

        /// <summary>d rounded up to whole vectors: the row stride of <see cref="Rm"/> and <see cref="Second"/>.</summary>
        public readonly int RowWidth;

        public readonly double[] Xt, D, W, LogP, Norm;

        public readonly Prefetcher Next = new();

        /// <summary>
        /// Diagonal and spherical: per component and feature, the lanes of Σ r·(x − μ) and Σ r·(x − μ)²
        /// (direct form), or of Σ r·x' and Σ r·x'² in tiles of four components (expanded form), over the
        /// chunk so far (one vector each); summed across lanes once per chunk, not per block.
        /// </summary>
        public readonly double[] Moments = [];

        /// <summary>
        /// Tied: Σ_j r_ij per row of the block, and the chunk's nk and Σ r·(x − μ_j) (see <see cref="TiedCorrection"/>).
        /// Diagonal in the expanded form: the chunk's nk.
        /// </summary>
        public readonly double[] RowWeight = [], ChunkCounts = [], ChunkFirst = [], Discard = [];

        /// <summary>x − μ_j, row-major (B × RowWidth), for the second moments.</summary>
        public readonly double[] Rm = [];

        /// <summary>The chunk's second moments per component, padded (rows to a multiple of 8, columns to RowWidth).</summary>
        public readonly double[] Second = [];
    }

    internal static int PaddedFeatures(int d) => (d + 3) & ~3;

    private static int RoundUp(int rows) => (rows + (2 * TOps.Count) - 1) / (2 * TOps.Count) * (2 * TOps.Count);

    public object CreateScratch(int chunkRows, GaussianParameters p) => new Scratch(p.ComponentCount, p.FeatureCount, p.Structure);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, GaussianStatisticsLayout layout, Span<double> stats, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, d = p.FeatureCount;
        var nk = layout.Nk(stats);
        var sx = layout.FirstMoment(stats);
        var second = layout.SecondMoment(stats);
        var structure = p.Structure;
        bool general = structure.Storage == CovarianceStorage.Full;
        int weightRows = (d + 7) & ~7;
        if (general)
            s.Second.AsSpan().Clear();
        else
            s.Moments.AsSpan().Clear();
        bool tied = TiedSinglePass(p);
        bool expanded = DiagonalExpanded(p);
        bool shiftedFull = FullShifted(p);
        if (expanded)
            s.ChunkCounts.AsSpan().Clear();
        ReadOnlySpan<double> tiedCentre = default;
        if (tied)
        {
            tiedCentre = PaddedFactors(p).AsSpan(d * PaddedFeatures(d), d);
            s.ChunkCounts.AsSpan().Clear();
            s.ChunkFirst.AsSpan().Clear();
        }
        double logLikelihood = 0;
        for (int start = 0; start < n; start += BlockRows)
        {
            double blockLogLikelihood = LoadBlock(p, rows, start, n, s, responsibilities: true, out int nb, out int m);
            logLikelihood += weights.IsEmpty ? blockLogLikelihood : WeightBlock(s, k, weights.Slice(start, nb));
            if (tied)
                s.RowWeight.AsSpan(0, m).Clear();
            for (int j = 0; j < k; j++)
            {
                var r = s.LogP.AsSpan(j * BlockRows, m);
                r[nb..m].Clear(); // padding rows carry no weight
                double count = SumRows(r, m);
                nk[j] += count;
                if (tied)
                {
                    // One second-moment pass for all components, around a common centre (corrected per chunk).
                    s.ChunkCounts[j] += count;
                    WeightAndFirstMoment(r, s.Xt, p.MeanOf(j), d, m, null, s.ChunkFirst.AsSpan(j * d, d));
                    AddTo(r, s.RowWeight, m);
                }
                else if (general)
                {
                    // The block's rows are shifted by c for full where accurate: its mean there is μ_j − c.
                    var blockMean = shiftedFull ? FullDelta(p, j) : p.MeanOf(j);
                    WeightAndFirstMoment(r, s.Xt, blockMean, d, m, s.W, sx.Slice(j * d, d));
                    AddSecondMoments(s, rows, start, nb, m, d, p.MeanOf(j), blockMean, structure.IsShared ? 0 : j * weightRows * s.RowWidth);
                }
                else if (expanded)
                {
                    s.ChunkCounts[j] += count;
                }
                else
                {
                    DiagonalMoments(r, s.Xt, p.MeanOf(j), d, m, s.Moments.AsSpan(2 * j * d * TOps.Count, 2 * d * TOps.Count));
                }
            }
            if (expanded)
                ExpandedMoments(s.Xt, s.LogP, k, d, m, s.Moments, s.Next);
            if (tied)
            {
                WeightAndFirstMoment(s.RowWeight, s.Xt, tiedCentre, d, m, s.W, s.Discard);
                AddSecondMoments(s, rows, start, nb, m, d, tiedCentre, tiedCentre, 0);
            }
        }
        if (tied)
        {
            TiedCorrection(p, tiedCentre, s);
            for (int i = 0; i < k * d; i++)
                sx[i] += s.ChunkFirst[i];
        }
        if (expanded)
            AddExpandedLanes(s.Moments, DiagonalFactors(p), s.ChunkCounts, k, d, sx, second);
        else if (!general)
            AddLanes(s.Moments, k, d, sx, second);
        if (general)
        {
            // The chunk's padded upper triangles into the statistics buffer.
            int count = structure.CovarianceCount(k);
            for (int j = 0; j < count; j++)
            {
                var padded = s.Second.AsSpan(j * weightRows * s.RowWidth, weightRows * s.RowWidth);
                var target = second.Slice(j * d * d, d * d);
                for (int a = 0; a < d; a++)
                    for (int b = a; b < d; b++)
                        target[(a * d) + b] += padded[(a * s.RowWidth) + b];
            }
        }
        stats[GaussianStatisticsLayout.LogLikelihoodOffset] += logLikelihood;
    }

    /// <summary>
    /// The padded second moments at <paramref name="offset"/> in Second += Σ_i W[·, i]·(x_i − centre)ᵀ, the
    /// rows of the block centred on <paramref name="centre"/>, by the method that suits d (the transposed
    /// block's rows may be shifted: there the same centre is <paramref name="blockCentre"/>).
    /// </summary>
    private static void AddSecondMoments(Scratch s, ReadOnlySpan<double> rows, int start, int nb, int m, int d, ReadOnlySpan<double> centre,
        ReadOnlySpan<double> blockCentre, int offset)
    {
        int weightRows = (d + 7) & ~7;
        var target = s.Second.AsSpan(offset, weightRows * s.RowWidth);
        if (d <= SmallFeatureCount)
        {
            AddUpperDotProducts(s.W, s.Xt, blockCentre, d, s.RowWidth, m, target);
        }
        else if (d == s.RowWidth)
        {
            // Rows are whole vectors: centre them as the tiles load them, no copy.
            AddUpperProducts<CentredOnLoad>(s.W, rows.Slice(start * d, nb * d), centre, d, s.RowWidth, nb, target);
        }
        else
        {
            CentreRowMajor(rows.Slice(start * d, nb * d), centre, nb, d, s.RowWidth, s.Rm);
            AddUpperProducts<AlreadyCentred>(s.W, s.Rm, default, d, s.RowWidth, m, target);
        }
    }

    /// <summary>total[i] += r[i] for the block's rows.</summary>
    private static void AddTo(Span<double> r, double[] total, int m)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double tr = ref MemoryMarshal.GetArrayDataReference(total);
        for (int i = 0; i < m; i += TOps.Count)
            TOps.Store(TOps.Add(TOps.Load(ref tr, (nuint)i), TOps.Load(ref rr, (nuint)i)), ref tr, (nuint)i);
    }

    /// <summary>
    /// Tied: the chunk's pass gave A = Σ_i (Σ_j r_ij)(x_i − c)(x_i − c)ᵀ around the common centre c. The
    /// statistic is Σ_j Σ_i r_ij (x_i − μ_j)(x_i − μ_j)ᵀ = A − Σ_j (δ_j f_jᵀ + f_j δ_jᵀ + N_j δ_j δ_jᵀ) with
    /// δ_j = μ_j − c, f_j = Σ_i r_ij (x_i − μ_j) and N_j = Σ_i r_ij (expand (x − c) − δ_j). One pass costs
    /// d²/2 per row instead of k·d²/2. c is the mixture's mean, so δ_j is the spread of the means and the
    /// cancellation costs about ε·|δ|²/σ² relative (1e-14 for means 10σ apart).
    /// </summary>
    private static void TiedCorrection(GaussianParameters p, ReadOnlySpan<double> centre, Scratch s)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var delta = s.Discard;
        for (int j = 0; j < k; j++)
        {
            var mean = p.MeanOf(j);
            for (int a = 0; a < d; a++)
                delta[a] = mean[a] - centre[a];
            var f = s.ChunkFirst.AsSpan(j * d, d);
            double count = s.ChunkCounts[j];
            for (int a = 0; a < d; a++)
            {
                var row = s.Second.AsSpan(a * s.RowWidth, d);
                for (int b = a; b < d; b++)
                    row[b] -= (delta[a] * f[b]) + (f[a] * delta[b]) + (count * delta[a] * delta[b]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, d = p.FeatureCount;
        double total = 0;
        for (int start = 0; start < n; start += BlockRows)
        {
            total += LoadBlock(p, rows, start, n, s, responsibilities: false, out int nb, out _);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double MostProbable(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, w = TOps.Count;
        ref double logP = ref MemoryMarshal.GetArrayDataReference(s.LogP);
        ref double norm0 = ref MemoryMarshal.GetArrayDataReference(s.Norm);
        Span<double> lanes = stackalloc double[w];
        ref double lane0 = ref MemoryMarshal.GetReference(lanes);
        double total = 0;
        for (int start = 0; start < n; start += BlockRows)
        {
            total += LoadBlock(p, rows, start, n, s, responsibilities: false, out int nb, out _);
            if (!logNorm.IsEmpty)
                s.Norm.AsSpan(0, nb).CopyTo(logNorm.Slice(start, nb));
            // Lanes are rows. log r_ij = LogP[j, i] − norm_i, the subtraction LogResponsibilities makes,
            // and a strict > as MostProbable's: the same label, ties included.
            for (int i = 0; i < nb; i += w)
            {
                var norm = TOps.Load(ref norm0, (nuint)i);
                var best = TOps.Subtract(TOps.Load(ref logP, (nuint)i), norm);
                var label = TOps.Broadcast(LaneLabels.Offset);
                for (int j = 1; j < k; j++)
                {
                    var value = TOps.Subtract(TOps.Load(ref logP, (nuint)((j * BlockRows) + i)), norm);
                    label = TOps.SelectGreater(value, best, TOps.Broadcast(LaneLabels.Offset + j), label);
                    best = TOps.SelectGreater(value, best, value, best);
                }
                TOps.Store(label, ref lane0, 0);
                int rowsHere = Math.Min(w, nb - i);
                for (int r = 0; r < rowsHere; r++)
                    labels[start + i + r] = LaneLabels.Read(lanes[r]);
            }
        }
        return total;
    }

    /// <summary>
    /// The part of a block both passes share: transpose rows [start, start + nb), weighted
    /// log-densities, log-sum-exp (and, when asked, the responsibilities in LogP). Returns the
    /// block's Σ log p(x_i).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double LoadBlock(GaussianParameters p, ReadOnlySpan<double> rows, int start, int n, Scratch s, bool responsibilities, out int nb, out int m)
    {
        int d = p.FeatureCount;
        nb = Math.Min(BlockRows, n - start);
        m = RoundUp(nb);
        // Diagonal in the expanded form works on rows shifted by the mixture's mean.
        var shift = DiagonalExpanded(p) ? DiagonalFactors(p).AsSpan(0, d) : FullShifted(p) ? FullCentre(p) : default;
        Transpose(rows.Slice(start * d, nb * d), nb, m, d, shift, s.Xt);
        int next = start + nb;
        s.Next.Start(next < n ? rows.Slice(next * d, Math.Min(BlockRows, n - next) * d) : default);
        LogDensities(p, s, m);
        return Normalise(s, p.ComponentCount, nb, m, responsibilities);
    }

    /// <summary>
    /// Feature-major copy, less <paramref name="centre"/> when one is given; rows past <paramref name="nb"/>
    /// repeat the last row so every lane stays finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(ReadOnlySpan<double> rows, int nb, int m, int d, ReadOnlySpan<double> centre, double[] xt)
    {
        // Whole W×W squares (W rows by W features) by register shuffles; scalar copies for the
        // features past the last square, and for the rows of the last partial group of W.
        int w = TOps.Count;
        int squareRows = d >= w ? nb / w * w : 0;
        int squareFeatures = d / w * w;
        bool shifted = !centre.IsEmpty;
        ref double source = ref MemoryMarshal.GetReference(rows);
        ref double target = ref MemoryMarshal.GetArrayDataReference(xt);
        for (int i = 0; i < squareRows; i += w)
        {
            for (int a = 0; a < squareFeatures; a += w)
            {
                var shift = shifted ? TOps.Load(ref MemoryMarshal.GetReference(centre), (nuint)a) : TOps.Zero;
                TOps.TransposeSquare(ref Unsafe.Add(ref source, (i * d) + a), (nuint)d, ref Unsafe.Add(ref target, (a * BlockRows) + i), Stride, shift);
            }
            for (int r = i; r < i + w; r++)
            {
                var row = rows.Slice(r * d, d);
                for (int a = squareFeatures; a < d; a++)
                    xt[(a * BlockRows) + r] = row[a] - (shifted ? centre[a] : 0);
            }
        }
        for (int i = squareRows; i < m; i++)
        {
            var row = rows.Slice(Math.Min(i, nb - 1) * d, d);
            for (int a = 0; a < d; a++)
                xt[(a * BlockRows) + i] = row[a] - (shifted ? centre[a] : 0);
        }
    }

    /// <summary>log w_j + log N(x_i | μ_j, Σ_j) into LogP[j, i] for the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogDensities(GaussianParameters p, Scratch s, int m)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var structure = p.Structure;
        double baseConstant = -0.5 * d * Log2Pi;
        Span<double> halves = stackalloc double[k];
        Span<double> constants = stackalloc double[k];
        for (int j = 0; j < k; j++)
            constants[j] = baseConstant + p.LogDetPrecisionCholesky[j] + p.LogWeights[j];
        if (structure.Storage != CovarianceStorage.Full)
        {
            bool spherical = structure.Storage == CovarianceStorage.Scalar;
            double[] scales = p.PrecisionCholeskyValues; // σ⁻¹ per component and feature, or per component (spherical)
            // Spherical keeps Σ (x − μ)² and folds its precision into the factor of ½.
            for (int j = 0; j < k; j++)
                halves[j] = spherical ? -0.5 * scales[j] * scales[j] : -0.5;
            if (DiagonalExpanded(p))
            {
                ExpandedLogDensities(s.Xt, DiagonalFactors(p), halves, constants, k, d, m, s.LogP, s.Next);
                return;
            }
            SquaredDistanceLogDensities(s.Xt, p.Means, spherical ? null : scales, halves, constants, d, m, s.LogP);
            return;
        }
        double[] factors = PaddedFactors(p);
        int dp = PaddedFeatures(d);
        if (TiedSinglePass(p))
        {
            // One factor for all: y = (x − c)U once per row, then q_j = ‖y − (μ_j − c)U‖² costs d per component.
            Centre(s.Xt, factors.AsSpan(d * dp, d), d, m, s.D);
            TriangularProduct(s.D, factors.AsSpan(0, d * dp), d, dp, m, s.W);
            halves.Fill(-0.5);
            SquaredDistanceLogDensities(s.W, factors.AsSpan((d * dp) + d, k * d), null, halves, constants, d, m, s.LogP);
            return;
        }
        // Full (and tied far from the origin): q = ‖(x − μ_j)U_j‖² through the triangular product, then c_j − ½q;
        // full on shifted rows takes (x − c)U − (μ_j − c)U, without centring the block on each mean.
        var half = TOps.Broadcast(-0.5);
        bool shifted = FullShifted(p);
        for (int j = 0; j < k; j++)
        {
            var logP = s.LogP.AsSpan(j * BlockRows, m);
            if (!shifted)
                Centre(s.Xt, p.MeanOf(j), d, m, s.D);
            TriangularQuadraticForm(shifted ? s.Xt : s.D, factors.AsSpan(structure.IsShared ? 0 : j * d * dp, d * dp),
                shifted ? FullShift(p, j) : default, d, dp, m, logP);
            var c = TOps.Broadcast(constants[j]);
            ref double lp = ref MemoryMarshal.GetReference(logP);
            for (int i = 0; i < m; i += TOps.Count)
                TOps.Store(TOps.MultiplyAdd(half, TOps.Load(ref lp, (nuint)i), c), ref lp, (nuint)i);
        }
    }

    /// <summary>
    /// LogP[j, i] = constants_j + halves_j·Σ_a ((x_ia − μ_ja)·σ⁻¹_ja)² (no σ⁻¹ when <paramref name="scales"/>
    /// is null) with rows outermost, so a pair of row vectors (d cache lines of the feature-major block)
    /// stays in L1 while every component reads it; component by component, the whole block would be
    /// read k times. Diagonal, spherical, and tied in the space of its factor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SquaredDistanceLogDensities(double[] xt, ReadOnlySpan<double> means, double[]? scales, ReadOnlySpan<double> halves, ReadOnlySpan<double> constants, int d, int m, double[] logP)
    {
        int k = halves.Length;
        bool scaled = scales is not null;
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double lp = ref MemoryMarshal.GetArrayDataReference(logP);
        ref double mu = ref MemoryMarshal.GetReference(means);
        ref double sc = ref scaled ? ref MemoryMarshal.GetArrayDataReference(scales!) : ref mu;
        int w = TOps.Count;
        for (int i = 0; i < m; i += 2 * w)
        {
            for (int j = 0; j < k; j++)
            {
                // Even and odd features in separate sums: four independent chains of FMAs.
                TVector acc0 = TOps.Zero, acc1 = TOps.Zero, odd0 = TOps.Zero, odd1 = TOps.Zero;
                nuint jd = (nuint)(j * d);
                int a = 0;
                for (; a + 1 < d; a += 2)
                {
                    var (t0, t1) = ScaledDifferences(ref x, ref mu, ref sc, jd, a, i, scaled);
                    var (u0, u1) = ScaledDifferences(ref x, ref mu, ref sc, jd, a + 1, i, scaled);
                    acc0 = TOps.MultiplyAdd(t0, t0, acc0);
                    acc1 = TOps.MultiplyAdd(t1, t1, acc1);
                    odd0 = TOps.MultiplyAdd(u0, u0, odd0);
                    odd1 = TOps.MultiplyAdd(u1, u1, odd1);
                }
                if (a < d)
                {
                    var (t0, t1) = ScaledDifferences(ref x, ref mu, ref sc, jd, a, i, scaled);
                    acc0 = TOps.MultiplyAdd(t0, t0, acc0);
                    acc1 = TOps.MultiplyAdd(t1, t1, acc1);
                }
                acc0 = TOps.Add(acc0, odd0);
                acc1 = TOps.Add(acc1, odd1);
                var half = TOps.Broadcast(halves[j]);
                var c = TOps.Broadcast(constants[j]);
                nuint target = (nuint)((j * BlockRows) + i);
                TOps.Store(TOps.MultiplyAdd(half, acc0, c), ref lp, target);
                TOps.Store(TOps.MultiplyAdd(half, acc1, c), ref lp, target + (nuint)w);
            }
        }
    }

    /// <summary>(x_ia − μ_ja)·σ⁻¹_ja for the two row vectors at <paramref name="i"/> (unscaled unless <paramref name="scaled"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TVector, TVector) ScaledDifferences(ref double x, ref double mu, ref double sc, nuint jd, int a, int i, bool scaled)
    {
        var mean = TOps.Broadcast(Unsafe.Add(ref mu, jd + (nuint)a));
        nuint at = (nuint)((a * BlockRows) + i);
        var t0 = TOps.Subtract(TOps.Load(ref x, at), mean);
        var t1 = TOps.Subtract(TOps.Load(ref x, at + (nuint)TOps.Count), mean);
        if (scaled)
        {
            var inverseSd = TOps.Broadcast(Unsafe.Add(ref sc, jd + (nuint)a));
            t0 = TOps.Multiply(t0, inverseSd);
            t1 = TOps.Multiply(t1, inverseSd);
        }
        return (t0, t1);
    }

    /// <summary>
    /// U padded to d × dp (zeros right of column d) for every component; computed once per parameter
    /// set. Tied adds the common centre c = Σ_j w_j μ_j (d) and (μ_j − c)U for every component (k × d);
    /// full adds c, μ_j − c (k × d) and (μ_j − c)U_j padded (k × dp).
    /// </summary>
    private static double[] PaddedFactors(GaussianParameters p) => GeneralPlanOf(p).Values;

    private static GeneralPlan GeneralPlanOf(GaussianParameters p) => p.GetOrCreateKernelPlan(static q =>
    {
        int d = q.FeatureCount, dp = PaddedFeatures(d), k = q.ComponentCount;
        bool tied = q.Structure.IsShared;
        int count = tied ? 1 : k;
        int extra = tied ? d + (k * d) : d + (k * d) + (k * dp);
        var padded = new double[(count * d * dp) + extra];
        for (int j = 0; j < count; j++)
            for (int a = 0; a < d; a++)
                q.PrecisionCholeskyValues.AsSpan((j * d * d) + (a * d), d).CopyTo(padded.AsSpan((j * d * dp) + (a * dp), d));
        if (!tied)
        {
            // Full: c, δ_j = μ_j − c, (μ_j − c)U_j padded to dp, and whether the shifted form is accurate.
            var centre = padded.AsSpan(k * d * dp, d);
            for (int j = 0; j < k; j++)
                for (int a = 0; a < d; a++)
                    centre[a] += q.Weights[j] * q.Means[(j * d) + a];
            var delta = padded.AsSpan((k * d * dp) + d, k * d);
            var shifts = padded.AsSpan((k * d * dp) + d + (k * d), k * dp);
            var u = q.PrecisionCholeskyValues;
            double largest = 0;
            for (int j = 0; j < k; j++)
            {
                for (int a = 0; a < d; a++)
                    delta[(j * d) + a] = q.Means[(j * d) + a] - centre[a];
                double norm = 0;
                for (int b = 0; b < d; b++)
                {
                    double sum = 0;
                    for (int a = 0; a <= b; a++)
                        sum += delta[(j * d) + a] * u[(j * d * d) + (a * d) + b];
                    shifts[(j * dp) + b] = sum;
                    norm += sum * sum;
                }
                largest = Math.Max(largest, norm);
            }
            return new GeneralPlan(padded, largest <= FullShiftLimit);
        }
        {
            var centre = padded.AsSpan(d * dp, d);
            for (int j = 0; j < k; j++)
                for (int a = 0; a < d; a++)
                    centre[a] += q.Weights[j] * q.Means[(j * d) + a];
            var shifted = padded.AsSpan((d * dp) + d, k * d);
            var u = q.PrecisionCholeskyValues;
            for (int j = 0; j < k; j++)
            {
                for (int b = 0; b < d; b++)
                {
                    double sum = 0;
                    for (int a = 0; a <= b; a++)
                        sum += (q.Means[(j * d) + a] - centre[a]) * u[(a * d) + b];
                    shifted[(j * d) + b] = sum;
                }
            }
            return new GeneralPlan(padded, SinglePassIsAccurate(q, centre));
        }
    });

    /// <summary>
    /// Whether the tied single pass around c keeps its cancellation error below ~2e-13 relative: rows
    /// are rounded to ulp(|c|) before the subtraction, so the second moments around c carry an error of
    /// about ε·(|c| + R)·R per row against a result of σ²_min, R being the largest |μ_ja − c_a|. Far
    /// from the origin with well separated means (1e6 away, means 80σ apart: 1e-8), the per-component
    /// pass is used instead. The choice depends on the parameters alone, not on threads.
    /// </summary>
    private static bool SinglePassIsAccurate(GaussianParameters q, ReadOnlySpan<double> centre)
    {
        int d = q.FeatureCount, k = q.ComponentCount;
        double spread = 0, scale = 0, smallestVariance = double.PositiveInfinity;
        for (int a = 0; a < d; a++)
        {
            scale = Math.Max(scale, Math.Abs(centre[a]));
            smallestVariance = Math.Min(smallestVariance, q.Covariances[(a * d) + a]);
            for (int j = 0; j < k; j++)
                spread = Math.Max(spread, Math.Abs(q.Means[(j * d) + a] - centre[a]));
        }
        return (scale + spread) * spread <= 1e3 * smallestVariance;
    }

    /// <summary>
    /// The largest ‖(μ_j − c)U_j‖² (the squared Mahalanobis distance of a mean from the mixture's mean c
    /// under its own covariance) for which the full quadratic form runs on rows shifted by c:
    /// y = (x − c)U − (μ − c)U cancels about ε·‖(μ − c)U‖ of y, so q keeps ~1e-13 relative or better.
    /// Beyond (means more than 100σ from c), the rows are centred on each mean first.
    /// </summary>
    private const double FullShiftLimit = 1e4;

    /// <summary>
    /// Full: the block's rows are transposed shifted by the mixture's mean c, and q = ‖(x − c)U − (μ − c)U‖²
    /// needs no pass that centres the block on each mean (where accurate, see <see cref="FullShiftLimit"/>).
    /// </summary>
    private static bool FullShifted(GaussianParameters p) => p.Structure is { Storage: CovarianceStorage.Full, IsShared: false } && GeneralPlanOf(p).Accurate;

    /// <summary>Full: c (d values).</summary>
    private static ReadOnlySpan<double> FullCentre(GaussianParameters p) =>
        PaddedFactors(p).AsSpan(p.ComponentCount * p.FeatureCount * PaddedFeatures(p.FeatureCount), p.FeatureCount);

    /// <summary>Full: μ_j − c (d values), the mean of component j in the shifted rows.</summary>
    private static ReadOnlySpan<double> FullDelta(GaussianParameters p, int j)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        return PaddedFactors(p).AsSpan((k * d * PaddedFeatures(d)) + d + (j * d), d);
    }

    /// <summary>Full: (μ_j − c)U_j (dp values).</summary>
    private static ReadOnlySpan<double> FullShift(GaussianParameters p, int j)
    {
        int k = p.ComponentCount, d = p.FeatureCount, dp = PaddedFeatures(d);
        return PaddedFactors(p).AsSpan((k * d * dp) + d + (k * d) + (j * dp), dp);
    }

    /// <summary>Tied: whether this parameter set takes the single pass around the mixture's mean (see <see cref="SinglePassIsAccurate"/>).</summary>
    private static bool TiedSinglePass(GaussianParameters p) => p.Structure is { Storage: CovarianceStorage.Full, IsShared: true } && GeneralPlanOf(p).Accurate;

    /// <summary>D[a, i] = Xt[a, i] − μ_a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Centre(double[] xt, ReadOnlySpan<double> mean, int d, int m, double[] dOut)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double o = ref MemoryMarshal.GetArrayDataReference(dOut);
        for (int a = 0; a < d; a++)
        {
            var mu = TOps.Broadcast(mean[a]);
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += TOps.Count)
                TOps.Store(TOps.Subtract(TOps.Load(ref x, row + (nuint)i), mu), ref o, row + (nuint)i);
        }
    }

    /// <summary>
    /// One register tile of (D·U): columns b0..b0+3 for the two row vectors at i, a00..a03 for the first
    /// and a10..a13 for the second: Σ_{a ≤ min(b0 + 3, d − 1)} D[a, ·]·U[a, b] (U is zero below its diagonal).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TriangularTile(ref double dr, ref double ur, int i, int b0, int d, int dp,
        out TVector a00, out TVector a01, out TVector a02, out TVector a03, out TVector a10, out TVector a11, out TVector a12, out TVector a13)
    {
        int w = TOps.Count;
        a00 = TOps.Zero; a01 = TOps.Zero; a02 = TOps.Zero; a03 = TOps.Zero;
        a10 = TOps.Zero; a11 = TOps.Zero; a12 = TOps.Zero; a13 = TOps.Zero;
        int last = Math.Min(b0 + 4, d);
        nuint at = (nuint)i, ua = (nuint)b0; // running offsets: no multiplication in the loop
        for (int a = 0; a < last; a++, at += Stride, ua += (nuint)dp)
        {
            var x0 = TOps.Load(ref dr, at);
            var x1 = TOps.Load(ref dr, at + (nuint)w);
            var u0 = TOps.Broadcast(Unsafe.Add(ref ur, ua));
            var u1 = TOps.Broadcast(Unsafe.Add(ref ur, ua + 1));
            var u2 = TOps.Broadcast(Unsafe.Add(ref ur, ua + 2));
            var u3 = TOps.Broadcast(Unsafe.Add(ref ur, ua + 3));
            MultiplyAddColumns(x0, u0, u1, u2, u3, ref a00, ref a01, ref a02, ref a03);
            MultiplyAddColumns(x1, u0, u1, u2, u3, ref a10, ref a11, ref a12, ref a13);
        }
    }

    /// <summary>One row vector of a register tile: a_c += x·u_c for four columns c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAddColumns(TVector x, TVector u0, TVector u1, TVector u2, TVector u3,
        ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
    {
        a0 = TOps.MultiplyAdd(x, u0, a0);
        a1 = TOps.MultiplyAdd(x, u1, a1);
        a2 = TOps.MultiplyAdd(x, u2, a2);
        a3 = TOps.MultiplyAdd(x, u3, a3);
    }

    /// <summary>
    /// q_i = Σ_b (Σ_{a≤b} D[a, i]·U[a, b])²: 4 row vectors × 4 columns of U per register tile (16
    /// independent FMA chains; each step loads 4 row vectors and broadcasts 4 values of U for 16 FMAs),
    /// and the 2 × 4 tile of <see cref="TriangularTile"/> for a last pair of row vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TriangularQuadraticForm(double[] dm, ReadOnlySpan<double> u, ReadOnlySpan<double> shift, int d, int dp, int m, Span<double> q)
    {
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref double ur = ref MemoryMarshal.GetReference(u);
        ref double qr = ref MemoryMarshal.GetReference(q);
        bool shifted = !shift.IsEmpty;
        int w = TOps.Count;
        int i = 0;
        for (; i + (4 * w) <= m; i += 4 * w)
        {
            TVector q0 = TOps.Zero, q1 = TOps.Zero, q2 = TOps.Zero, q3 = TOps.Zero;
            for (int b0 = 0; b0 < d; b0 += 4)
            {
                TVector a00 = TOps.Zero, a01 = TOps.Zero, a02 = TOps.Zero, a03 = TOps.Zero;
                TVector a10 = TOps.Zero, a11 = TOps.Zero, a12 = TOps.Zero, a13 = TOps.Zero;
                TVector a20 = TOps.Zero, a21 = TOps.Zero, a22 = TOps.Zero, a23 = TOps.Zero;
                TVector a30 = TOps.Zero, a31 = TOps.Zero, a32 = TOps.Zero, a33 = TOps.Zero;
                int last = Math.Min(b0 + 4, d);
                ref double xa = ref Unsafe.Add(ref dr, i);
                ref double ua = ref Unsafe.Add(ref ur, b0);
                for (int a = 0; a < last; a++)
                {
                    var x0 = TOps.Load(ref xa, 0);
                    var x1 = TOps.Load(ref xa, (nuint)w);
                    var x2 = TOps.Load(ref xa, (nuint)(2 * w));
                    var x3 = TOps.Load(ref xa, (nuint)(3 * w));
                    var u0 = TOps.Broadcast(ua);
                    var u1 = TOps.Broadcast(Unsafe.Add(ref ua, 1));
                    var u2 = TOps.Broadcast(Unsafe.Add(ref ua, 2));
                    var u3 = TOps.Broadcast(Unsafe.Add(ref ua, 3));
                    MultiplyAddColumns(x0, u0, u1, u2, u3, ref a00, ref a01, ref a02, ref a03);
                    MultiplyAddColumns(x1, u0, u1, u2, u3, ref a10, ref a11, ref a12, ref a13);
                    MultiplyAddColumns(x2, u0, u1, u2, u3, ref a20, ref a21, ref a22, ref a23);
                    MultiplyAddColumns(x3, u0, u1, u2, u3, ref a30, ref a31, ref a32, ref a33);
                    xa = ref Unsafe.Add(ref xa, BlockRows);
                    ua = ref Unsafe.Add(ref ua, dp);
                }
                if (shifted)
                {
                    BroadcastShift(shift, b0, out var s0, out var s1, out var s2, out var s3);
                    SubtractColumns(s0, s1, s2, s3, ref a00, ref a01, ref a02, ref a03);
                    SubtractColumns(s0, s1, s2, s3, ref a10, ref a11, ref a12, ref a13);
                    SubtractColumns(s0, s1, s2, s3, ref a20, ref a21, ref a22, ref a23);
                    SubtractColumns(s0, s1, s2, s3, ref a30, ref a31, ref a32, ref a33);
                }
                q0 = SumOfSquares(q0, a00, a01, a02, a03);
                q1 = SumOfSquares(q1, a10, a11, a12, a13);
                q2 = SumOfSquares(q2, a20, a21, a22, a23);
                q3 = SumOfSquares(q3, a30, a31, a32, a33);
            }
            TOps.Store(q0, ref qr, (nuint)i);
            TOps.Store(q1, ref qr, (nuint)(i + w));
            TOps.Store(q2, ref qr, (nuint)(i + (2 * w)));
            TOps.Store(q3, ref qr, (nuint)(i + (3 * w)));
        }
        for (; i < m; i += 2 * w)
        {
            var q0 = TOps.Zero;
            var q1 = TOps.Zero;
            for (int b0 = 0; b0 < d; b0 += 4)
            {
                TriangularTile(ref dr, ref ur, i, b0, d, dp,
                    out var a00, out var a01, out var a02, out var a03, out var a10, out var a11, out var a12, out var a13);
                if (shifted)
                {
                    BroadcastShift(shift, b0, out var s0, out var s1, out var s2, out var s3);
                    SubtractColumns(s0, s1, s2, s3, ref a00, ref a01, ref a02, ref a03);
                    SubtractColumns(s0, s1, s2, s3, ref a10, ref a11, ref a12, ref a13);
                }
                q0 = SumOfSquares(q0, a00, a01, a02, a03);
                q1 = SumOfSquares(q1, a10, a11, a12, a13);
            }
            TOps.Store(q0, ref qr, (nuint)i);
            TOps.Store(q1, ref qr, (nuint)(i + w));
        }
    }

    /// <summary>The shifted mean's (μ − c)U at columns b0 … b0 + 3, broadcast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BroadcastShift(ReadOnlySpan<double> shift, int b0, out TVector s0, out TVector s1, out TVector s2, out TVector s3)
    {
        s0 = TOps.Broadcast(shift[b0]);
        s1 = TOps.Broadcast(shift[b0 + 1]);
        s2 = TOps.Broadcast(shift[b0 + 2]);
        s3 = TOps.Broadcast(shift[b0 + 3]);
    }

    /// <summary>One row vector of a register tile: a_c −= s_c for four columns c (the shifted mean's (μ − c)U).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractColumns(TVector s0, TVector s1, TVector s2, TVector s3, ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3)
    {
        a0 = TOps.Subtract(a0, s0);
        a1 = TOps.Subtract(a1, s1);
        a2 = TOps.Subtract(a2, s2);
        a3 = TOps.Subtract(a3, s3);
    }

    /// <summary>q + a² + b² + c² + e², in that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector SumOfSquares(TVector q, TVector a, TVector b, TVector c, TVector e) =>
        TOps.MultiplyAdd(e, e, TOps.MultiplyAdd(c, c, TOps.MultiplyAdd(b, b, TOps.MultiplyAdd(a, a, q))));

    /// <summary>Y[b, i] = Σ_{a≤b} D[a, i]·U[a, b] (feature-major, dp rows; rows past d are zero), 2 row vectors × 4 columns per tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TriangularProduct(double[] dm, ReadOnlySpan<double> u, int d, int dp, int m, double[] y)
    {
        ref double dr = ref MemoryMarshal.GetArrayDataReference(dm);
        ref double ur = ref MemoryMarshal.GetReference(u);
        ref double yr = ref MemoryMarshal.GetArrayDataReference(y);
        int w = TOps.Count;
        for (int i = 0; i < m; i += 2 * w)
        {
            for (int b0 = 0; b0 < d; b0 += 4)
            {
                TriangularTile(ref dr, ref ur, i, b0, d, dp,
                    out var a00, out var a01, out var a02, out var a03, out var a10, out var a11, out var a12, out var a13);
                nuint row = (nuint)((b0 * BlockRows) + i);
                TOps.Store(a00, ref yr, row);
                TOps.Store(a10, ref yr, row + (nuint)w);
                TOps.Store(a01, ref yr, row + Stride);
                TOps.Store(a11, ref yr, row + Stride + (nuint)w);
                TOps.Store(a02, ref yr, row + (2 * Stride));
                TOps.Store(a12, ref yr, row + (2 * Stride) + (nuint)w);
                TOps.Store(a03, ref yr, row + (3 * Stride));
                TOps.Store(a13, ref yr, row + (3 * Stride) + (nuint)w);
            }
        }
    }

    /// <summary>
    /// Row-wise log-sum-exp over components into Norm; returns Σ of the first <paramref name="nb"/>
    /// norms. With <paramref name="responsibilities"/>, LogP is replaced by r = exp(log p − max)/Σ,
    /// reusing the exponentials of the sum (one exp per row and component instead of two).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Normalise(Scratch s, int k, int nb, int m, bool responsibilities)
    {
        ref double lp = ref MemoryMarshal.GetArrayDataReference(s.LogP);
        ref double nr = ref MemoryMarshal.GetArrayDataReference(s.Norm);
        var negativeInfinity = TOps.Broadcast(double.NegativeInfinity);
        var floor = TOps.Broadcast(SmallestExponent);
        var one = TOps.Broadcast(1.0);
        int w = TOps.Count;
        // Two row vectors per step: the two exponentials of each component are independent, so the
        // out-of-order core overlaps their polynomial chains.
        for (int i = 0; i < m; i += 2 * w)
        {
            s.Next.Issue(8);
            TVector max0 = negativeInfinity, max1 = negativeInfinity;
            for (int j = 0; j < k; j++)
            {
                nuint at = (nuint)((j * BlockRows) + i);
                max0 = TOps.Max(max0, TOps.Load(ref lp, at));
                max1 = TOps.Max(max1, TOps.Load(ref lp, at + (nuint)w));
            }
            // A row no component can explain has max = −∞; keep it from becoming NaN (−∞ − −∞).
            max0 = TOps.ZeroWhereNegativeInfinity(max0);
            max1 = TOps.ZeroWhereNegativeInfinity(max1);
            TVector sum0 = TOps.Zero, sum1 = TOps.Zero;
            for (int j = 0; j < k; j++)
            {
                nuint at = (nuint)((j * BlockRows) + i);
                var exponent0 = TOps.Subtract(TOps.Load(ref lp, at), max0);
                var exponent1 = TOps.Subtract(TOps.Load(ref lp, at + (nuint)w), max1);
                var e0 = VectorMath<TVector, TOps>.Exp(TOps.Max(exponent0, floor));
                var e1 = VectorMath<TVector, TOps>.Exp(TOps.Max(exponent1, floor));
                sum0 = TOps.Add(sum0, e0);
                sum1 = TOps.Add(sum1, e1);
                if (responsibilities)
                {
                    TOps.Store(TOps.ZeroWhereLess(exponent0, floor, e0), ref lp, at);
                    TOps.Store(TOps.ZeroWhereLess(exponent1, floor, e1), ref lp, at + (nuint)w);
                }
            }
            TOps.Store(TOps.Add(max0, VectorMath<TVector, TOps>.Log(sum0)), ref nr, (nuint)i);
            TOps.Store(TOps.Add(max1, VectorMath<TVector, TOps>.Log(sum1)), ref nr, (nuint)(i + w));
            if (responsibilities)
            {
                var inverse0 = TOps.Divide(one, sum0);
                var inverse1 = TOps.Divide(one, sum1);
                for (int j = 0; j < k; j++)
                {
                    nuint at = (nuint)((j * BlockRows) + i);
                    TOps.Store(TOps.Multiply(TOps.Load(ref lp, at), inverse0), ref lp, at);
                    TOps.Store(TOps.Multiply(TOps.Load(ref lp, at + (nuint)w), inverse1), ref lp, at + (nuint)w);
                }
            }
        }
        // Σ of the block's norms: in lanes for whole row vectors (no chain of 128 dependent adds), then the rest in order.
        int whole = nb / w * w;
        TVector lanes = TOps.Zero;
        for (int i = 0; i < whole; i += w)
            lanes = TOps.Add(lanes, TOps.Load(ref nr, (nuint)i));
        double total = TOps.Sum(lanes);
        for (int i = whole; i < nb; i++)
            total += s.Norm[i];
        return total;
    }

    /// <summary>
    /// Multiplies the block's responsibilities by the row weights and returns Σ w_i·log p(x_i) in row
    /// order; a row of weight 0 adds nothing, even when no component can explain it (0·−∞).
    /// </summary>
    private static double WeightBlock(Scratch s, int k, ReadOnlySpan<double> weights)
    {
        int nb = weights.Length;
        for (int j = 0; j < k; j++)
        {
            var r = s.LogP.AsSpan(j * BlockRows, nb);
            for (int i = 0; i < nb; i++)
                r[i] *= weights[i];
        }
        return Engine.Passes.WeightedSum(s.Norm.AsSpan(0, nb), weights);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumRows(Span<double> r, int m)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        TVector acc0 = TOps.Zero, acc1 = TOps.Zero;
        for (int i = 0; i < m; i += 2 * TOps.Count)
        {
            acc0 = TOps.Add(acc0, TOps.Load(ref rr, (nuint)i));
            acc1 = TOps.Add(acc1, TOps.Load(ref rr, (nuint)(i + TOps.Count)));
        }
        return TOps.Sum(TOps.Add(acc0, acc1));
    }

    /// <summary>(r·D)[a, i] = r_i·(Xt[a, i] − μ_a) into <paramref name="w"/> (unless null) and Σ_i of it into <paramref name="sx"/>, in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightAndFirstMoment(Span<double> r, double[] xt, ReadOnlySpan<double> mean, int d, int m, double[]? w, Span<double> sx)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double xr = ref MemoryMarshal.GetArrayDataReference(xt);
        bool store = w is not null;
        ref double wr = ref store ? ref MemoryMarshal.GetArrayDataReference(w!) : ref rr;
        for (int a = 0; a < d; a++)
        {
            var mu = TOps.Broadcast(mean[a]);
            TVector acc0 = TOps.Zero, acc1 = TOps.Zero;
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += 2 * TOps.Count)
            {
                nuint i0 = row + (nuint)i, i1 = i0 + (nuint)TOps.Count;
                var v0 = TOps.Multiply(TOps.Load(ref rr, (nuint)i), TOps.Subtract(TOps.Load(ref xr, i0), mu));
                var v1 = TOps.Multiply(TOps.Load(ref rr, (nuint)(i + TOps.Count)), TOps.Subtract(TOps.Load(ref xr, i1), mu));
                if (store)
                {
                    TOps.Store(v0, ref wr, i0);
                    TOps.Store(v1, ref wr, i1);
                }
                acc0 = TOps.Add(acc0, v0);
                acc1 = TOps.Add(acc1, v1);
            }
            sx[a] += TOps.Sum(TOps.Add(acc0, acc1));
        }
    }

    /// <summary>
    /// Rm[i, a] = x_ia − μ_a, row-major with stride <paramref name="width"/>; padding columns stay
    /// zero and rows past <paramref name="nb"/> are zeroed (their weight is zero anyway).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CentreRowMajor(ReadOnlySpan<double> rows, ReadOnlySpan<double> mean, int nb, int d, int width, double[] rm)
    {
        int w = TOps.Count;
        int vectors = d / w * w;
        ref double x = ref MemoryMarshal.GetReference(rows);
        ref double mu = ref MemoryMarshal.GetReference(mean);
        ref double o = ref MemoryMarshal.GetArrayDataReference(rm);
        for (int i = 0; i < nb; i++)
        {
            nuint source = (nuint)(i * d), target = (nuint)(i * width);
            for (int a = 0; a < vectors; a += w)
                TOps.Store(TOps.Subtract(TOps.Load(ref x, source + (nuint)a), TOps.Load(ref mu, (nuint)a)), ref o, target + (nuint)a);
            for (int a = vectors; a < d; a++)
                Unsafe.Add(ref o, target + (nuint)a) = Unsafe.Add(ref x, source + (nuint)a) - Unsafe.Add(ref mu, (nuint)a);
        }
        rm.AsSpan(nb * width).Clear();
    }

    /// <summary>
    /// Adds the lanes of Σ_i r_i·(x_ia − μ_a) and Σ_i r_i·(x_ia − μ_a)² (diagonal and spherical
    /// statistics) to <paramref name="lanes"/> (first moments of features 0..d−1, then second), in one
    /// pass. Two row vectors per step: four independent sums, so the adds do not wait on each other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalMoments(Span<double> r, double[] xt, ReadOnlySpan<double> mean, int d, int m, Span<double> lanes)
    {
        ref double rr = ref MemoryMarshal.GetReference(r);
        ref double xr = ref MemoryMarshal.GetArrayDataReference(xt);
        ref double acc = ref MemoryMarshal.GetReference(lanes);
        int w = TOps.Count;
        for (int a = 0; a < d; a++)
        {
            var mu = TOps.Broadcast(mean[a]);
            TVector first0 = TOps.Zero, first1 = TOps.Zero, second0 = TOps.Zero, second1 = TOps.Zero;
            nuint row = (nuint)(a * BlockRows);
            for (int i = 0; i < m; i += 2 * w)
            {
                nuint i0 = (nuint)i, i1 = (nuint)(i + w);
                var e0 = TOps.Subtract(TOps.Load(ref xr, row + i0), mu);
                var e1 = TOps.Subtract(TOps.Load(ref xr, row + i1), mu);
                var v0 = TOps.Multiply(TOps.Load(ref rr, i0), e0);
                var v1 = TOps.Multiply(TOps.Load(ref rr, i1), e1);
                first0 = TOps.Add(first0, v0);
                first1 = TOps.Add(first1, v1);
                second0 = TOps.MultiplyAdd(v0, e0, second0);
                second1 = TOps.MultiplyAdd(v1, e1, second1);
            }
            nuint f = (nuint)(a * w), q = (nuint)((d + a) * w);
            TOps.Store(TOps.Add(TOps.Load(ref acc, f), TOps.Add(first0, first1)), ref acc, f);
            TOps.Store(TOps.Add(TOps.Load(ref acc, q), TOps.Add(second0, second1)), ref acc, q);
        }
    }

    /// <summary>The chunk's diagonal moment lanes, summed across lanes, into the statistics.</summary>
    private static void AddLanes(double[] moments, int k, int d, Span<double> sx, Span<double> second)
    {
        ref double acc = ref MemoryMarshal.GetArrayDataReference(moments);
        int w = TOps.Count;
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                sx[(j * d) + a] += TOps.Sum(TOps.Load(ref acc, (nuint)(((2 * j * d) + a) * w)));
                second[(j * d) + a] += TOps.Sum(TOps.Load(ref acc, (nuint)(((2 * j * d) + d + a) * w)));
            }
        }
    }

    /// <summary>
    /// Up to this many features the second moments are d(d+1)/2 dot products over the block's rows
    /// (<see cref="AddUpperDotProducts"/>); above, 8 × vector register tiles (<see cref="AddUpperProducts{TCentring}"/>),
    /// which compute 8 rows of the matrix at a time and so waste most of their work when d is small.
    /// </summary>
    internal const int SmallFeatureCount = 6;

    /// <summary>
    /// S[a, b] += Σ_i (r·D)[a, i]·(Xt[b, i] − μ_b) for a ≤ b, each a dot product across the block's
    /// rows in the feature-major arrays (lanes run over rows), two entries and two row vectors per pass, one horizontal
    /// sum per entry and block. Padding rows carry r = 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddUpperDotProducts(double[] w, double[] xt, ReadOnlySpan<double> mean, int d, int width, int m, Span<double> s)
    {
        ref double wr = ref MemoryMarshal.GetArrayDataReference(w);
        ref double xr = ref MemoryMarshal.GetArrayDataReference(xt);
        int lanes = TOps.Count;
        for (int b = 0; b < d; b++)
        {
            var mu = TOps.Broadcast(mean[b]);
            nuint xb = (nuint)(b * BlockRows);
            // Two entries (a, b) and (a + 1, b) per pass share the loads of column b: four independent sums.
            for (int a = 0; a <= b; a += 2)
            {
                bool pair = a + 1 <= b;
                nuint wa = (nuint)(a * BlockRows), wb = pair ? wa + Stride : wa;
                TVector acc0 = TOps.Zero, acc1 = TOps.Zero, next0 = TOps.Zero, next1 = TOps.Zero;
                for (int i = 0; i < m; i += 2 * lanes)
                {
                    nuint i0 = (nuint)i, i1 = (nuint)(i + lanes);
                    var x0 = TOps.Subtract(TOps.Load(ref xr, xb + i0), mu);
                    var x1 = TOps.Subtract(TOps.Load(ref xr, xb + i1), mu);
                    acc0 = TOps.MultiplyAdd(TOps.Load(ref wr, wa + i0), x0, acc0);
                    acc1 = TOps.MultiplyAdd(TOps.Load(ref wr, wa + i1), x1, acc1);
                    next0 = TOps.MultiplyAdd(TOps.Load(ref wr, wb + i0), x0, next0);
                    next1 = TOps.MultiplyAdd(TOps.Load(ref wr, wb + i1), x1, next1);
                }
                s[(a * width) + b] += TOps.Sum(TOps.Add(acc0, acc1));
                if (pair)
                    s[((a + 1) * width) + b] += TOps.Sum(TOps.Add(next0, next1));
            }
        }
    }

    /// <summary>
    /// S[a, b] += Σ_i (r·D)[a, i]·D[i, b] for the tiles on or above the diagonal: 8 rows a (broadcast
    /// from the feature-major weights) × one vector of columns b (loaded from the row-major centred
    /// rows) per register tile, summed over the block's rows. No horizontal sums, and a tile's data
    /// (8 weight rows, one column strip) stay in L1. Rows of W past d and columns past d are zero.
    /// </summary>
    /// <remarks>
    /// <paramref name="rm"/> holds the centred rows (stride <paramref name="width"/>;
    /// <see cref="AlreadyCentred"/>), or the raw rows when d = width, centred on <paramref name="mean"/>
    /// as they are loaded (<see cref="CentredOnLoad"/>; then <paramref name="m"/> is the block's real
    /// row count: padding rows weigh 0 anyway). The loop carries no address multiplications and no
    /// branch on the centring (the JIT had kept both in the loop: 20 instructions per 8 FMAs).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddUpperProducts<TCentring>(double[] w, ReadOnlySpan<double> rm, ReadOnlySpan<double> mean, int d, int width, int m, Span<double> s)
        where TCentring : struct, IRowCentring
    {
        ref double wr = ref MemoryMarshal.GetArrayDataReference(w);
        ref double xr = ref MemoryMarshal.GetReference(rm);
        ref double sr = ref MemoryMarshal.GetReference(s);
        int lanes = TOps.Count;
        nuint stride = (nuint)width;
        for (int a0 = 0; a0 < d; a0 += 8)
        {
            nuint w0 = (nuint)(a0 * BlockRows);
            for (int b0 = a0 / lanes * lanes; b0 < d; b0 += lanes)
            {
                // Even and odd rows into separate tiles: 16 independent FMA chains, summed at the end.
                TVector c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
                TVector c4 = TOps.Zero, c5 = TOps.Zero, c6 = TOps.Zero, c7 = TOps.Zero;
                TVector e0 = TOps.Zero, e1 = TOps.Zero, e2 = TOps.Zero, e3 = TOps.Zero;
                TVector e4 = TOps.Zero, e5 = TOps.Zero, e6 = TOps.Zero, e7 = TOps.Zero;
                nuint column = (nuint)b0;
                var mu = TCentring.Load(mean, column);
                nuint at = column;
                int i = 0;
                for (; i + 1 < m; i += 2, at += 2 * stride)
                {
                    var x = TCentring.Apply(TOps.Load(ref xr, at), mu);
                    var y = TCentring.Apply(TOps.Load(ref xr, at + stride), mu);
                    ref double wi = ref Unsafe.Add(ref wr, w0 + (nuint)i);
                    MultiplyAddWeightRows(ref wi, x, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
                    MultiplyAddWeightRows(ref Unsafe.Add(ref wi, 1), y, ref e0, ref e1, ref e2, ref e3, ref e4, ref e5, ref e6, ref e7);
                }
                if (i < m)
                {
                    var x = TCentring.Apply(TOps.Load(ref xr, at), mu);
                    ref double wi = ref Unsafe.Add(ref wr, w0 + (nuint)i);
                    MultiplyAddWeightRows(ref wi, x, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
                }
                nuint target = ((nuint)a0 * stride) + column;
                TOps.Store(TOps.Add(TOps.Load(ref sr, target), TOps.Add(c0, e0)), ref sr, target);
                TOps.Store(TOps.Add(TOps.Load(ref sr, target + stride), TOps.Add(c1, e1)), ref sr, target + stride);
                TOps.Store(TOps.Add(TOps.Load(ref sr, target + (2 * stride)), TOps.Add(c2, e2)), ref sr, target + (2 * stride));
                TOps.Store(TOps.Add(TOps.Load(ref sr, target + (3 * stride)), TOps.Add(c3, e3)), ref sr, target + (3 * stride));
                TOps.Store(TOps.Add(TOps.Load(ref sr, target + (4 * stride)), TOps.Add(c4, e4)), ref sr, target + (4 * stride));
                TOps.Store(TOps.Add(TOps.Load(ref sr, target + (5 * stride)), TOps.Add(c5, e5)), ref sr, target + (5 * stride));
                TOps.Store(TOps.Add(TOps.Load(ref sr, target + (6 * stride)), TOps.Add(c6, e6)), ref sr, target + (6 * stride));
                TOps.Store(TOps.Add(TOps.Load(ref sr, target + (7 * stride)), TOps.Add(c7, e7)), ref sr, target + (7 * stride));
            }
        }
    }

    /// <summary>One input row of a second-moment tile: c_r += W[a0 + r, i]·x for the tile's 8 rows (W feature-major, <paramref name="wi"/> at row a0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAddWeightRows(ref double wi, TVector x, ref TVector c0, ref TVector c1, ref TVector c2, ref TVector c3,
        ref TVector c4, ref TVector c5, ref TVector c6, ref TVector c7)
    {
        c0 = TOps.MultiplyAdd(TOps.Broadcast(wi), x, c0);
        c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref wi, BlockRows)), x, c1);
        c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref wi, 2 * BlockRows)), x, c2);
        c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref wi, 3 * BlockRows)), x, c3);
        c4 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref wi, 4 * BlockRows)), x, c4);
        c5 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref wi, 5 * BlockRows)), x, c5);
        c6 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref wi, 6 * BlockRows)), x, c6);
        c7 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref wi, 7 * BlockRows)), x, c7);
    }

    /// <summary>How <see cref="AddUpperProducts{TCentring}"/> treats the rows it loads: a type argument, so each variant's loop has no branch.</summary>
    private interface IRowCentring
    {
        static abstract TVector Load(ReadOnlySpan<double> mean, nuint column);
        static abstract TVector Apply(TVector row, TVector mean);
    }

    /// <summary>Raw rows, centred as they are loaded.</summary>
    private readonly struct CentredOnLoad : IRowCentring
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Load(ReadOnlySpan<double> mean, nuint column) => TOps.Load(ref MemoryMarshal.GetReference(mean), column);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply(TVector row, TVector mean) => TOps.Subtract(row, mean);
    }

    /// <summary>Rows already centred.</summary>
    private readonly struct AlreadyCentred : IRowCentring
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Load(ReadOnlySpan<double> mean, nuint column) => TOps.Zero;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Apply(TVector row, TVector mean) => row;
    }
}

/// <summary>
/// The SIMD kernels' plan for full storage (full and tied), made once per parameter set: the padded
/// factors and centres (<c>PaddedFactors</c>; the layout does not depend on the vector width, so every
/// variant shares one plan) and whether the faster form is accurate (full: rows shifted by c; tied: the
/// single pass around c).
/// </summary>
internal sealed class GeneralPlan(double[] values, bool accurate)
{
    public readonly double[] Values = values;
    public readonly bool Accurate = accurate;
}
