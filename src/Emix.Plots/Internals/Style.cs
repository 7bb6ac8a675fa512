using ScottPlot;

namespace Emix.Plots;

/// <summary>Fonts, colours and sizes shared by every picture, so they all look like one family.</summary>
internal static class Style
{
    /// <summary>Sans-serif and present on Debian with fonts-dejavu-core (ScottPlot's default is a serif font).</summary>
    public const string FontName = "DejaVu Sans";

    private static readonly Color[] s_palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#17becf"),
        Color.FromHex("#bcbd22"), Color.FromHex("#7f7f7f"),
    ];

    /// <summary>The colour of component <paramref name="j"/> (ten distinct colours, then they repeat).</summary>
    public static Color Component(int j) => s_palette[j % s_palette.Length];

    public static Color Ink => Color.FromHex("#222222");

    public static Color Histogram => Color.FromHex("#c9d3df");

    /// <summary>A new panel with the house fonts and sizes.</summary>
    public static Plot NewPanel(float scale, bool compact = false)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        float tick = (compact ? 11 : 13) * scale, label = (compact ? 13 : 16) * scale;
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.TickLabelStyle.FontSize = tick;
            axis.Label.FontSize = label;
            axis.Label.Bold = false;
        }
        plot.Legend.FontSize = (compact ? 11 : 13) * scale;
        plot.Legend.FontName = FontName;
        plot.Grid.MajorLineColor = Color.FromHex("#e6e6e6");
        return plot;
    }

    /// <summary>Hides an axis' tick labels (inner panels of a grid).</summary>
    public static void HideTicks(IAxis axis) => axis.TickLabelStyle.IsVisible = false;

    public static string Format(double value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
