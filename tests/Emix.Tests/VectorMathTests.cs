using System.Runtime.Intrinsics;
using Emix.Internals;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Tests;

/// <summary>The kernel's own vector exp and log against Math.Exp and Math.Log.</summary>
public sealed class VectorMathTests
{
    /// <summary>About 2 ulp: a relative error this small cannot move a lower bound by 1e-12.</summary>
    private const double Tolerance = 4.5e-16;

    private static double[] Sample(double low, double high, int count, long seed)
    {
        var rng = new RandomSource(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++)
            values[i] = low + ((high - low) * rng.NextDouble());
        values[0] = low;
        values[^1] = high;
        return values;
    }

    private static void Check(double[] inputs, Func<double, double> reference, Func<double[], double[]> vectorised, string what)
    {
        var actual = vectorised(inputs);
        double worst = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            double expected = reference(inputs[i]);
            double error = expected == 0 ? Math.Abs(actual[i]) : Math.Abs(actual[i] - expected) / Math.Abs(expected);
            Assert.True(error <= Tolerance, $"{what}({inputs[i]:R}) = {actual[i]:R}, Math gives {expected:R} (relative error {error:E2})");
            worst = Math.Max(worst, error);
        }
        Assert.True(worst > 0 || inputs.Length < 100, "suspiciously exact: is the reference being compared with itself?");
    }

    private static double[] Apply256(double[] x, Func<Vector256<double>, Vector256<double>> f)
    {
        var result = new double[x.Length];
        for (int i = 0; i + 4 <= x.Length; i += 4)
            f(Vector256.Create(x, i)).CopyTo(result, i);
        return result;
    }

    private static double[] Apply512(double[] x, Func<Vector512<double>, Vector512<double>> f)
    {
        var result = new double[x.Length];
        for (int i = 0; i + 8 <= x.Length; i += 8)
            f(Vector512.Create(x, i)).CopyTo(result, i);
        return result;
    }

    public static TheoryData<double, double> ExpRanges() => new()
    {
        { -700, 0 },      // what the kernel asks for: exponents relative to the row's maximum, clamped at −700
        { -1, 1 },
        { -708, 709 },
    };

    [Theory]
    [MemberData(nameof(ExpRanges))]
    public void Exp_is_within_two_ulp_of_Math_Exp(double low, double high)
    {
        var x = Sample(low, high, 40_000, 11);
        if (KernelSelector.IsVector256Supported)
            Check(x, Math.Exp, v => Apply256(v, VectorMath<Vector256<double>, Vector256Ops>.Exp), "exp256");
        if (Vector512.IsHardwareAccelerated)
            Check(x, Math.Exp, v => Apply512(v, VectorMath<Vector512<double>, Vector512Ops>.Exp), "exp512");
    }

    public static TheoryData<double, double> LogRanges() => new()
    {
        { 1, 64 },         // the kernel's log-sum-exp: Σ of k terms with the largest equal to 1
        { 1e-300, 1e300 },
        { 0.5, 2 },
    };

    [Theory]
    [MemberData(nameof(LogRanges))]
    public void Log_is_within_two_ulp_of_Math_Log(double low, double high)
    {
        var x = Sample(low, high, 40_000, 12);
        if (low < 1e-100)
            x = x.Select((_, i) => Math.Pow(10, -300 + (600.0 * i / (x.Length - 1)))).ToArray();
        if (KernelSelector.IsVector256Supported)
            CheckLog(x, v => Apply256(v, VectorMath<Vector256<double>, Vector256Ops>.Log), "log256");
        if (Vector512.IsHardwareAccelerated)
            CheckLog(x, v => Apply512(v, VectorMath<Vector512<double>, Vector512Ops>.Log), "log512");
    }

    /// <summary>Relative error is meaningless where log x nears 0 (x near 1): there the error is taken against 1.</summary>
    private static void CheckLog(double[] x, Func<double[], double[]> vectorised, string what)
    {
        var actual = vectorised(x);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Log(x[i]);
            double error = Math.Abs(actual[i] - expected) / Math.Max(1.0, Math.Abs(expected));
            Assert.True(error <= Tolerance, $"{what}({x[i]:R}) = {actual[i]:R}, Math gives {expected:R} (error {error:E2})");
        }
    }
}
