using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Families.Gaussian.Kernels;

internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    /// <summary>
    /// Up to this many features the second moments are d(d+1)/2 dot products over the block's rows
    /// (<see cref="AddUpperDotProducts"/>); above, 8 × vector register tiles (<see cref="AddUpperProducts{TCentring}"/>),
    /// which compute 8 rows of the matrix at a time and so waste most of their work when d is small.
    /// </summary>
    internal const int SmallFeatureCount = 6;

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
