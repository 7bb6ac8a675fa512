namespace Emix.Families.LogLinear;

/// <summary>
/// A family whose per-component log-density of a row is a start plus one term per cell — the
/// Poisson's x·log λ (after log w − Σλ) and the Bernoulli's log p or log(1 − p) (after log w) — laid
/// out for <see cref="LogLinearKernel"/>: components padded to whole vectors (padding starts at −∞).
/// Made once per parameter set; never mutated.
/// </summary>
internal sealed class LogLinearTerms
{
    /// <summary>Components per vector of the kernel.</summary>
    public const int Lanes = 4;

    private LogLinearTerms(int k, int d, bool byValue, double[] start, double[] coefficients)
    {
        ComponentCount = k;
        FeatureCount = d;
        PaddedComponents = Padded(k);
        ByValue = byValue;
        Start = start;
        Coefficients = coefficients;
    }

    public int ComponentCount { get; }
    public int FeatureCount { get; }

    /// <summary>k rounded up to whole vectors.</summary>
    public int PaddedComponents { get; }

    /// <summary>
    /// Whether a cell's term is looked up by its value (0 or 1: Coefficients[(2a + x)·kp + j]) rather than
    /// x times a coefficient (Coefficients[a·kp + j], skipped for x = 0 so that 0·log 0 is 0).
    /// </summary>
    public bool ByValue { get; }

    /// <summary>Per padded component: the part of the log-density that is the same for every row.</summary>
    public double[] Start { get; }

    public double[] Coefficients { get; }

    /// <summary>k rounded up to whole vectors, and to at least two (up to 8 components the kernel keeps them in two registers).</summary>
    private static int Padded(int k) => Math.Max(2 * Lanes, (k + Lanes - 1) / Lanes * Lanes);

    /// <summary>Poisson: start log w_j − Σ_a λ_ja, coefficient log λ_ja per feature.</summary>
    public static LogLinearTerms Multiplied(int k, int d, ReadOnlySpan<double> start, ReadOnlySpan<double> coefficients)
    {
        int kp = Padded(k);
        var s = Starts(k, kp, start);
        var c = new double[d * kp];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                c[(a * kp) + j] = coefficients[(j * d) + a];
        return new LogLinearTerms(k, d, byValue: false, s, c);
    }

    /// <summary>Bernoulli: start log w_j, terms log(1 − p_ja) for a 0 and log p_ja for a 1.</summary>
    public static LogLinearTerms Indexed(int k, int d, ReadOnlySpan<double> start, ReadOnlySpan<double> ofZero, ReadOnlySpan<double> ofOne)
    {
        int kp = Padded(k);
        var s = Starts(k, kp, start);
        var c = new double[2 * d * kp];
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                c[(2 * a * kp) + j] = ofZero[(j * d) + a];
                c[(((2 * a) + 1) * kp) + j] = ofOne[(j * d) + a];
            }
        }
        return new LogLinearTerms(k, d, byValue: true, s, c);
    }

    private static double[] Starts(int k, int kp, ReadOnlySpan<double> start)
    {
        var s = new double[kp];
        Array.Fill(s, double.NegativeInfinity);
        start[..k].CopyTo(s);
        return s;
    }
}
