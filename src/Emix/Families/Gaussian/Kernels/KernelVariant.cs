using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>Which implementation of the E-step and statistics kernels runs.</summary>
public enum KernelVariant
{
    /// <summary>
    /// The widest variant this processor supports (or the one named by <c>EMIX_KERNEL</c>).
    /// Note that a model file fitted with one variant may differ in the last bits from one
    /// fitted with another; thread counts never change them.
    /// </summary>
    Auto,

    /// <summary>The scalar reference: one row and one component at a time, plain loops.</summary>
    Scalar,

    /// <summary>Rows in blocks laid out feature-major, four rows per 256-bit vector, with FMA (AVX2).</summary>
    Vector256,

    /// <summary>The same kernel with eight rows per 512-bit vector (AVX-512).</summary>
    Vector512,
}

/// <summary>Picks the kernel: one place, forceable by option or by the <c>EMIX_KERNEL</c> environment variable.</summary>
public static class KernelSelector
{
    /// <summary>Environment variable that forces a variant when the option is <see cref="KernelVariant.Auto"/>: scalar or vector256.</summary>
    public const string EnvironmentVariable = "EMIX_KERNEL";

    /// <summary>Whether the processor runs the 256-bit FMA kernel in hardware.</summary>
    public static bool IsVector256Supported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>Whether the processor runs the 512-bit kernel in hardware.</summary>
    public static bool IsVector512Supported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>The variants this processor can run, scalar first.</summary>
    public static IReadOnlyList<KernelVariant> Supported =>
        new[] { KernelVariant.Scalar, KernelVariant.Vector256, KernelVariant.Vector512 }.Where(IsSupported).ToArray();

    /// <summary>Whether <paramref name="variant"/> runs on this processor.</summary>
    public static bool IsSupported(KernelVariant variant) => variant switch
    {
        KernelVariant.Auto or KernelVariant.Scalar => true,
        KernelVariant.Vector256 => IsVector256Supported,
        KernelVariant.Vector512 => IsVector512Supported,
        _ => false,
    };

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
                "VECTOR512" => KernelVariant.Vector512,
                _ => throw new ArgumentException($"{EnvironmentVariable}={forced}: expected auto, scalar, vector256 or vector512."),
            };
        }
        if (requested == KernelVariant.Auto)
            return IsVector512Supported ? KernelVariant.Vector512 : IsVector256Supported ? KernelVariant.Vector256 : KernelVariant.Scalar;
        if (!IsSupported(requested))
            throw new PlatformNotSupportedException($"The {requested} kernel needs instructions this processor lacks (AVX2+FMA for Vector256, AVX-512 for Vector512); use scalar.");
        return requested;
    }

    internal static IEStepKernel Create(KernelVariant variant) => Resolve(variant) switch
    {
        KernelVariant.Vector256 => SimdEStepKernel<Vector256<double>, Vector256Ops>.Instance,
        KernelVariant.Vector512 => SimdEStepKernel<Vector512<double>, Vector512Ops>.Instance,
        _ => ScalarEStepKernel.Instance,
    };
}
