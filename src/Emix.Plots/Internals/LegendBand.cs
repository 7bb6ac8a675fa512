using SkiaSharp;

namespace Emix.Plots;

/// <summary>One entry of a figure-wide legend: a marker, a line, or text alone.</summary>
internal sealed record LegendEntry(string Text, ScottPlot.Color? Marker = null, float MarkerSize = 7, ScottPlot.Color? Line = null, bool Dashed = false);

/// <summary>
/// A legend drawn across the figure under the title (for grids, where no panel has room for one):
/// entries left to right, wrapped onto more rows when they do not fit, each row centred.
/// </summary>
internal sealed class LegendBand(IReadOnlyList<LegendEntry> entries, float scale)
{
    private float RowHeight => 22 * scale;

    private float SymbolWidth => 26 * scale;

    private float Spacing => 18 * scale;

    public float Height(float width)
    {
        using var font = Font();
        return (Rows(font, width).Count * RowHeight) + (8 * scale);
    }

    public void Draw(SKCanvas canvas, float left, float top, float width)
    {
        using var font = Font();
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        float y = top + (4 * scale);
        foreach (var row in Rows(font, width))
        {
            float x = left + ((width - row.Sum(e => EntryWidth(e, font)) - ((row.Count - 1) * Spacing)) / 2);
            float middle = y + (RowHeight / 2);
            foreach (var entry in row)
            {
                if (entry.Line is { } line)
                {
                    using var paint = new SKPaint { Color = ToSk(line), StrokeWidth = 2 * scale, IsAntialias = true, Style = SKPaintStyle.Stroke };
                    if (entry.Dashed)
                        paint.PathEffect = SKPathEffect.CreateDash([6 * scale, 4 * scale], 0);
                    canvas.DrawLine(x, middle, x + SymbolWidth, middle, paint);
                }
                if (entry.Marker is { } marker)
                {
                    using var paint = new SKPaint { Color = ToSk(marker), IsAntialias = true, Style = SKPaintStyle.Fill };
                    canvas.DrawCircle(x + (SymbolWidth / 2), middle, entry.MarkerSize * scale / 2, paint);
                }
                float textX = HasSymbol(entry) ? x + SymbolWidth + (6 * scale) : x;
                canvas.DrawText(entry.Text, textX, middle + (font.Size * 0.35f), SKTextAlign.Left, font, text);
                x += EntryWidth(entry, font) + Spacing;
            }
            y += RowHeight;
        }
    }

    private List<List<LegendEntry>> Rows(SKFont font, float width)
    {
        var rows = new List<List<LegendEntry>> { new() };
        float used = 0;
        float available = width - (16 * scale);
        foreach (var entry in entries)
        {
            float w = EntryWidth(entry, font);
            if (rows[^1].Count > 0 && used + Spacing + w > available)
            {
                rows.Add(new List<LegendEntry>());
                used = 0;
            }
            used += (rows[^1].Count > 0 ? Spacing : 0) + w;
            rows[^1].Add(entry);
        }
        return rows;
    }

    private float EntryWidth(LegendEntry entry, SKFont font) =>
        (HasSymbol(entry) ? SymbolWidth + (6 * scale) : 0) + font.MeasureText(entry.Text);

    private static bool HasSymbol(LegendEntry entry) => entry.Marker is not null || entry.Line is not null;

    private SKFont Font() => new(SKTypeface.FromFamilyName(Style.FontName, SKFontStyle.Normal), 13 * scale);

    private static SKColor ToSk(ScottPlot.Color c) => new(c.R, c.G, c.B, c.A);
}
