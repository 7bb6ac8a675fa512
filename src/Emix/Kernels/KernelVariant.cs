using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Emix.Kernels;

/// <summary>Which implementation of the E-step and statistics kernels runs.</summary>
public enum KernelVariant
{
    /// <summary>The fastest variant this processor supports (or the one named by <c>EMIX_KERNEL</c>).</summary>
    Auto,

    /// <summary>The scalar reference: one row and one component at a time, plain loops.</summary>
    Scalar,

    /// <summary>Rows in blocks laid out feature-major, four rows per 256-bit vector, with FMA.</summary>
    Vector256,
}

/// <summary>Picks the kernel: one place, forceable by option or by the <c>EMIX_KERNEL</c> environment variable.</summary>
public static class KernelSelector
{
    /// <summary>Environment variable that forces a variant when the option is <see cref="KernelVariant.Auto"/>: scalar or vector256.</summary>
    public const string EnvironmentVariable = "EMIX_KERNEL";

    /// <summary>Whether the processor runs the 256-bit FMA kernels in hardware.</summary>
    public static bool IsVector256Supported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>The variant that <paramref name="requested"/> resolves to on this machine.</summary>
    public static KernelVariant Resolve(KernelVariant requested)
    {
        if (requested == KernelVariant.Auto)
        {
            string? forced = Environment.GetEnvironmentVariable(EnvironmentVariable);
            requested = forced?.Trim().ToUpperInvariant() switch
            {
                null or "" or "AUTO" => KernelVariant.Auto,
                "SCALAR" => KernelVariant.Scalar,
                "VECTOR256" => KernelVariant.Vector256,
                _ => throw new ArgumentException($"{EnvironmentVariable}={forced}: expected auto, scalar or vector256."),
            };
        }
        if (requested == KernelVariant.Auto)
            return IsVector256Supported ? KernelVariant.Vector256 : KernelVariant.Scalar;
        if (requested == KernelVariant.Vector256 && !IsVector256Supported)
            throw new PlatformNotSupportedException("The vector256 kernel needs AVX2 and FMA, which this processor lacks; use scalar.");
        return requested;
    }

    internal static IEStepKernel Create(KernelVariant variant) => Resolve(variant) switch
    {
        KernelVariant.Vector256 => Vector256EStepKernel.Instance,
        _ => ScalarEStepKernel.Instance,
    };
}
