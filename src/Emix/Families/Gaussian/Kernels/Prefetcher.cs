using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// Software prefetch of the next block's rows, a few cache lines at a time from inside the current
/// block's loops, so that the next transpose finds them in L1/L2 instead of waiting on memory.
/// Spread out rather than all at once: a burst of hundreds of prefetches fills the line-fill buffers
/// and stalls the core as the demand misses would.
/// </summary>
internal sealed class Prefetcher
{
    private nint _next, _end;

    /// <summary>Starts prefetching <paramref name="values"/> (the next block; empty for none).</summary>
    public unsafe void Start(ReadOnlySpan<double> values)
    {
        // The address is only a hint: a prefetch never faults, so one the GC has since moved is harmless.
        _next = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(values));
        _end = _next + (values.Length * sizeof(double));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Issue(int lines)
    {
        if (!Sse.IsSupported)
            return;
        nint next = _next, end = Math.Min(_end, next + (lines * 64));
        for (; next < end; next += 64)
            Sse.Prefetch0((void*)next);
        _next = next;
    }
}
