using System.Globalization;

namespace Emix;

/// <summary>
/// Options of <see cref="BackgroundMixture"/>, with the defaults of OpenCV's <c>BackgroundSubtractorMOG2</c>
/// (Zivkovic 2004, 2006), except that shadow detection is off unless asked for.
/// </summary>
public sealed record BackgroundMixtureOptions
{
    /// <summary>Most Gaussians per pixel (OpenCV <c>nmixtures</c>).</summary>
    public int MaxComponents { get; init; } = 5;

    /// <summary>Frames the learning rate averages over: α = 1/min(2·frames so far, history) (OpenCV <c>history</c>).</summary>
    public int History { get; init; } = 500;

    /// <summary>A fixed learning rate α in [0, 1] instead of the history's; null uses the history (OpenCV's learningRate −1).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Squared Mahalanobis distance under which a pixel is explained by a background component (OpenCV <c>varThreshold</c>).</summary>
    public double VarThreshold { get; init; } = 16;

    /// <summary>Squared Mahalanobis distance under which a pixel updates a component instead of starting one (OpenCV <c>varThresholdGen</c>).</summary>
    public double VarThresholdGen { get; init; } = 9;

    /// <summary>The heaviest components whose weights sum to this are the background (OpenCV <c>backgroundRatio</c>).</summary>
    public double BackgroundRatio { get; init; } = 0.9;

    /// <summary>The prior that prunes components with little support, c_T (OpenCV <c>complexityReductionThreshold</c>).</summary>
    public double ComplexityReduction { get; init; } = 0.05;

    /// <summary>Variance of a new component (OpenCV <c>varInit</c>).</summary>
    public double VarInit { get; init; } = 15;

    /// <summary>Smallest variance a component keeps (OpenCV <c>varMin</c>).</summary>
    public double VarMin { get; init; } = 4;

    /// <summary>Largest variance a component keeps (OpenCV <c>varMax</c>).</summary>
    public double VarMax { get; init; } = 75;

    /// <summary>Mark shadows (a darker version of the background, Prati et al. 2003) with <see cref="ShadowValue"/> instead of 255.</summary>
    public bool DetectShadows { get; init; }

    /// <summary>How much darker a shadow may be: pixels darker than τ times the background are not shadows (OpenCV <c>shadowThreshold</c>).</summary>
    public double ShadowThreshold { get; init; } = 0.5;

    /// <summary>The mask value of a shadow (OpenCV <c>shadowValue</c>).</summary>
    public byte ShadowValue { get; init; } = 127;

    /// <summary>Threads over rows of pixels; null uses every core. The masks do not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Fail(string name, object? value, string rule) =>
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} = {value}: {rule}"), name);
        static bool Positive(double v) => v > 0 && double.IsFinite(v);
        if (MaxComponents is < 1 or > 255)
            Fail(nameof(MaxComponents), MaxComponents, "must be 1 to 255.");
        if (History < 1)
            Fail(nameof(History), History, "must be at least 1.");
        if (LearningRate is { } rate && !(rate >= 0 && rate <= 1))
            Fail(nameof(LearningRate), rate, "must be in [0, 1] (or null for 1/history).");
        if (!Positive(VarThreshold))
            Fail(nameof(VarThreshold), VarThreshold, "must be a positive number.");
        if (!Positive(VarThresholdGen))
            Fail(nameof(VarThresholdGen), VarThresholdGen, "must be a positive number.");
        if (!(BackgroundRatio > 0 && BackgroundRatio <= 1))
            Fail(nameof(BackgroundRatio), BackgroundRatio, "must be in (0, 1].");
        if (!(ComplexityReduction >= 0 && ComplexityReduction < 1))
            Fail(nameof(ComplexityReduction), ComplexityReduction, "must be in [0, 1).");
        if (!Positive(VarInit) || !Positive(VarMin) || !Positive(VarMax))
            Fail(nameof(VarInit), $"{VarInit}/{VarMin}/{VarMax}", "VarInit, VarMin and VarMax must be positive numbers.");
        if (!(ShadowThreshold > 0 && ShadowThreshold <= 1))
            Fail(nameof(ShadowThreshold), ShadowThreshold, "must be in (0, 1].");
        if (MaxDegreeOfParallelism is < 1)
            Fail(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "must be at least 1 (or null for all cores).");
    }
}
