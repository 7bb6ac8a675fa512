using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Emix.Initialization;

/// <summary>
/// Hamerly's bounds for Lloyd's iterations (G. Hamerly, "Making k-means even faster", SDM 2010): per
/// row, an upper bound u on the distance to its centre and a lower bound l on the distance to every
/// other centre. When the centres move by δ_j, u grows by δ of the row's centre and l shrinks by the
/// largest δ of the others; a row whose u stays below l keeps its label without any distance computed,
/// and only the other rows go through the distance kernel. After the first few iterations few labels
/// change, so most rows are skipped.
/// </summary>
/// <remarks>
/// A row is skipped only when u is below l by a relative margin of 1e-6, far wider than the rounding
/// of the computed distances, square roots and bound updates (a few ε relative): every distance the
/// kernel would compute to another centre is then strictly larger than the one to the row's centre,
/// so its label is exactly the one the kernel would return. Labels, centres and iteration counts keep
/// the bits of computing every distance in every iteration.
/// </remarks>
internal sealed class DistanceBounds
{
    private const double SkipMargin = 1 - 1e-6;

    private readonly double[] _moves;
    private readonly double _largestMove, _secondLargestMove;
    private readonly int _largestAt;

    /// <summary>Bounds for centres that moved by <paramref name="moves"/> (k Euclidean distances) since the last pass.</summary>
    public DistanceBounds(double[] moves)
    {
        _moves = moves;
        _largestAt = -1;
        for (int j = 0; j < moves.Length; j++)
        {
            if (_largestAt < 0 || moves[j] > _largestMove)
            {
                _secondLargestMove = _largestMove;
                _largestMove = moves[j];
                _largestAt = j;
            }
            else if (moves[j] > _secondLargestMove)
            {
                _secondLargestMove = moves[j];
            }
        }
    }

    /// <summary>Labels and both bounds of every row from all distances (the first pass).</summary>
    public static void Compute(CentreDistances distances, ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres,
        Span<int> labels, Span<double> upper, Span<double> lower, DistanceScratch scratch)
    {
        distances.Nearest(rows, d, centres, labels, scratch.Block, upper, lower);
        SquareRoots(upper);
        SquareRoots(lower);
    }

    /// <summary>
    /// Labels of the rows after the move: <paramref name="previous"/> where the bounds allow, from the
    /// distance kernel elsewhere; the bounds are moved, or recomputed with the label. Returns how
    /// many rows went through the kernel.
    /// </summary>
    public int Update(CentreDistances distances, ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres,
        ReadOnlySpan<int> previous, Span<int> labels, Span<double> upper, Span<double> lower, DistanceScratch scratch)
    {
        int n = labels.Length, pending = 0;
        var pendingAt = scratch.Labels.AsSpan(n, n);
        var pendingLabels = scratch.Labels.AsSpan(2 * n, n);
        var pendingRows = scratch.Distances.AsSpan(0, n * d);
        var pendingUpper = scratch.Distances.AsSpan(n * d, n);
        var pendingLower = scratch.Distances.AsSpan((n * d) + n, n);
        for (int i = 0; i < n; i++)
        {
            int label = previous[i];
            double u = upper[i] + _moves[label];
            double l = lower[i] - (label == _largestAt ? _secondLargestMove : _largestMove);
            labels[i] = label;
            upper[i] = u;
            lower[i] = l;
            if (u < l * SkipMargin)
                continue;
            // Rows are short: an inline copy, not a call to memmove per row.
            ref double from = ref Unsafe.Add(ref MemoryMarshal.GetReference(rows), i * d);
            ref double to = ref Unsafe.Add(ref MemoryMarshal.GetReference(pendingRows), pending * d);
            for (int a = 0; a < d; a++)
                Unsafe.Add(ref to, a) = Unsafe.Add(ref from, a);
            pendingAt[pending++] = i;
        }
        if (pending == 0)
            return 0;
        distances.Nearest(pendingRows[..(pending * d)], d, centres, pendingLabels[..pending], scratch.Block, pendingUpper[..pending], pendingLower[..pending]);
        SquareRoots(pendingUpper[..pending]);
        SquareRoots(pendingLower[..pending]);
        for (int p = 0; p < pending; p++)
        {
            int i = pendingAt[p];
            labels[i] = pendingLabels[p];
            upper[i] = pendingUpper[p];
            lower[i] = pendingLower[p];
        }
        return pending;
    }

    /// <summary>values[i] = √values[i] (correctly rounded at every width).</summary>
    private static void SquareRoots(Span<double> values)
    {
        int n = values.Length, i = 0;
        ref double v = ref MemoryMarshal.GetReference(values);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
                Vector512.Sqrt(Vector512.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 4; i += 4)
                Vector256.Sqrt(Vector256.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref v, i) = Math.Sqrt(Unsafe.Add(ref v, i));
    }
}
