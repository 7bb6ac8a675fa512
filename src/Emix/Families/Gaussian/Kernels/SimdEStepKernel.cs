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
/// around the mixture's mean in register tiles of four components where that is accurate
/// (SimdEStepKernel.Diagonal.cs), else the direct form Σ ((x − μ)·σ⁻¹)² (.Densities.cs, .Moments.cs). The next block's rows are
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

    private sealed class Scratch
    {
        public Scratch(int k, int d, CovarianceStructure structure, bool tails)
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
            if (tails)
            {
                U = new double[LogP.Length];
                LogTerm = new double[LogP.Length];
            }
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

        /// <summary>Student-t: u and log(1 + δ/ν) per component and row of the block (laid out as LogP).</summary>
        public readonly double[] U = [], LogTerm = [];

        /// <summary>x − μ_j, row-major (B × RowWidth), for the second moments.</summary>
        public readonly double[] Rm = [];

        /// <summary>The chunk's second moments per component, padded (rows to a multiple of 8, columns to RowWidth).</summary>
        public readonly double[] Second = [];
    }

    internal static int PaddedFeatures(int d) => (d + 3) & ~3;

    public object CreateScratch(int chunkRows, GaussianParameters p) => new Scratch(p.ComponentCount, p.FeatureCount, p.Structure, p.Tails is not null);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, GaussianStatisticsLayout layout, Span<double> stats, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount, d = p.FeatureCount;
        var nk = layout.Nk(stats);
        var sx = layout.FirstMoment(stats);
        var second = layout.SecondMoment(stats);
        var tails = p.Tails;
        var momentWeights = tails is null ? default : layout.MomentWeights(stats);
        var tailTerms = tails is null ? default : layout.TailTerms(stats);
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
                if (tails is not null)
                {
                    // From here on r is the moments' weight r·u, and count its sum.
                    count = TailWeights(tails, s, j, r, m, ref tailTerms[j]);
                    momentWeights[j] += count;
                }
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
}
