using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Initialization;

/// <summary>
/// Squared Euclidean distances from rows to centres, and each row's nearest centre: the inner loops
/// of k-means and k-means++. Every variant computes Σₐ (xₐ − cₐ)² with the same operations in the
/// same order (subtract, multiply, add; features ascending; no fused multiply-add) and keeps the
/// first centre on ties, so the vector variants return the scalar reference's bits exactly: the
/// variant changes the speed, never a label, a centre or a k-means++ seed.
/// </summary>
internal abstract class CentreDistances
{
    /// <summary>The implementation for <paramref name="variant"/> (<see cref="KernelVariant.Auto"/>: the widest supported, or <c>EMIX_KERNEL</c>).</summary>
    public static CentreDistances Create(KernelVariant variant) => KernelSelector.Resolve(variant) switch
    {
        KernelVariant.Vector512 => SimdCentreDistances<Vector512<double>, Vector512Ops>.Instance,
        KernelVariant.Vector256 => SimdCentreDistances<Vector256<double>, Vector256Ops>.Instance,
        _ => ScalarCentreDistances.Instance,
    };

    /// <summary>Doubles of scratch that <see cref="Nearest"/> and <see cref="ToCentres"/> need for rows of <paramref name="d"/> features.</summary>
    public abstract int ScratchLength(int d);

    /// <summary>
    /// <paramref name="labels"/>[i] = the index of the centre nearest to row i, the first one on ties
    /// (the rows are <paramref name="labels"/>.Length × <paramref name="d"/>, the centres k × d, both row-major).
    /// With <paramref name="nearest"/> and <paramref name="secondNearest"/> (both n, or both empty), also
    /// the smallest squared distance and the smallest over the other centres (+∞ for one centre).
    /// </summary>
    public abstract void Nearest(ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres, Span<int> labels, Span<double> scratch,
        Span<double> nearest = default, Span<double> secondNearest = default);

    /// <summary>
    /// <paramref name="distances"/>[j·n + i] = ‖xᵢ − cⱼ‖² for the n rows and the k centres
    /// (<paramref name="distances"/> holds exactly k × n values).
    /// </summary>
    public abstract void ToCentres(ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres, Span<double> distances, Span<double> scratch);

    /// <summary>The reference distance: Σₐ (xₐ − yₐ)², features ascending.</summary>
    public static double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int a = 0; a < x.Length; a++)
        {
            double e = x[a] - y[a];
            s += e * e;
        }
        return s;
    }
}

/// <summary>The scalar reference: one row and one centre at a time.</summary>
internal sealed class ScalarCentreDistances : CentreDistances
{
    public static readonly ScalarCentreDistances Instance = new();

    public override int ScratchLength(int d) => 0;

    public override void Nearest(ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres, Span<int> labels, Span<double> scratch,
        Span<double> nearest = default, Span<double> secondNearest = default)
    {
        int k = centres.Length / d;
        for (int i = 0; i < labels.Length; i++)
        {
            var x = rows.Slice(i * d, d);
            int best = 0;
            double bestDistance = double.PositiveInfinity, secondDistance = double.PositiveInfinity;
            for (int j = 0; j < k; j++)
            {
                double distance = SquaredDistance(x, centres.Slice(j * d, d));
                if (distance < bestDistance)
                {
                    secondDistance = bestDistance;
                    bestDistance = distance;
                    best = j;
                }
                else if (distance < secondDistance)
                {
                    secondDistance = distance;
                }
            }
            labels[i] = best;
            if (!nearest.IsEmpty)
            {
                nearest[i] = bestDistance;
                secondNearest[i] = secondDistance;
            }
        }
    }

    public override void ToCentres(ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres, Span<double> distances, Span<double> scratch)
    {
        int k = centres.Length / d, n = distances.Length / k;
        for (int j = 0; j < k; j++)
        {
            var centre = centres.Slice(j * d, d);
            for (int i = 0; i < n; i++)
                distances[(j * n) + i] = SquaredDistance(rows.Slice(i * d, d), centre);
        }
    }
}

