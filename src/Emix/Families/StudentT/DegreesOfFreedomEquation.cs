using Emix.Internals;

namespace Emix.Families.StudentT;

/// <summary>
/// The CM-step for ν of one component (Peel and McLachlan 2000, eq. 30 of the ECM): the root of
/// g(ν) = −ψ(ν/2) + log(ν/2) + 1 + (1/n_j)·Σ_i τ_ij (log u_ij − u_ij) + ψ((ν_old + d)/2) − log((ν_old + d)/2)
/// in [<see cref="Lower"/>, <see cref="Upper"/>]. g decreases in ν (log x − ψ(x) does), so the root
/// is unique when g changes sign on the range and is the bound it does not cross otherwise: a
/// component that looks Gaussian (g &gt; 0 up to 1000) gets ν = 1000.
/// </summary>
/// <remarks>
/// Newton steps on log ν inside a bracket that every evaluation narrows, a bisection whenever a step
/// leaves it; stops when the bracket or the step is within 1e-14 relative (the issue asks 1e-10).
/// </remarks>
internal static class DegreesOfFreedomEquation
{
    /// <summary>The smallest ν estimated: below it a component's density is all tail.</summary>
    public const double Lower = 0.01;

    /// <summary>The largest ν estimated: t with ν = 1000 differs from the Gaussian by about d²/(4ν) in log-density at one σ.</summary>
    public const double Upper = 1000;

    private const double RelativeTolerance = 1e-14;

    /// <summary>ν from the E-step's n_j, Σ τ(log u − u) and the ν it used.</summary>
    public static double Solve(double nk, double tailTerm, double previous, int d)
    {
        double constant = 1 + (tailTerm / nk) - SpecialFunctions.LogMinusDigamma((previous + d) / 2);
        double G(double nu) => SpecialFunctions.LogMinusDigamma(nu / 2) + constant;
        if (!double.IsFinite(constant))
            return previous;
        if (G(Upper) >= 0)
            return Upper;
        if (G(Lower) <= 0)
            return Lower;
        double low = Lower, high = Upper, nu = Math.Clamp(previous, Lower, Upper);
        for (int iteration = 0; iteration < 200; iteration++)
        {
            double g = G(nu);
            if (g == 0)
                return nu;
            if (g > 0)
                low = nu;
            else
                high = nu;
            // dg/d(log ν) = ν·(1/ν − ψ′(ν/2)/2) = 1 − (ν/2)·ψ′(ν/2): Newton in log ν keeps ν positive and is near-linear for large ν.
            double slope = 1 - (nu / 2 * SpecialFunctions.Trigamma(nu / 2));
            double next = slope < 0 ? nu * Math.Exp(-g / slope) : double.NaN;
            if (!(next > low && next < high))
                next = Math.Sqrt(low * high);
            if (Math.Abs(next - nu) <= RelativeTolerance * nu || high - low <= RelativeTolerance * low)
                return next;
            nu = next;
        }
        return nu;
    }
}
