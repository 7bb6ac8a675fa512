using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Emix.Benchmarks;

/// <summary>
/// The machine's fp64 FMA rate (independent chains of FMAs on every core, 256- and 512-bit,
/// the better one) and its read bandwidth (all cores summing a 1 GiB array). Best of 5 runs,
/// because the machine is shared.
/// </summary>
internal static class MachineFloor
{
    public static (double Gflops, int VectorBits) FmaGflops()
    {
        double best256 = 0, best512 = 0;
        for (int rep = 0; rep < 5; rep++)
        {
            best256 = Math.Max(best256, AllCores(Fma256));
            if (Avx512F.IsSupported)
                best512 = Math.Max(best512, AllCores(Fma512));
        }
        return best512 > best256 ? (best512, 512) : (best256, 256);
    }

    private static double AllCores(Func<long, double> kernel)
    {
        const long Steps = 20_000_000;
        int cores = Environment.ProcessorCount;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, _ => kernel(Steps));
        return cores * Steps * 10 * FlopsPerStep(kernel) / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static double FlopsPerStep(Func<long, double> kernel) => kernel == Fma512 ? 16 : 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static double Fma256(long steps)
    {
        var m = Vector256.Create(0.9999999);
        var c = Vector256.Create(1e-7);
        Vector256<double> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m;
        for (long i = 0; i < steps; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c); a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c); a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c); a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static double Fma512(long steps)
    {
        var m = Vector512.Create(0.9999999);
        var c = Vector512.Create(1e-7);
        Vector512<double> a0 = m, a1 = m, a2 = m, a3 = m, a4 = m, a5 = m, a6 = m, a7 = m, a8 = m, a9 = m;
        for (long i = 0; i < steps; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c); a2 = Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = Avx512F.FusedMultiplyAdd(a3, m, c); a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c); a8 = Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9);
    }

    public static double ReadGigabytesPerSecond()
    {
        var data = new double[1 << 27]; // 1 GiB
        Parallel.For(0, 64, part => Array.Fill(data, 1.0, part * (data.Length / 64), data.Length / 64));
        double best = 0;
        int cores = Environment.ProcessorCount;
        for (int rep = 0; rep < 5; rep++)
        {
            var clock = Stopwatch.StartNew();
            var sums = new double[cores];
            Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, t =>
            {
                int length = data.Length / cores;
                sums[t] = Sum(data.AsSpan(t * length, length));
            });
            best = Math.Max(best, data.Length * 8.0 / clock.Elapsed.TotalSeconds / 1e9);
            if (sums.Sum() < 0)
                Console.WriteLine();
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Sum(ReadOnlySpan<double> values)
    {
        Vector256<double> a = default, b = default, c = default, d = default;
        int i = 0;
        for (; i + 16 <= values.Length; i += 16)
        {
            a += Vector256.Create(values.Slice(i, 4));
            b += Vector256.Create(values.Slice(i + 4, 4));
            c += Vector256.Create(values.Slice(i + 8, 4));
            d += Vector256.Create(values.Slice(i + 12, 4));
        }
        double s = Vector256.Sum(a + b + c + d);
        for (; i < values.Length; i++)
            s += values[i];
        return s;
    }
}
