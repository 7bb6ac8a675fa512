using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>
/// The few vector operations the SIMD kernel needs, as static members of a struct so that the
/// JIT specialises the generic kernel per width with no call overhead (the shape of
/// TensorPrimitives' operators). One implementation per width below.
/// </summary>
internal interface IVectorOps<TVector> where TVector : struct
{
    static abstract int Count { get; }
    static abstract TVector Zero { get; }
    static abstract TVector Broadcast(double value);
    static abstract TVector Load(ref double source, nuint offset);
    static abstract void Store(TVector value, ref double destination, nuint offset);
    static abstract TVector Add(TVector left, TVector right);
    static abstract TVector Subtract(TVector left, TVector right);
    static abstract TVector Multiply(TVector left, TVector right);
    static abstract TVector Divide(TVector left, TVector right);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);
    /// <summary>
    /// The processor's max (one vmaxpd): where a lane of <paramref name="left"/> or <paramref name="right"/>
    /// is NaN it returns <paramref name="right"/>'s. Vector256/512.Max implement IEEE 754's maximum
    /// instead (NaN and ±0 rules), which costs three dependent instructions (vrangepd and two
    /// vfixupimmpd) per step of the log-sum-exp's running max.
    /// </summary>
    static abstract TVector Max(TVector left, TVector right);
    /// <summary>2ⁿ for lanes holding n + <see cref="VectorMath.RoundingMagic"/> (|n| ≤ 1022, an integer).</summary>
    static abstract TVector PowerOfTwo(TVector integerPlusMagic);
    /// <summary>For positive normal lanes x = 2ᵉ·m with m in [1, 2): returns e (as a double) and sets <paramref name="mantissa"/> to m.</summary>
    static abstract TVector Exponent(TVector value, out TVector mantissa);
    /// <summary>Lanes where <paramref name="left"/> &gt; <paramref name="right"/> take <paramref name="ifGreater"/>, the others <paramref name="otherwise"/>.</summary>
    static abstract TVector SelectGreater(TVector left, TVector right, TVector ifGreater, TVector otherwise);
    /// <summary>Lanes equal to −∞ become 0 (keeps −∞ − −∞ from making NaN).</summary>
    static abstract TVector ZeroWhereNegativeInfinity(TVector value);
    /// <summary>Lanes of <paramref name="value"/> where <paramref name="exponent"/> is below <paramref name="limit"/> become 0.</summary>
    static abstract TVector ZeroWhereLess(TVector exponent, TVector limit, TVector value);
    static abstract double Sum(TVector value);
    /// <summary>
    /// Reads <see cref="Count"/> rows of <see cref="Count"/> doubles (rows <paramref name="sourceStride"/> apart)
    /// less <paramref name="shift"/> (one value per column), and writes them transposed: target row t (at
    /// t·<paramref name="targetStride"/>) holds element t of every row.
    /// </summary>
    static abstract void TransposeSquare(ref double source, nuint sourceStride, ref double target, nuint targetStride, TVector shift);
}

