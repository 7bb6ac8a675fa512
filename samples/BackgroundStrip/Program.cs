using Emix;
using ScottPlot;

// A grey 160 × 120 clip: a textured, noisy background and a checkered square that crosses it. The
// background model learns the scene frame by frame; its masks (white = moving) are drawn under four
// of the frames into strip.png (or the path given as the first argument).
const int Width = 160, Height = 120, Frames = 120;
var random = new Random(7);
var texture = new double[Height, Width];
for (int y = 0; y < Height; y++)
    for (int x = 0; x < Width; x++)
        texture[y, x] = 90 + (40 * Math.Sin(x / 9.0) * Math.Cos(y / 7.0));

var model = new BackgroundMixture(Width, Height, 1);
var frame = new byte[Width * Height];
var mask = new byte[Width * Height];
int[] shown = [40, 60, 80, 100];
var strip = new List<(byte[] Frame, byte[] Mask)>();
for (int t = 0; t < Frames; t++)
{
    int left = 10 + (t * 5 / 4), top = 40;
    for (int y = 0; y < Height; y++)
    {
        for (int x = 0; x < Width; x++)
        {
            bool square = t >= 20 && x >= left && x < left + 24 && y >= top && y < top + 24;
            // The square's checks move with it, so that its inside changes from frame to frame as a real object's does.
            bool light = ((x - left) / 6 + (y - top) / 6) % 2 == 0;
            double noise = 3 * ((random.NextDouble() + random.NextDouble() + random.NextDouble()) - 1.5);
            frame[(y * Width) + x] = (byte)Math.Clamp((square ? (light ? 230 : 20) : texture[y, x]) + noise, 0, 255);
        }
    }
    model.Apply(frame, mask);
    if (shown.Contains(t))
        strip.Add((frame.ToArray(), mask.ToArray()));
}

var plot = new Plot();
for (int i = 0; i < strip.Count; i++)
{
    foreach (var (pixels, row) in new[] { (strip[i].Frame, 1), (strip[i].Mask, 0) })
    {
        var image = new double[Height, Width];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                image[y, x] = pixels[(y * Width) + x];
        var heatmap = plot.Add.Heatmap(image);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.Extent = new CoordinateRect(i * (Width + 8), (i * (Width + 8)) + Width, row * (Height + 8), (row * (Height + 8)) + Height);
    }
    int moving = strip[i].Mask.Count(v => v == 255);
    Console.WriteLine($"frame {shown[i]}: {moving} pixels moving");
}
plot.Axes.Frameless();
plot.HideGrid();
string path = args.Length > 0 ? args[0] : "strip.png";
plot.SavePng(path, 4 * (Width + 8), 2 * (Height + 8));
Console.WriteLine($"Frames (top) and masks (bottom) written to {path}");
