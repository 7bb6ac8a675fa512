using System.Globalization;
using System.Runtime.CompilerServices;

namespace Emix.Data;

public static partial class CsvReader
{
    /// <summary>
    /// Parses the common short decimal forms (<c>-12.5</c>, <c>3e-4</c>) exactly as
    /// <see cref="double.Parse(string, NumberStyles, IFormatProvider)"/> does, but faster; returns
    /// <see langword="false"/> for anything else, which then goes to <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/>.
    /// </summary>
    /// <remarks>
    /// Clinger's fast path: with at most 15 significant digits the digits form an integer that a double
    /// holds exactly, and so does 10^k for |k| ≤ 22; one multiplication or division of two exact values is
    /// correctly rounded, which is what the full parser returns too.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseFast(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        int i = 0;
        int n = text.Length;
        bool negative = false;
        if (i < n && text[i] is '-' or '+')
        {
            negative = text[i] == '-';
            i++;
        }

        ulong mantissa = 0;
        int significant = 0;
        int pendingZeros = 0; // zeros after the last non-zero digit, not yet multiplied in
        int exponent = 0;

        int integerStart = i;
        for (; i < n; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
                break;
            if (!Accumulate(digit, ref mantissa, ref significant, ref pendingZeros))
                return false;
        }
        if (i == integerStart)
            return false;

        if (i < n && text[i] == '.')
        {
            i++;
            int fractionStart = i;
            for (; i < n; i++)
            {
                uint digit = (uint)(text[i] - '0');
                if (digit > 9)
                    break;
                if (!Accumulate(digit, ref mantissa, ref significant, ref pendingZeros))
                    return false;
                exponent--;
            }
            if (i == fractionStart)
                return false;
        }

        if (i < n && text[i] is 'e' or 'E')
        {
            i++;
            bool negativeExponent = false;
            if (i < n && text[i] is '-' or '+')
            {
                negativeExponent = text[i] == '-';
                i++;
            }
            int exponentStart = i;
            int written = 0;
            for (; i < n; i++)
            {
                uint digit = (uint)(text[i] - '0');
                if (digit > 9)
                    break;
                if (i - exponentStart >= 4)
                    return false;
                written = (written * 10) + (int)digit;
            }
            if (i == exponentStart)
                return false;
            exponent += negativeExponent ? -written : written;
        }
        if (i != n)
            return false;

        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }
        exponent += pendingZeros;
        if (exponent is < -22 or > 22)
            return false;
        double result = exponent >= 0 ? mantissa * s_powersOf10[exponent] : mantissa / s_powersOf10[-exponent];
        value = negative ? -result : result;
        return true;
    }

    private static bool Accumulate(uint digit, ref ulong mantissa, ref int significant, ref int pendingZeros)
    {
        if (digit == 0)
        {
            if (mantissa != 0)
                pendingZeros++;
            return true;
        }
        significant += pendingZeros + 1;
        if (significant > 15)
            return false;
        for (; pendingZeros > 0; pendingZeros--)
            mantissa *= 10;
        mantissa = (mantissa * 10) + digit;
        return true;
    }

    private static readonly double[] s_powersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
}