/// <summary>AVX2 + FMA, four doubles per vector.</summary>
internal readonly struct Vector256Ops : IVectorOps<Vector256<double>>
{
    public static int Count => 4;
    public static Vector256<double> Zero => Vector256<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> left, Vector256<double> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Subtract(Vector256<double> left, Vector256<double> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Multiply(Vector256<double> left, Vector256<double> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Divide(Vector256<double> left, Vector256<double> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Fma.MultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Max(Vector256<double> left, Vector256<double> right) => Avx.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> PowerOfTwo(Vector256<double> integerPlusMagic) =>
        Vector256.ShiftLeft(integerPlusMagic.AsInt64() - Vector256.Create(VectorMath.MagicBitsMinusBias), 52).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exponent(Vector256<double> value, out Vector256<double> mantissa)
    {
        var bits = value.AsInt64();
        mantissa = ((bits & Vector256.Create(VectorMath.MantissaMask)) | Vector256.Create(VectorMath.OneBits)).AsDouble();
        // 2⁵² + biased exponent, exactly, without an int64 → double conversion (AVX2 has none).
        var biased = (Vector256.ShiftRightLogical(bits, 52) | Vector256.Create(VectorMath.TwoToThe52Bits)).AsDouble();
        return biased - Vector256.Create(VectorMath.TwoToThe52PlusBias);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> SelectGreater(Vector256<double> left, Vector256<double> right, Vector256<double> ifGreater, Vector256<double> otherwise) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(left, right), ifGreater, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ZeroWhereNegativeInfinity(Vector256<double> value) =>
        Vector256.ConditionalSelect(Vector256.Equals(value, Vector256.Create(double.NegativeInfinity)), Vector256<double>.Zero, value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ZeroWhereLess(Vector256<double> exponent, Vector256<double> limit, Vector256<double> value) =>
        Vector256.ConditionalSelect(Vector256.LessThan(exponent, limit), Vector256<double>.Zero, value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector256<double> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeSquare(ref double source, nuint sourceStride, ref double target, nuint targetStride, Vector256<double> shift)
    {
        var r0 = Vector256.LoadUnsafe(ref source) - shift;
        var r1 = Vector256.LoadUnsafe(ref source, sourceStride) - shift;
        var r2 = Vector256.LoadUnsafe(ref source, 2 * sourceStride) - shift;
        var r3 = Vector256.LoadUnsafe(ref source, 3 * sourceStride) - shift;
        // Pairs of rows interleaved: t0 = [r0₀ r1₀ | r0₂ r1₂], t1 = [r0₁ r1₁ | r0₃ r1₃], and so on.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        // Then the 128-bit halves: low halves give features 0 and 1, high halves features 2 and 3.
        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref target, targetStride);
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref target, 2 * targetStride);
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref target, 3 * targetStride);
    }
}

/// <summary>AVX-512, eight doubles per vector.</summary>
internal readonly struct Vector512Ops : IVectorOps<Vector512<double>>
{
    public static int Count => 8;
    public static Vector512<double> Zero => Vector512<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> left, Vector512<double> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Subtract(Vector512<double> left, Vector512<double> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Multiply(Vector512<double> left, Vector512<double> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Divide(Vector512<double> left, Vector512<double> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Avx512F.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Max(Vector512<double> left, Vector512<double> right) => Avx512F.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> PowerOfTwo(Vector512<double> integerPlusMagic) =>
        Vector512.ShiftLeft(integerPlusMagic.AsInt64() - Vector512.Create(VectorMath.MagicBitsMinusBias), 52).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Exponent(Vector512<double> value, out Vector512<double> mantissa)
    {
        var bits = value.AsInt64();
        mantissa = ((bits & Vector512.Create(VectorMath.MantissaMask)) | Vector512.Create(VectorMath.OneBits)).AsDouble();
        var biased = (Vector512.ShiftRightLogical(bits, 52) | Vector512.Create(VectorMath.TwoToThe52Bits)).AsDouble();
        return biased - Vector512.Create(VectorMath.TwoToThe52PlusBias);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> SelectGreater(Vector512<double> left, Vector512<double> right, Vector512<double> ifGreater, Vector512<double> otherwise) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(left, right), ifGreater, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ZeroWhereNegativeInfinity(Vector512<double> value) =>
        Vector512.ConditionalSelect(Vector512.Equals(value, Vector512.Create(double.NegativeInfinity)), Vector512<double>.Zero, value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ZeroWhereLess(Vector512<double> exponent, Vector512<double> limit, Vector512<double> value) =>
        Vector512.ConditionalSelect(Vector512.LessThan(exponent, limit), Vector512<double>.Zero, value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector512<double> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeSquare(ref double source, nuint sourceStride, ref double target, nuint targetStride, Vector512<double> shift)
    {
        var r0 = Vector512.LoadUnsafe(ref source) - shift;
        var r1 = Vector512.LoadUnsafe(ref source, sourceStride) - shift;
        var r2 = Vector512.LoadUnsafe(ref source, 2 * sourceStride) - shift;
        var r3 = Vector512.LoadUnsafe(ref source, 3 * sourceStride) - shift;
        var r4 = Vector512.LoadUnsafe(ref source, 4 * sourceStride) - shift;
        var r5 = Vector512.LoadUnsafe(ref source, 5 * sourceStride) - shift;
        var r6 = Vector512.LoadUnsafe(ref source, 6 * sourceStride) - shift;
        var r7 = Vector512.LoadUnsafe(ref source, 7 * sourceStride) - shift;
        // Pairs of rows interleaved: each 128-bit lane L of t0 holds [r0, r1] at feature 2L, of t1 at 2L + 1.
        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        // Two rounds of 128-bit lane shuffles gather lane L of t0, t2, t4, t6 (0x88: lanes 0 and 2 of each
        // operand; 0xDD: lanes 1 and 3).
        var u0 = Avx512F.Shuffle4x128(t0, t2, 0x88);
        var u1 = Avx512F.Shuffle4x128(t0, t2, 0xDD);
        var u2 = Avx512F.Shuffle4x128(t4, t6, 0x88);
        var u3 = Avx512F.Shuffle4x128(t4, t6, 0xDD);
        var v0 = Avx512F.Shuffle4x128(t1, t3, 0x88);
        var v1 = Avx512F.Shuffle4x128(t1, t3, 0xDD);
        var v2 = Avx512F.Shuffle4x128(t5, t7, 0x88);
        var v3 = Avx512F.Shuffle4x128(t5, t7, 0xDD);
        Avx512F.Shuffle4x128(u0, u2, 0x88).StoreUnsafe(ref target);
        Avx512F.Shuffle4x128(v0, v2, 0x88).StoreUnsafe(ref target, targetStride);
        Avx512F.Shuffle4x128(u1, u3, 0x88).StoreUnsafe(ref target, 2 * targetStride);
        Avx512F.Shuffle4x128(v1, v3, 0x88).StoreUnsafe(ref target, 3 * targetStride);
        Avx512F.Shuffle4x128(u0, u2, 0xDD).StoreUnsafe(ref target, 4 * targetStride);
        Avx512F.Shuffle4x128(v0, v2, 0xDD).StoreUnsafe(ref target, 5 * targetStride);
        Avx512F.Shuffle4x128(u1, u3, 0xDD).StoreUnsafe(ref target, 6 * targetStride);
        Avx512F.Shuffle4x128(v1, v3, 0xDD).StoreUnsafe(ref target, 7 * targetStride);
    }
}
