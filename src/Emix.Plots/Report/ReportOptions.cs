namespace Emix.Plots;

/// <summary>How a <see cref="MixtureReport"/> is made. Immutable; the defaults suit a screen.</summary>
public sealed record ReportOptions
{
    /// <summary>The defaults: an automatic title, no command line, at most 8,000 points a picture.</summary>
    public static ReportOptions Default { get; } = new();

    /// <summary>The page's title; <see langword="null"/> for one naming the data ("Emix report: faithful.csv").</summary>
    public string? Title { get; init; }

    /// <summary>The command that made the report, shown under the title so that it can be made again; <see langword="null"/> for none.</summary>
    public string? CommandLine { get; init; }

    /// <summary>
    /// Points drawn in one picture at most, over all its panels (default 8,000; at least 100). A picture of
    /// more rows draws every s-th row and says so: a point is about 40 bytes of SVG, and the page stays small.
    /// </summary>
    public int MaxPointsPerPicture { get; init; } = 8_000;

    /// <summary>Checks the options; called by <see cref="MixtureReport.Create"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxPointsPerPicture"/> is below 100.</exception>
    public void Validate()
    {
        if (MaxPointsPerPicture < 100)
            throw new ArgumentOutOfRangeException(nameof(MaxPointsPerPicture), MaxPointsPerPicture, "A picture draws at least 100 points.");
    }
}