/// <summary>
/// Rows in blocks of four vectors' worth, copied feature-major so that each lane holds one row; each
/// lane then runs exactly the scalar reference's loop, so the vectors give the same bits. Four
/// independent sums per centre keep the adds from waiting on one another, and each broadcast centre
/// coordinate serves four loads.
/// </summary>
internal sealed class SimdCentreDistances<TVector, TOps> : CentreDistances
    where TVector : struct
    where TOps : struct, IVectorOps<TVector>
{
    public static readonly SimdCentreDistances<TVector, TOps> Instance = new();

    private static int BlockRows => 4 * TOps.Count;

    /// <summary>The feature-major block (d × <see cref="BlockRows"/>) and three rows of per-lane results.</summary>
    public override int ScratchLength(int d) => (d + 3) * BlockRows;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Nearest(ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres, Span<int> labels, Span<double> scratch,
        Span<double> nearest = default, Span<double> secondNearest = default)
    {
        int n = labels.Length, k = centres.Length / d, b = BlockRows;
        bool distances = !nearest.IsEmpty;
        ref double xt = ref MemoryMarshal.GetReference(scratch[..(d * b)]);
        ref double lane0 = ref MemoryMarshal.GetReference(scratch.Slice(d * b, 3 * b));
        ref double nearestLane0 = ref Unsafe.Add(ref lane0, b);
        ref double secondLane0 = ref Unsafe.Add(ref lane0, 2 * b);
        ref double centre0 = ref MemoryMarshal.GetReference(centres);
        ref int label = ref MemoryMarshal.GetReference(labels);
        for (int start = 0; start < n; start += b)
        {
            int m = Math.Min(b, n - start);
            LoadBlock(rows, start, m, d, ref xt);
            var infinity = TOps.Broadcast(double.PositiveInfinity);
            TVector best0 = infinity, best1 = infinity, best2 = infinity, best3 = infinity;
            TVector second0 = infinity, second1 = infinity, second2 = infinity, second3 = infinity;
            var first = TOps.Broadcast(LaneLabels.Offset);
            TVector label0 = first, label1 = first, label2 = first, label3 = first;
            for (int j = 0; j < k; j++)
            {
                BlockDistances(ref xt, ref Unsafe.Add(ref centre0, j * d), d, out var s0, out var s1, out var s2, out var s3);
                if (distances)
                {
                    // The scalar loop's: s < best moves best down to second, else s < second replaces second.
                    second0 = TOps.SelectGreater(best0, s0, best0, TOps.SelectGreater(second0, s0, s0, second0));
                    second1 = TOps.SelectGreater(best1, s1, best1, TOps.SelectGreater(second1, s1, s1, second1));
                    second2 = TOps.SelectGreater(best2, s2, best2, TOps.SelectGreater(second2, s2, s2, second2));
                    second3 = TOps.SelectGreater(best3, s3, best3, TOps.SelectGreater(second3, s3, s3, second3));
                }
                // best > s is the reference's s < best: strict, so a later centre at the same distance
                // (or a NaN distance) leaves the label alone.
                var index = TOps.Broadcast(LaneLabels.Offset + j);
                label0 = TOps.SelectGreater(best0, s0, index, label0);
                label1 = TOps.SelectGreater(best1, s1, index, label1);
                label2 = TOps.SelectGreater(best2, s2, index, label2);
                label3 = TOps.SelectGreater(best3, s3, index, label3);
                best0 = TOps.SelectGreater(best0, s0, s0, best0);
                best1 = TOps.SelectGreater(best1, s1, s1, best1);
                best2 = TOps.SelectGreater(best2, s2, s2, best2);
                best3 = TOps.SelectGreater(best3, s3, s3, best3);
            }
            StoreLanes(label0, label1, label2, label3, ref lane0);
            for (int r = 0; r < m; r++)
                Unsafe.Add(ref label, start + r) = LaneLabels.Read(Unsafe.Add(ref lane0, r));
            if (distances)
            {
                StoreLanes(best0, best1, best2, best3, ref nearestLane0);
                StoreLanes(second0, second1, second2, second3, ref secondLane0);
                MemoryMarshal.CreateReadOnlySpan(ref nearestLane0, m).CopyTo(nearest.Slice(start, m));
                MemoryMarshal.CreateReadOnlySpan(ref secondLane0, m).CopyTo(secondNearest.Slice(start, m));
            }
        }
    }

    /// <summary>The four vectors of a block, one after another, at <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreLanes(TVector v0, TVector v1, TVector v2, TVector v3, ref double target)
    {
        nuint w = (nuint)TOps.Count;
        TOps.Store(v0, ref target, 0);
        TOps.Store(v1, ref target, w);
        TOps.Store(v2, ref target, 2 * w);
        TOps.Store(v3, ref target, 3 * w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void ToCentres(ReadOnlySpan<double> rows, int d, ReadOnlySpan<double> centres, Span<double> distances, Span<double> scratch)
    {
        int k = centres.Length / d, n = distances.Length / k, b = BlockRows;
        ref double xt = ref MemoryMarshal.GetReference(scratch[..(d * b)]);
        var lanes = scratch.Slice(d * b, b);
        ref double lane0 = ref MemoryMarshal.GetReference(lanes);
        ref double centre0 = ref MemoryMarshal.GetReference(centres);
        ref double distance0 = ref MemoryMarshal.GetReference(distances);
        for (int start = 0; start < n; start += b)
        {
            int m = Math.Min(b, n - start);
            LoadBlock(rows, start, m, d, ref xt);
            for (int j = 0; j < k; j++)
            {
                BlockDistances(ref xt, ref Unsafe.Add(ref centre0, j * d), d, out var s0, out var s1, out var s2, out var s3);
                // A whole block goes straight to the output; the last, partial one through the lanes.
                ref double target = ref (m == b ? ref Unsafe.Add(ref distance0, (j * n) + start) : ref lane0);
                StoreLanes(s0, s1, s2, s3, ref target);
                if (m < b)
                    lanes[..m].CopyTo(distances.Slice((j * n) + start, m));
            }
        }
    }

    /// <summary>
    /// s_q (lanes = rows q·W … q·W + W − 1 of the block) = Σₐ (xₐ − cₐ)², features ascending, with
    /// the reference's separate subtract, multiply and add (a fused multiply-add would round once
    /// less and change the bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockDistances(ref double xt, ref double centre, int d, out TVector s0, out TVector s1, out TVector s2, out TVector s3)
    {
        nuint w = (nuint)TOps.Count, b = 4 * w;
        TVector t0 = TOps.Zero, t1 = TOps.Zero, t2 = TOps.Zero, t3 = TOps.Zero;
        ref double x = ref xt;
        for (int a = 0; a < d; a++)
        {
            var c = TOps.Broadcast(Unsafe.Add(ref centre, a));
            var e0 = TOps.Subtract(TOps.Load(ref x, 0), c);
            var e1 = TOps.Subtract(TOps.Load(ref x, w), c);
            var e2 = TOps.Subtract(TOps.Load(ref x, 2 * w), c);
            var e3 = TOps.Subtract(TOps.Load(ref x, 3 * w), c);
            t0 = TOps.Add(t0, TOps.Multiply(e0, e0));
            t1 = TOps.Add(t1, TOps.Multiply(e1, e1));
            t2 = TOps.Add(t2, TOps.Multiply(e2, e2));
            t3 = TOps.Add(t3, TOps.Multiply(e3, e3));
            x = ref Unsafe.Add(ref x, b);
        }
        s0 = t0;
        s1 = t1;
        s2 = t2;
        s3 = t3;
    }

    /// <summary>
    /// Rows [start, start + m) feature-major into the block at <paramref name="xt"/> (feature a at
    /// a·<see cref="BlockRows"/>); lanes past m repeat the last row, so they stay finite and are
    /// simply not read back. <paramref name="rows"/> bounds every read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadBlock(ReadOnlySpan<double> rows, int start, int m, int d, ref double xt)
    {
        int w = TOps.Count, b = BlockRows;
        int squareFeatures = d / w * w;
        ref double source = ref MemoryMarshal.GetReference(rows.Slice(start * d, m * d));
        for (int g = 0; g < b; g += w)
        {
            if (g + w <= m)
            {
                // W whole rows: W×W squares by register shuffles, then the features past the last square.
                ref double group = ref Unsafe.Add(ref source, g * d);
                for (int a = 0; a < squareFeatures; a += w)
                    TOps.TransposeSquare(ref Unsafe.Add(ref group, a), (nuint)d, ref Unsafe.Add(ref xt, (a * b) + g), (nuint)b, TOps.Zero);
                for (int r = 0; r < w; r++)
                {
                    ref double row = ref Unsafe.Add(ref group, r * d);
                    for (int a = squareFeatures; a < d; a++)
                        Unsafe.Add(ref xt, (a * b) + g + r) = Unsafe.Add(ref row, a);
                }
            }
            else
            {
                for (int r = 0; r < w; r++)
                {
                    ref double row = ref Unsafe.Add(ref source, Math.Min(g + r, m - 1) * d);
                    for (int a = 0; a < d; a++)
                        Unsafe.Add(ref xt, (a * b) + g + r) = Unsafe.Add(ref row, a);
                }
            }
        }
    }
}

/// <summary>
/// One thread's buffers for a pass of <see cref="CentreDistances"/> over chunks, rented from the
/// shared pools: the chunk runner creates scratch per wave of chunks, and k-means makes many passes.
/// </summary>
internal sealed class DistanceScratch : IDisposable
{
    public DistanceScratch(int blockLength, int labelLength = 0, int distanceLength = 0)
    {
        Block = ArrayPool<double>.Shared.Rent(blockLength);
        Labels = ArrayPool<int>.Shared.Rent(labelLength);
        Distances = ArrayPool<double>.Shared.Rent(distanceLength);
    }

    /// <summary>The kernel's own scratch (<see cref="CentreDistances.ScratchLength"/>).</summary>
    public double[] Block { get; }

    /// <summary>Labels of a chunk's rows.</summary>
    public int[] Labels { get; }

    /// <summary>Distances of a chunk's rows to some centres.</summary>
    public double[] Distances { get; }

    /// <summary>The buffer a streamed source reads a chunk's rows into (a source in memory returns a view instead).</summary>
    public double[]? Rows;

    private double[]? _aligned;

    /// <summary>
    /// <paramref name="length"/> doubles starting on a cache line (allocated on first use), for sums
    /// that rows are added into one vector at a time: a vector that straddles two lines costs two
    /// accesses, and a load that reads a straddling store waits for it to reach the cache instead of
    /// being forwarded.
    /// </summary>
    public unsafe Span<double> CacheAligned(int length)
    {
        if (_aligned is null || _aligned.Length < length + 8)
            _aligned = GC.AllocateUninitializedArray<double>(length + 8, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_aligned));
        int offset = (int)((64 - (address & 63)) & 63) / sizeof(double);
        return _aligned.AsSpan(offset, length);
    }

    public void Dispose()
    {
        ArrayPool<double>.Shared.Return(Block);
        ArrayPool<int>.Shared.Return(Labels);
        ArrayPool<double>.Shared.Return(Distances);
    }
}
