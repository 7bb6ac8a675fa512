using Emix.Internals;

namespace Emix.Families.StudentT;

/// <summary>
/// Gamma(shape, 1) variates from the seeded generator by Marsaglia and Tsang's method ("A simple
/// method for generating gamma variables", ACM TOMS 26, 2000); shape &lt; 1 by Gamma(shape + 1)·U^(1/shape).
/// </summary>
internal static class GammaSampler
{
    public static double Draw(double shape, RandomSource rng)
    {
        if (shape < 1)
            return Draw(shape + 1, rng) * Math.Pow(1 - rng.NextDouble(), 1 / shape);
        double d = shape - (1.0 / 3), c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = rng.NextNormal(), v = 1 + (c * x);
            if (v <= 0)
                continue;
            v = v * v * v;
            double u = rng.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
                return d * v;
        }
    }
}
