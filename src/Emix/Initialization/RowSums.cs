using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Emix.Initialization;

/// <summary>
/// Per-feature running sums over rows, as many features at a time as a vector holds. Each feature's
/// sum still adds the rows one by one in order with the same rounding steps as a scalar loop
/// (element-wise vector arithmetic is exact IEEE arithmetic per lane), so the bits do not depend on
/// the width. Rows here are short (d features), so the widths step down 8, 4, 2, 1 rather than
/// leaving a long scalar tail.
/// </summary>
internal static class RowSums
{
    /// <summary>sum[a] += row[a].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(Span<double> sum, ReadOnlySpan<double> row) => AddOrSubtract(sum, row, subtract: false);

    /// <summary>sum[a] −= row[a].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Subtract(Span<double> sum, ReadOnlySpan<double> row) => AddOrSubtract(sum, row, subtract: true);

    /// <summary>sum[a] ± row[a] (a constant <paramref name="subtract"/> after inlining: no branch left).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddOrSubtract(Span<double> sum, ReadOnlySpan<double> row, bool subtract)
    {
        int d = row.Length, a = 0;
        ref double s = ref MemoryMarshal.GetReference(sum[..d]);
        ref double x = ref MemoryMarshal.GetReference(row);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; a <= d - 8; a += 8)
            {
                var v = Vector512.LoadUnsafe(ref s, (nuint)a);
                var r = Vector512.LoadUnsafe(ref x, (nuint)a);
                (subtract ? v - r : v + r).StoreUnsafe(ref s, (nuint)a);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; a <= d - 4; a += 4)
            {
                var v = Vector256.LoadUnsafe(ref s, (nuint)a);
                var r = Vector256.LoadUnsafe(ref x, (nuint)a);
                (subtract ? v - r : v + r).StoreUnsafe(ref s, (nuint)a);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; a <= d - 2; a += 2)
            {
                var v = Vector128.LoadUnsafe(ref s, (nuint)a);
                var r = Vector128.LoadUnsafe(ref x, (nuint)a);
                (subtract ? v - r : v + r).StoreUnsafe(ref s, (nuint)a);
            }
        }
        for (; a < d; a++)
            Unsafe.Add(ref s, a) = subtract ? Unsafe.Add(ref s, a) - Unsafe.Add(ref x, a) : Unsafe.Add(ref s, a) + Unsafe.Add(ref x, a);
    }

    /// <summary>sum[a] += weight · row[a] (multiply, then add: no fused multiply-add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<double> sum, ReadOnlySpan<double> row, double weight)
    {
        int d = row.Length, a = 0;
        ref double s = ref MemoryMarshal.GetReference(sum[..d]);
        ref double x = ref MemoryMarshal.GetReference(row);
        if (Vector512.IsHardwareAccelerated)
        {
            var w = Vector512.Create(weight);
            for (; a <= d - 8; a += 8)
                (Vector512.LoadUnsafe(ref s, (nuint)a) + (w * Vector512.LoadUnsafe(ref x, (nuint)a))).StoreUnsafe(ref s, (nuint)a);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var w = Vector256.Create(weight);
            for (; a <= d - 4; a += 4)
                (Vector256.LoadUnsafe(ref s, (nuint)a) + (w * Vector256.LoadUnsafe(ref x, (nuint)a))).StoreUnsafe(ref s, (nuint)a);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var w = Vector128.Create(weight);
            for (; a <= d - 2; a += 2)
                (Vector128.LoadUnsafe(ref s, (nuint)a) + (w * Vector128.LoadUnsafe(ref x, (nuint)a))).StoreUnsafe(ref s, (nuint)a);
        }
        for (; a < d; a++)
            Unsafe.Add(ref s, a) += weight * Unsafe.Add(ref x, a);
    }

    /// <summary>sum[a] += (row[a] − mean[a])².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddSquaredDeviations(Span<double> sum, ReadOnlySpan<double> row, ReadOnlySpan<double> mean)
    {
        int d = row.Length, a = 0;
        ref double s = ref MemoryMarshal.GetReference(sum[..d]);
        ref double x = ref MemoryMarshal.GetReference(row);
        ref double mu = ref MemoryMarshal.GetReference(mean[..d]);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; a <= d - 8; a += 8)
            {
                var e = Vector512.LoadUnsafe(ref x, (nuint)a) - Vector512.LoadUnsafe(ref mu, (nuint)a);
                (Vector512.LoadUnsafe(ref s, (nuint)a) + (e * e)).StoreUnsafe(ref s, (nuint)a);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; a <= d - 4; a += 4)
            {
                var e = Vector256.LoadUnsafe(ref x, (nuint)a) - Vector256.LoadUnsafe(ref mu, (nuint)a);
                (Vector256.LoadUnsafe(ref s, (nuint)a) + (e * e)).StoreUnsafe(ref s, (nuint)a);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; a <= d - 2; a += 2)
            {
                var e = Vector128.LoadUnsafe(ref x, (nuint)a) - Vector128.LoadUnsafe(ref mu, (nuint)a);
                (Vector128.LoadUnsafe(ref s, (nuint)a) + (e * e)).StoreUnsafe(ref s, (nuint)a);
            }
        }
        for (; a < d; a++)
        {
            double e = Unsafe.Add(ref x, a) - Unsafe.Add(ref mu, a);
            Unsafe.Add(ref s, a) += e * e;
        }
    }
}
