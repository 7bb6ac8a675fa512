using System.Globalization;
using Emix.Cli;
using Emix.Data.Frames;

namespace Emix.Tests;

/// <summary>
/// Per-pixel background mixtures against OpenCV 4.6's BackgroundSubtractorMOG2 on small clips
/// (tests/fixtures/background, written by make_fixtures.py), thread-count independence, PGM/PPM
/// folders, and refusals of bad frames.
/// </summary>
public sealed class BackgroundTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-background-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static byte[][] ReadAll(string path, out int width, out int height, out int channels)
    {
        using var source = FrameSource.Open(path);
        (width, height, channels) = (source.Width, source.Height, source.Channels);
        var frames = new byte[source.FrameCount][];
        for (int t = 0; t < frames.Length; t++)
        {
            frames[t] = new byte[source.FrameBytes];
            source.ReadFrame(t, frames[t]);
        }
        return frames;
    }

    private static byte[][] Masks(byte[][] frames, int width, int height, int channels, BackgroundMixtureOptions options)
    {
        var model = new BackgroundMixture(width, height, channels, options);
        return frames.Select(f => model.Apply(f)).ToArray();
    }

    [Theory]
    [InlineData("grey", "grey_opencv", false)]
    [InlineData("colour", "colour_opencv", false)]
    [InlineData("colour", "colour_opencv_shadows", true)]
    public void Masks_are_those_of_opencv_mog2_with_the_same_parameters(string clip, string reference, bool shadows)
    {
        var frames = ReadAll(Fixtures.Path_($"background/{clip}_frames.npy"), out int w, out int h, out int c);
        var expected = ReadAll(Fixtures.Path_($"background/{reference}.npy"), out _, out _, out _);
        var masks = Masks(frames, w, h, c, new BackgroundMixtureOptions { DetectShadows = shadows });
        long same = 0, total = 0, foreground = 0;
        for (int t = 0; t < frames.Length; t++)
        {
            for (int i = 0; i < masks[t].Length; i++)
            {
                same += masks[t][i] == expected[t][i] ? 1 : 0;
                foreground += expected[t][i] == 255 ? 1 : 0;
            }
            total += masks[t].Length;
        }
        Assert.True(foreground > total / 100, "the clip has too little foreground to test anything");
        // The same algorithm in single precision: OpenCV's float rounding may differ in a handful of pixels at most.
        Assert.True(same >= total - (total / 10_000), string.Create(CultureInfo.InvariantCulture, $"{total - same} of {total} mask pixels differ from OpenCV's"));
    }

    [Fact]
    public void Masks_do_not_depend_on_the_thread_count_and_a_pgm_folder_reads_like_the_npy()
    {
        var frames = ReadAll(Fixtures.Path_("background/grey_frames.npy"), out int w, out int h, out int c);
        var one = Masks(frames, w, h, c, new() { MaxDegreeOfParallelism = 1 });
        var two = Masks(frames, w, h, c, new() { MaxDegreeOfParallelism = 2 });
        Assert.Equal(one.SelectMany(m => m), two.SelectMany(m => m));

        string folder = Path.Combine(_folder, "pgm");
        Directory.CreateDirectory(folder);
        for (int t = 0; t < frames.Length; t++)
            WritePgm(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"frame{t:D4}.pgm")), frames[t], w, h);
        var fromFolder = ReadAll(folder, out int fw, out int fh, out int fc);
        Assert.Equal((w, h, c), (fw, fh, fc));
        Assert.Equal(frames.SelectMany(f => f), fromFolder.SelectMany(f => f));
    }

    private static void WritePgm(string path, byte[] pixels, int width, int height)
    {
        using var file = File.Create(path);
        file.Write(System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P5\n# frame\n{width} {height}\n255\n")));
        file.Write(pixels);
    }

    [Fact]
    public void The_cli_writes_the_masks_of_the_library()
    {
        string frames = Fixtures.Path_("background/colour_frames.npy");
        string masks = Path.Combine(_folder, "masks.npy");
        var stdout = new StringWriter();
        Assert.Equal(0, EmixApp.Run(["background", frames, "-o", masks, "--json", "--threads", "2"], stdout, new StringWriter()));
        Assert.Contains("\"frames\":40", stdout.ToString(), StringComparison.Ordinal);
        var written = ReadAll(masks, out int w, out int h, out _);
        var all = ReadAll(frames, out _, out _, out int c);
        Assert.Equal(Masks(all, w, h, c, new()).SelectMany(m => m), written.SelectMany(m => m));
    }

    [Fact]
    public void Bad_frames_end_with_one_line_and_exit_3_and_nothing_written()
    {
        string Npy(string name, string descr, string shape, int dataBytes)
        {
            string path = Path.Combine(_folder, name);
            using var file = File.Create(path);
            file.Write(TestData.NpyHeader(descr, shape));
            file.Write(new byte[dataBytes]);
            return path;
        }
        string folder = Path.Combine(_folder, "mixed");
        Directory.CreateDirectory(folder);
        WritePgm(Path.Combine(folder, "a.pgm"), new byte[16 * 8], 16, 8);
        WritePgm(Path.Combine(folder, "b.pgm"), new byte[8 * 8], 8, 8);
        foreach (var (input, message) in new[]
        {
            (Npy("float.npy", "<f8", "(2, 4, 4)", 2 * 16 * 8), "frames must be uint8"),
            (Npy("flat.npy", "|u1", "(4, 4)", 16), "frames must have shape (t, h, w) or (t, h, w, 3)"),
            (Npy("short.npy", "|u1", "(3, 4, 4)", 40), "truncated"),
            (folder, "every frame must have the same size"),
        })
        {
            string output = Path.Combine(_folder, "out.npy");
            var stderr = new StringWriter();
            int code = EmixApp.Run(["background", input, "-o", output], new StringWriter(), stderr);
            Assert.Equal(ExitCodes.BadInput, code);
            string text = stderr.ToString().Trim();
            Assert.Single(text.Split('\n'));
            Assert.Contains(message, text, StringComparison.Ordinal);
            Assert.False(File.Exists(output), $"{input}: a mask file was written");
        }
        var usage = new StringWriter();
        Assert.Equal(ExitCodes.Usage, EmixApp.Run(["background", folder, "-o", Path.Combine(_folder, "x.npy"), "--background-ratio", "1.5"], new StringWriter(), usage));
        Assert.Contains("BackgroundRatio", usage.ToString(), StringComparison.Ordinal);
    }
}
