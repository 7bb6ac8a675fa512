using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emix.Families.Gaussian.Kernels;

internal sealed partial class SimdEStepKernel<TVector, TOps, TBlock>
{
    private static int RoundUp(int rows) => (rows + (2 * TOps.Count) - 1) / (2 * TOps.Count) * (2 * TOps.Count);

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
        if (p.Tails is { } tails)
            TailDensities(tails, s, p.ComponentCount, m);
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
}
