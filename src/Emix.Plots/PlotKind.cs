namespace Emix.Plots;

/// <summary>The pictures of a fitted mixture against data (mclust's <c>plot(what = …)</c> views).</summary>
public enum PlotKind
{
    /// <summary>
    /// 1-D: the histogram scaled to a density, the mixture density and each weighted component over it;
    /// 2-D: the points with contours of the mixture density; more columns: a pairs grid of 2-D panels.
    /// </summary>
    Density,

    /// <summary>Points coloured by predicted component, each component's 1σ and 2σ ellipses and its mean.</summary>
    Classification,

    /// <summary>Points sized and shaded by their uncertainty, 1 − the largest responsibility.</summary>
    Uncertainty,
}
