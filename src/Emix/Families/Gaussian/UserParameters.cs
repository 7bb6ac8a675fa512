using System.Globalization;
using Emix.Families.Gaussian;

namespace Emix;

/// <summary>User-given initial parameters checked against k, d and the structure once, before any work.</summary>
internal sealed class UserParameters
{
    private double[]? _weights, _means, _covariances;

    public bool Complete => _weights is not null && _means is not null && _covariances is not null;

    /// <summary>The given weights (k), or null.</summary>
    public double[]? Weights => _weights;

    /// <summary>The given means (k×d), or null.</summary>
    public double[]? Means => _means;

    /// <summary>The given covariances in the structure's shape (from precisions when those were given), or null.</summary>
    public double[]? Covariances => _covariances;

    public static UserParameters Check(InitialParameters given, CovarianceStructure structure, int k, int d)
    {
        var result = new UserParameters();
        if (given.Weights is { } w)
        {
            Expect("weights", w.Count, k, $"k = {k}");
            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                if (!(w[j] >= 0 && w[j] <= 1))
                    throw Bad($"initial weight {j + 1} is {w[j].ToString("R", CultureInfo.InvariantCulture)}; weights must lie in [0, 1].");
                sum += w[j];
            }
            if (Math.Abs(sum - 1) > 1e-8)
                throw Bad($"initial weights sum to {sum.ToString("R", CultureInfo.InvariantCulture)}, not 1.");
            result._weights = [.. w];
        }
        if (given.Means is { } m)
        {
            Expect("means", m.Count, k * d, $"k×d = {k}×{d}");
            RequireFinite("means", m);
            result._means = [.. m];
        }
        if (given.Covariances is not null && given.Precisions is not null)
            throw Bad("give initial covariances or precisions, not both.");
        int count = structure.ValueCount(k, d);
        string shape = string.Join('×', structure.Shape(k, d));
        if (given.Covariances is { } c)
        {
            Expect("covariances", c.Count, count, $"{shape} for {structure.Type.ToScikitName()}");
            RequireFinite("covariances", c);
            result._covariances = [.. c];
            RequireSymmetric("covariance", structure, k, d, result._covariances);
            try
            {
                // Validates positive definiteness now, naming the component.
                _ = GaussianParameters.Create(structure, k, d, Enumerable.Repeat(1.0 / k, k).ToArray(), new double[k * d], result._covariances);
            }
            catch (NumericalFailureException e)
            {
                // Given numbers, not a collapse during a fit: the fit's advice would mislead.
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"initial covariance of component {e.Component + 1} is not positive definite."));
            }
        }
        else if (given.Precisions is { } p)
        {
            Expect("precisions", p.Count, count, $"{shape} for {structure.Type.ToScikitName()}");
            RequireFinite("precisions", p);
            RequireSymmetric("precision", structure, k, d, p);
            var cov = new double[count];
            if (!structure.TryCovariancesFromPrecisions(k, d, [.. p], cov, out int bad))
                throw Bad($"initial precision of component {bad + 1} is not positive definite.");
            result._covariances = cov;
        }
        return result;
    }

    /// <summary>The estimated values with the given ones in their place (arrays owned by the caller).</summary>
    public (double[] Weights, double[] Means, double[] Covariances) ApplyValues(double[] weights, double[] means, double[] covariances) =>
        ((_weights ?? weights).ToArray(), (_means ?? means).ToArray(), (_covariances ?? covariances).ToArray());

    /// <summary>Overrides the estimated parameters with the given ones (all given: no estimate needed).</summary>
    public GaussianParameters Apply(GaussianParameters? estimated, CovarianceStructure structure, int k, int d) =>
        GaussianParameters.Create(structure, k, d,
            (_weights ?? estimated!.Weights).ToArray(),
            (_means ?? estimated!.Means).ToArray(),
            (_covariances ?? estimated!.Covariances).ToArray());

    private static void Expect(string what, int actual, int expected, string shape)
    {
        if (actual != expected)
            throw Bad($"initial {what} have {actual} values; expected {expected} ({shape}).");
    }

    private static void RequireFinite(string what, IReadOnlyList<double> values)
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw Bad($"initial {what} value {i + 1} is not finite.");
    }

    /// <summary>
    /// Full and tied matrices must be symmetric (to 1e-8 relative to the diagonal): the factorisation reads
    /// only the lower triangle, so an asymmetric matrix would be used as a different one than written.
    /// </summary>
    private static void RequireSymmetric(string what, CovarianceStructure structure, int k, int d, IReadOnlyList<double> values)
    {
        int matrices = structure.Storage == CovarianceStorage.Full ? structure.CovarianceCount(k) : 0;
        for (int m = 0; m < matrices; m++)
        {
            int offset = m * d * d;
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < a; b++)
                {
                    double upper = values[offset + (b * d) + a], lower = values[offset + (a * d) + b];
                    double scale = Math.Sqrt(Math.Abs(values[offset + (a * d) + a] * values[offset + (b * d) + b]));
                    if (!(Math.Abs(upper - lower) <= 1e-8 * scale))
                    {
                        string owner = structure.IsShared ? "tied " + what : $"{what} of component {m + 1}";
                        throw Bad(string.Create(CultureInfo.InvariantCulture,
                            $"initial {owner} is not symmetric: [{b}][{a}] = {upper:R} but [{a}][{b}] = {lower:R}."));
                    }
                }
            }
        }
    }

    private static ArgumentException Bad(string message) => new("InitialParameters: " + message);
}
