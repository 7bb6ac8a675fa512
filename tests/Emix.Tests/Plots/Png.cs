using SkiaSharp;

namespace Emix.Tests.Plots;

/// <summary>What the picture tests look at in a PNG: its header, and pixels that are not background.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the PNG signature and the IHDR chunk, and returns the size it declares.</summary>
    public static (int Width, int Height) Size(byte[] png)
    {
        Assert.True(png.Length > 33, "too short for a PNG");
        Assert.Equal(Signature, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        int width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        int height = (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23];
        return (width, height);
    }

    /// <summary>Pixels that differ from white in a rectangle (the whole picture by default).</summary>
    public static int Inked(byte[] png, SKRectI? area = null, byte threshold = 250)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException("not a decodable PNG");
        var r = area ?? new SKRectI(0, 0, bitmap.Width, bitmap.Height);
        int count = 0;
        for (int y = r.Top; y < r.Bottom; y++)
            for (int x = r.Left; x < r.Right; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < threshold || c.Green < threshold || c.Blue < threshold)
                    count++;
            }
        return count;
    }

    /// <summary>Dark pixels (text, black lines) in a rectangle.</summary>
    public static int Dark(byte[] png, SKRectI area) => Inked(png, area, threshold: 100);
}
