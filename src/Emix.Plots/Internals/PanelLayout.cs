using ScottPlot;

namespace Emix.Plots;

/// <summary>
/// Where each panel goes. A single panel fills the area and lays itself out; a grid gives every panel
/// the same data area (fixed paddings: tick labels and axis names only on the left column and the
/// bottom row), so the axes of a pairs grid line up.
/// </summary>
internal sealed class PanelLayout
{
    private PanelLayout(int rows, int columns, float outerLeft, float outerBottom, float outerTop, float outerRight, float gap)
    {
        Rows = rows;
        Columns = columns;
        OuterLeft = outerLeft;
        OuterBottom = outerBottom;
        OuterTop = outerTop;
        OuterRight = outerRight;
        Gap = gap;
    }

    public int Rows { get; }

    public int Columns { get; }

    private float OuterLeft { get; }

    private float OuterBottom { get; }

    private float OuterTop { get; }

    private float OuterRight { get; }

    private float Gap { get; }

    private bool IsSingle => Rows == 1 && Columns == 1 && Gap < 0;

    public static PanelLayout Single() => new(1, 1, 0, 0, 0, 0, -1);

    public static PanelLayout Grid(int rows, int columns, float scale) =>
        new(rows, columns, 62 * scale, 48 * scale, 4 * scale, 8 * scale, 6 * scale);

    /// <summary>Gives a grid panel its fixed paddings (call once per panel, row by row).</summary>
    public void Apply(Plot plot, int row, int column)
    {
        if (IsSingle)
            return;
        plot.Layout.Fixed(Padding(row, column));
    }

    private PixelPadding Padding(int row, int column) => new(
        column == 0 ? OuterLeft : Gap / 2,
        column == Columns - 1 ? OuterRight : Gap / 2,
        row == Rows - 1 ? OuterBottom : Gap / 2,
        row == 0 ? OuterTop : Gap / 2);

    public PixelRect[] PanelRects(PixelRect area, int count)
    {
        if (IsSingle)
            return [area];
        float dataWidth = (area.Width - OuterLeft - OuterRight - ((Columns - 1) * Gap)) / Columns;
        float dataHeight = (area.Height - OuterTop - OuterBottom - ((Rows - 1) * Gap)) / Rows;
        var rects = new PixelRect[count];
        for (int i = 0; i < count; i++)
        {
            int row = i / Columns, column = i % Columns;
            float dataLeft = area.Left + OuterLeft + (column * (dataWidth + Gap));
            float dataTop = area.Top + OuterTop + (row * (dataHeight + Gap));
            var p = Padding(row, column);
            rects[i] = new PixelRect(dataLeft - p.Left, dataLeft + dataWidth + p.Right, dataTop + dataHeight + p.Bottom, dataTop - p.Top);
        }
        return rects;
    }
}
