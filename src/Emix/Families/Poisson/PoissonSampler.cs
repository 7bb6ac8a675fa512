using Emix.Internals;

namespace Emix.Families.Poisson;

/// <summary>
/// Poisson variates from the seeded generator: inversion by sequential search for small rates, and
/// Hörmann's transformed rejection with squeeze (PTRS; "The transformed rejection method for
/// generating Poisson random variables", Insurance: Mathematics and Economics 12, 1993) from
/// <see cref="RejectionFrom"/> on, where the search would take O(λ) steps.
/// </summary>
internal static class PoissonSampler
{
    private const double RejectionFrom = 10;

    public static double Draw(double rate, RandomSource rng)
    {
        if (rate <= 0)
            return 0;
        return rate < RejectionFrom ? Inversion(rate, rng) : TransformedRejection(rate, rng);
    }

    private static double Inversion(double rate, RandomSource rng)
    {
        double u = rng.NextDouble();
        double p = Math.Exp(-rate), cumulative = p;
        int x = 0;
        // Below 10 the tail past 200 has probability far under 1e-100: the bound only stops a rounding loop.
        while (u > cumulative && x < 200)
        {
            x++;
            p *= rate / x;
            cumulative += p;
        }
        return x;
    }

    private static double TransformedRejection(double rate, RandomSource rng)
    {
        double slam = Math.Sqrt(rate), logRate = Math.Log(rate);
        double b = 0.931 + (2.53 * slam);
        double a = -0.059 + (0.02483 * b);
        double inverseAlpha = 1.1239 + (1.1328 / (b - 3.4));
        double vr = 0.9277 - (3.6224 / (b - 2));
        while (true)
        {
            double u = rng.NextDouble() - 0.5;
            double v = rng.NextDouble();
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((((2 * a / us) + b) * u) + rate + 0.43);
            if (us >= 0.07 && v <= vr)
                return k;
            if (k < 0 || (us < 0.013 && v > us))
                continue;
            if (Math.Log(v) + Math.Log(inverseAlpha) - Math.Log((a / (us * us)) + b) <= -rate + (k * logRate) - LogFactorial.Of(k))
                return k;
        }
    }
}
