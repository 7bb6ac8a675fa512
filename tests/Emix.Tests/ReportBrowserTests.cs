using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace Emix.Tests;

/// <summary>
/// The reports of Old Faithful and iris opened in headless Chromium, offline (every host name resolves to
/// nothing): no console message, every picture laid out and drawn (the page's own check, read back from the
/// DOM), and a screenshot with ink and colour where each picture is. Skipped where Chromium is not installed,
/// except in CI, where .ci/run installs it.
/// </summary>
public class ReportBrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const int WindowWidth = 1200;
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-browser-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static void SkipWithoutChromium()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("EMIX_PACKAGES") is not null;
        Skip.If(!File.Exists(Chromium) && !ci, $"{Chromium} is not installed (apt-get install chromium; .ci/run does)");
    }

    /// <summary>Opens <paramref name="page"/> in a fresh headless Chromium that cannot reach any host; returns its exit code, stdout and stderr.</summary>
    private (int Code, string Out, string Error) Browse(string page, params string[] more)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string profile = Directory.CreateDirectory(Path.Combine(_folder, $"profile-{Guid.NewGuid():N}")).FullName;
        try
        {
            foreach (var a in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0", "--force-device-scale-factor=1", "--hide-scrollbars",
            })
            {
                start.ArgumentList.Add(a);
            }
            foreach (var a in more)
                start.ArgumentList.Add(a);
            start.ArgumentList.Add(new Uri(page).AbsoluteUri);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish with {page}");
            }
            return (process.ExitCode, output, error.Result);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>Chromium's log lines of the page's console: every console call and every uncaught error.</summary>
    private static string[] ConsoleLines(string stderr) =>
        stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToArray();

    [SkippableFact]
    public void The_browser_checks_see_a_console_error_and_a_blank_page()
    {
        SkipWithoutChromium();
        // Without this the checks below could pass by seeing nothing at all.
        string bad = Path.Combine(_folder, "bad.html");
        File.WriteAllText(bad, "<!DOCTYPE html><html><body><p>text</p><script>console.error('boom'); undefinedFunction();</script></body></html>");
        var (code, _, error) = Browse(bad, "--dump-dom");
        Assert.Equal(0, code);
        var console = ConsoleLines(error);
        Assert.Contains(console, l => l.Contains("boom", StringComparison.Ordinal));
        Assert.Contains(console, l => l.Contains("undefinedFunction", StringComparison.Ordinal));

        string png = Path.Combine(_folder, "blank.png");
        Browse(bad, $"--window-size={WindowWidth},400", $"--screenshot={png}");
        var (inked, coloured, _) = Ink(png, new SKRectI(100, 100, 900, 400));
        Assert.Equal(0, coloured);
        Assert.True(inked < 0.01, $"{inked:P1} of a blank area is inked");
    }

    [SkippableTheory]
    [InlineData("faithful", 4)]
    [InlineData("iris", 3)]
    public void The_report_opens_offline_without_console_messages_and_every_picture_is_drawn(string data, int pictures)
    {
        SkipWithoutChromium();
        string page = Path.Combine(_folder, data + ".html");
        // The default grid of select (k = 1..9, all four structures), as a user would run it.
        var report = ReportTests.Run("report", Fixtures.Path_($"data/{data}.csv"), "-o", page, "-q");
        Assert.True(report.ExitCode == 0, report.Error);
        long size = new FileInfo(page).Length;
        Assert.True(size < 2 * 1024 * 1024, $"{size} bytes");
        ReportTests.AssertSelfContained(File.ReadAllText(page));

        // The page's script marks each figure and the body; a window taller than the page keeps the layout unscrolled.
        var (code, dom, error) = Browse(page, $"--window-size={WindowWidth},12000", "--dump-dom");
        Assert.Equal(0, code);
        Assert.Empty(ConsoleLines(error));
        var body = Regex.Match(dom, "<body data-pictures=\"(\\d+)/(\\d+)\" data-page-height=\"(\\d+)\">");
        Assert.True(body.Success, "the page's picture check did not run");
        Assert.Equal($"{pictures}/{pictures}", $"{body.Groups[1].Value}/{body.Groups[2].Value}");
        Assert.Contains($"All {pictures} pictures drawn.", dom);
        var figures = Regex.Matches(dom, "<figure class=\"picture\" id=\"picture-([a-z]+)\" data-drawn=\"(yes|no)\" data-box=\"(\\d+),(\\d+),(\\d+),(\\d+)\">");
        Assert.Equal(pictures, figures.Count);
        int height = int.Parse(body.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.InRange(height, 1000, 11_800);

        string png = Path.Combine(_folder, data + ".png");
        var shot = Browse(page, $"--window-size={WindowWidth},{height + 20}", $"--screenshot={png}");
        Assert.Equal(0, shot.Code);
        Assert.Empty(ConsoleLines(shot.Error));
        foreach (Match figure in figures)
        {
            string name = figure.Groups[1].Value;
            Assert.Equal("yes", figure.Groups[2].Value);
            int[] box = [.. Enumerable.Range(3, 4).Select(g => int.Parse(figure.Groups[g].Value, CultureInfo.InvariantCulture))];
            Assert.True(box[2] >= 700 && box[3] >= 500, $"{name} is laid out at {box[2]}×{box[3]}");
            var (inked, coloured, colours) = Ink(png, new SKRectI(box[0], box[1], box[0] + box[2], box[1] + box[3]));
            // Axes, ticks, text, points and lines: a drawn picture inks a few percent of its area at least,
            // in the components' colours, and with many shades (anti-aliasing, transparency).
            Assert.True(inked > 0.02, $"{name}: {inked:P1} of its area inked");
            Assert.True(coloured > 500, $"{name}: {coloured} coloured pixels");
            Assert.True(colours > 50, $"{name}: {colours} colours");
        }
    }

    /// <summary>In <paramref name="area"/> of the PNG: the share of pixels that are not white, how many are clearly coloured (not grey), and how many colours (to 4 bits a channel) there are.</summary>
    private static (double Inked, int Coloured, int Colours) Ink(string png, SKRectI area)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException($"{png}: not a decodable PNG");
        Assert.True(area.Right <= bitmap.Width && area.Bottom <= bitmap.Height, $"{area} is outside the {bitmap.Width}×{bitmap.Height} screenshot");
        int inked = 0, coloured = 0;
        var colours = new HashSet<int>();
        for (int y = area.Top; y < area.Bottom; y++)
            for (int x = area.Left; x < area.Right; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 245 || c.Green < 245 || c.Blue < 245)
                    inked++;
                int max = Math.Max(c.Red, Math.Max(c.Green, c.Blue)), min = Math.Min(c.Red, Math.Min(c.Green, c.Blue));
                if (max - min > 60)
                    coloured++;
                colours.Add(((c.Red >> 4) << 8) | ((c.Green >> 4) << 4) | (c.Blue >> 4));
            }
        return ((double)inked / (area.Width * area.Height), coloured, colours.Count);
    }
}
