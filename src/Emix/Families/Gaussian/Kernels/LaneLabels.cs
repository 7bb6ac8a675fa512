namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// Component indices carried in double lanes, so that a vector select can pick them beside the
/// values they belong to: 2⁵² + j (j a small integer) has j in the low bits of its pattern, so a
/// label comes out of a lane with one integer load, no conversion.
/// </summary>
internal static class LaneLabels
{
    /// <summary>2⁵²: the lane of label j holds <see cref="Offset"/> + j.</summary>
    public const double Offset = 4503599627370496.0;

    /// <summary>The label a lane holds.</summary>
    public static int Read(double lane) => (int)BitConverter.DoubleToInt64Bits(lane);
}
