using System.Runtime.CompilerServices;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>Bit patterns shared by the per-width primitives of <see cref="VectorMath{TVector, TOps}"/>.</summary>
internal static class VectorMath
{
    /// <summary>1.5·2⁵²: adding it rounds a double of magnitude below 2⁵¹ to an integer held in the low mantissa bits.</summary>
    public const double RoundingMagic = 6755399441055744.0;
    public const long MagicBitsMinusBias = 0x4338000000000000L - 1023;
    public const long MantissaMask = 0x000FFFFFFFFFFFFFL;
    public const long OneBits = 0x3FF0000000000000L;
    public const long TwoToThe52Bits = 0x4330000000000000L;
    public const double TwoToThe52PlusBias = 4503599627370496.0 + 1023;
}

/// <summary>
/// exp and log of whole vectors of doubles, written here because .NET's Vector256/512.Exp and Log
/// for double run at scalar speed on this runtime (measured 8 ns and 4 ns per element, against
/// 0.3 ns for an FMA): with k components the E-step takes k exponentials per row, which made
/// them most of an iteration. Accuracy: within 2 ulp of Math.Exp/Math.Log on the ranges the
/// kernel uses (tests check 4e-16 relative).
/// </summary>
/// <remarks>
/// exp(x), x in [−708, 709]: n = round(x·log₂e) by the 1.5·2⁵² trick, r = x − n·ln2 in two FMA
/// steps (Cody and Waite), |r| ≤ ln2/2, e^r by its Taylor series to r¹³/13! (truncation below
/// 5e-18; tail by Estrin, head by Horner), times 2ⁿ built in the exponent bits. log(x), x positive and normal: x = 2ᵉ·m with m in
/// [√½, √2], log m = 2·atanh(s) with s = (m − 1)/(m + 1), |s| ≤ 0.172, series to s²¹/21.
/// </remarks>
internal static class VectorMath<TVector, TOps>
    where TVector : struct
    where TOps : struct, IVectorOps<TVector>
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2High = 0.6931471805599453;
    private const double Ln2Low = 2.3190468138462996e-17;
    private const double Sqrt2 = 1.4142135623730951;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Exp(TVector x)
    {
        var magic = TOps.Broadcast(VectorMath.RoundingMagic);
        var t = TOps.MultiplyAdd(x, TOps.Broadcast(Log2E), magic);
        var n = TOps.Subtract(t, magic);
        var r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2High), x);
        r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2Low), r);
        // The tail Σ r^i/i! for i = 4..13 by Estrin's scheme (pairs, then r², r⁴, r⁸), the head by
        // Horner: the dependent chain is 8 FMA latencies instead of 13, which lets the k exponentials
        // of a row overlap, and the tail's roundings are damped by r⁴ (accuracy as Horner's).
        var r2 = TOps.Multiply(r, r);
        var r4 = TOps.Multiply(r2, r2);
        var r8 = TOps.Multiply(r4, r4);
        var p45 = TOps.MultiplyAdd(r, TOps.Broadcast(1.0 / 120.0), TOps.Broadcast(1.0 / 24.0));
        var p67 = TOps.MultiplyAdd(r, TOps.Broadcast(1.0 / 5040.0), TOps.Broadcast(1.0 / 720.0));
        var p89 = TOps.MultiplyAdd(r, TOps.Broadcast(1.0 / 362880.0), TOps.Broadcast(1.0 / 40320.0));
        var p1011 = TOps.MultiplyAdd(r, TOps.Broadcast(1.0 / 39916800.0), TOps.Broadcast(1.0 / 3628800.0));
        var p1213 = TOps.MultiplyAdd(r, TOps.Broadcast(1.0 / 6227020800.0), TOps.Broadcast(1.0 / 479001600.0));
        var p4to7 = TOps.MultiplyAdd(p67, r2, p45);
        var p8to11 = TOps.MultiplyAdd(p1011, r2, p89);
        var p4to11 = TOps.MultiplyAdd(p8to11, r4, p4to7);
        var p = TOps.MultiplyAdd(p1213, r8, p4to11);
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.0 / 6.0));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(0.5));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.0));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1.0));
        return TOps.Multiply(p, TOps.PowerOfTwo(t));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Log(TVector x)
    {
        var e = TOps.Exponent(x, out var m);
        var half = TOps.Broadcast(0.5);
        var one = TOps.Broadcast(1.0);
        var sqrt2 = TOps.Broadcast(Sqrt2);
        e = TOps.SelectGreater(m, sqrt2, TOps.Add(e, one), e);
        m = TOps.SelectGreater(m, sqrt2, TOps.Multiply(m, half), m);
        var s = TOps.Divide(TOps.Subtract(m, one), TOps.Add(m, one));
        var z = TOps.Multiply(s, s);
        var p = TOps.Broadcast(1.0 / 21);
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 19));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 17));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 15));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 13));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 11));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 9));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 7));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 5));
        p = TOps.MultiplyAdd(p, z, TOps.Broadcast(1.0 / 3));
        // log m = 2s + 2s·z·p, the small part added last.
        var twoS = TOps.Add(s, s);
        var logM = TOps.MultiplyAdd(TOps.Multiply(twoS, z), p, twoS);
        return TOps.MultiplyAdd(e, TOps.Broadcast(Ln2High), TOps.MultiplyAdd(e, TOps.Broadcast(Ln2Low), logM));
    }
}
