using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Emix.Kernels;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Max(Vector256<double> left, Vector256<double> right) => Vector256.Max(left, right);
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Max(Vector512<double> left, Vector512<double> right) => Vector512.Max(left, right);
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
}
