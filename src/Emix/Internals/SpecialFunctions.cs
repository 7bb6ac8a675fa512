namespace Emix.Internals;

/// <summary>
/// log Γ, ψ (digamma) and ψ′ (trigamma) of positive arguments, as the Student-t family needs them:
/// the recurrence Γ(x + 1) = xΓ(x) (ψ(x) = ψ(x + 1) − 1/x, ψ′(x) = ψ′(x + 1) + 1/x²) moves x to at
/// least <see cref="AsymptoticFrom"/>, where the asymptotic series' first omitted term is below
/// 1e-17 relative; accuracy a few ulp for x ≥ 1e-3 (tests check against SciPy's values).
/// </summary>
internal static class SpecialFunctions
{
    private const double AsymptoticFrom = 12;
    private const double HalfLog2Pi = 0.91893853320467274178032973640562;

    /// <summary>log Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        // log Γ(x) = log Γ(x + m) − log(x(x + 1)…(x + m − 1)); the product is formed in one pass (no overflow below 12 steps of x ≥ 1e-300).
        double shift = 1;
        while (x < AsymptoticFrom)
        {
            shift *= x;
            x += 1;
        }
        double z = 1 / (x * x);
        double series = (1.0 / 12 - z * (1.0 / 360 - z * (1.0 / 1260 - z * (1.0 / 1680 - z * (1.0 / 1188))))) / x;
        return ((x - 0.5) * Math.Log(x)) - x + HalfLog2Pi + series - Math.Log(shift);
    }

    /// <summary>ψ(x) = d/dx log Γ(x) for x &gt; 0.</summary>
    public static double Digamma(double x)
    {
        double result = 0;
        while (x < AsymptoticFrom)
        {
            result -= 1 / x;
            x += 1;
        }
        double z = 1 / (x * x);
        double series = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132)))));
        return result + Math.Log(x) - (0.5 / x) - series;
    }

    /// <summary>
    /// log x − ψ(x) for x &gt; 0, without the cancellation of the two (about 1/(2x) for large x): the
    /// Student-t degrees-of-freedom equation is made of these differences.
    /// </summary>
    public static double LogMinusDigamma(double x)
    {
        if (x < AsymptoticFrom)
        {
            // log x − ψ(x) = [log y − ψ(y)] + log(x / y) + Σ 1/(x + i), y = x + m ≥ 12.
            double y = x, reciprocals = 0;
            while (y < AsymptoticFrom)
            {
                reciprocals += 1 / y;
                y += 1;
            }
            return LogMinusDigamma(y) + Math.Log(x / y) + reciprocals;
        }
        double z = 1 / (x * x);
        return (0.5 / x) + (z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132))))));
    }

    /// <summary>ψ′(x) for x &gt; 0.</summary>
    public static double Trigamma(double x)
    {
        double result = 0;
        while (x < AsymptoticFrom)
        {
            result += 1 / (x * x);
            x += 1;
        }
        double z = 1 / (x * x);
        double series = (1 + (0.5 / x) + z * (1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30))))) / x;
        return result + series;
    }
}
