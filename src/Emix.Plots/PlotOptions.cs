namespace Emix.Plots;

/// <summary>How a picture is drawn. Immutable; the defaults suit a screen or a document page.</summary>
public sealed record PlotOptions
{
    /// <summary>The defaults: 800×600 pixels, all columns, an automatic title.</summary>
    public static PlotOptions Default { get; } = new();

    /// <summary>Width in pixels (default 800; at least 200).</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height in pixels (default 600; at least 150).</summary>
    public int Height { get; init; } = 600;

    /// <summary>
    /// The columns to draw, 0-based feature indices of the model; <see langword="null"/> for all of them.
    /// One column gives a 1-D picture, two a scatter, more a pairs grid.
    /// </summary>
    public IReadOnlyList<int>? Columns { get; init; }

    /// <summary>The title above the picture; <see langword="null"/> for an automatic one, "" for none.</summary>
    public string? Title { get; init; }

    /// <summary>Histogram bins of a 1-D density picture; <see langword="null"/> picks them from the data (Freedman–Diaconis).</summary>
    public int? Bins { get; init; }

    /// <summary>Text and line scale: 1 at 800×600, growing and shrinking with the picture.</summary>
    internal float Scale => (float)Math.Clamp(Math.Min(Width / 800.0, Height / 600.0), 0.6, 4.0);

    /// <summary>Checks the sizes; called by every plotting method.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is too small or too large, or bins is below 1.</exception>
    public void Validate()
    {
        if (Width is < 200 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(Width), Width, "The width must be between 200 and 10000 pixels.");
        if (Height is < 150 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(Height), Height, "The height must be between 150 and 10000 pixels.");
        if (Bins is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(Bins), Bins, "The number of bins must be between 1 and 10000.");
    }
}
