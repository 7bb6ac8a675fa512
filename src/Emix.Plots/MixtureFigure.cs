using Emix.Data;
using ScottPlot;
using SkiaSharp;

namespace Emix.Plots;

/// <summary>
/// A finished picture: a title band and one or more ScottPlot panels laid out on a grid, rendered to
/// PNG or SVG at a fixed size. The panels are exposed so a caller can restyle them before saving.
/// </summary>
public sealed class MixtureFigure
{
    private readonly PanelLayout _layout;
    private readonly LegendBand? _legend;

    internal MixtureFigure(string? title, IReadOnlyList<Plot> panels, PanelLayout layout, PlotOptions options, LegendBand? legend = null)
    {
        _legend = legend;
        Title = title;
        Panels = panels;
        _layout = layout;
        Width = options.Width;
        Height = options.Height;
        Scale = options.Scale;
    }

    /// <summary>The figure's title, drawn centred above the panels (none when <see langword="null"/>).</summary>
    public string? Title { get; }

    /// <summary>The panels, row by row (one for a single plot; rows × columns for a pairs grid).</summary>
    public IReadOnlyList<Plot> Panels { get; }

    /// <summary>Width of the picture in pixels.</summary>
    public int Width { get; }

    /// <summary>Height of the picture in pixels.</summary>
    public int Height { get; }

    /// <summary>Text and line scale relative to an 800×600 picture.</summary>
    internal float Scale { get; }

    /// <summary>Height of the title band in pixels (0 without a title).</summary>
    internal float TitleHeight => Title is null ? 0 : 40 * Scale;

    /// <summary>Height of the legend band under the title (grids only; 0 otherwise).</summary>
    internal float LegendHeight => _legend?.Height(Width) ?? 0;

    /// <summary>Renders the picture as PNG bytes.</summary>
    public byte[] ToPng()
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"Cannot create a {Width}×{Height} drawing surface.");
        Draw(surface.Canvas, vector: false);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Renders the picture as an SVG document (text stays text, in DejaVu Sans).</summary>
    public string ToSvg()
    {
        using var buffer = new MemoryStream();
        WriteSvg(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes PNG or SVG by the extension of <paramref name="path"/> (<c>.png</c> or <c>.svg</c>), atomically.</summary>
    /// <exception cref="ArgumentException">The extension is neither <c>.png</c> nor <c>.svg</c>.</exception>
    public void Save(string path)
    {
        var format = FormatOf(path);
        if (format == ImageFormat.Svg)
            AtomicFile.Write(path, WriteSvg);
        else
        {
            byte[] png = ToPng();
            AtomicFile.Write(path, stream => stream.Write(png));
        }
    }

    /// <summary>The image format that <see cref="Save"/> picks for a path.</summary>
    /// <exception cref="ArgumentException">The extension is neither <c>.png</c> nor <c>.svg</c>.</exception>
    public static ImageFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".PNG" => ImageFormat.Png,
            ".SVG" => ImageFormat.Svg,
            _ => throw new ArgumentException($"{path}: the picture's file name must end in .png or .svg.", nameof(path)),
        };
    }

    private void WriteSvg(Stream stream)
    {
        // SKSvgCanvas writes the document when it is disposed; the stream must outlive it.
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), stream))
            Draw(canvas, vector: true);
        stream.Flush();
    }

    private void Draw(SKCanvas canvas, bool vector)
    {
        canvas.Clear(SKColors.White);
        float top = TitleHeight;
        if (_legend is not null)
        {
            _legend.Draw(canvas, 0, top, Width);
            top += LegendHeight;
        }
        var rects = _layout.PanelRects(new PixelRect(0, Width, Height, top), Panels.Count);
        for (int i = 0; i < Panels.Count; i++)
            DrawPanel(canvas, Panels[i], rects[i], vector);
        if (Title is not null)
        {
            using var typeface = SKTypeface.FromFamilyName(Style.FontName, SKFontStyle.Normal);
            using var font = new SKFont(typeface, 19 * Scale);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            string text = Fit(Title, font, Width - (20 * Scale));
            canvas.DrawText(text, Width / 2f, TitleHeight * 0.68f, SKTextAlign.Center, font, paint);
        }
    }

    private static void DrawPanel(SKCanvas canvas, Plot plot, PixelRect rect, bool vector)
    {
        // Plot.Render starts by clearing the whole canvas with the figure background.
        if (vector)
        {
            // SVG has no layers (their content is dropped) and writes a transparent clear as a black
            // rectangle, so each panel is clipped to its cell on a white background.
            canvas.Save();
            canvas.ClipRect(new SKRect(rect.Left, rect.Top, rect.Right, rect.Bottom));
            // ScottPlot draws a plot twice in one Render when that render changes its layout (as a plot's first
            // render does): on a raster canvas the second pass covers the first, but SVG keeps both, twice the
            // size. A render to a canvas that draws nothing settles the layout first, and the SVG gets one pass.
            using (var layout = new SKNoDrawCanvas((int)Math.Ceiling(rect.Right), (int)Math.Ceiling(rect.Bottom)))
                plot.Render(layout, rect);
            plot.Render(canvas, rect);
            canvas.Restore();
            return;
        }
        // On a raster canvas each panel gets its own layer: the transparent clear wipes only that layer,
        // and tick labels at a cell's edge may overlap the next cell instead of being cut.
        plot.FigureBackground.Color = Colors.Transparent;
        canvas.SaveLayer();
        plot.Render(canvas, rect);
        canvas.Restore();
        plot.FigureBackground.Color = Colors.White;
    }

    /// <summary>Shortens a title with an ellipsis until it fits the width.</summary>
    private static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width)
            return text;
        for (int length = text.Length - 1; length > 0; length--)
        {
            string shorter = string.Concat(text.AsSpan(0, length).TrimEnd(), "…");
            if (font.MeasureText(shorter) <= width)
                return shorter;
        }
        return text;
    }
}

/// <summary>The picture formats <see cref="MixtureFigure.Save"/> writes.</summary>
public enum ImageFormat
{
    /// <summary>Portable Network Graphics (raster).</summary>
    Png,

    /// <summary>Scalable Vector Graphics (vector; text stays text).</summary>
    Svg,
}
