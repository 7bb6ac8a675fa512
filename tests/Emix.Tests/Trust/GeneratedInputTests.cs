using System.Text;
using Emix.Data;
using Xunit.Abstractions;

namespace Emix.Tests.Trust;

/// <summary>
/// Corpus inputs too large to commit, made here: a 100 MB line without a line end, and 10 GB sparse files
/// (no disk space used) of every kind. Each is refused within a second with bounded memory.
/// </summary>
[Collection(MeasuredAlone.Name)]
public sealed class GeneratedInputTests(ITestOutputHelper output) : IDisposable
{
    private const long HundredMegabytes = 100L * 1000 * 1000;
    private const long TenGigabytes = 10L * 1024 * 1024 * 1024;

    private readonly string _folder = Directory.CreateTempSubdirectory("emix-generated-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>"0.5,0.5,…" for 100 MB, no line end: a CSV whose first row never ends.</summary>
    private string HundredMegabyteLine(string name)
    {
        string path = Path.Combine(_folder, name);
        byte[] block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0.5,", 1 << 18))); // 1 MiB
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        for (long written = 0; written < HundredMegabytes; written += block.Length)
            stream.Write(block, 0, (int)Math.Min(block.Length, HundredMegabytes - written));
        return path;
    }

    private string Sparse(string name, long length)
    {
        string path = Path.Combine(_folder, name);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.SetLength(length); // a hole: reads as zeros, takes no space
        return path;
    }

    [Fact]
    public void A_100_MB_line_without_a_line_end_is_refused_within_a_second_allocating_less_than_the_file()
    {
        string path = HundredMegabyteLine("long-line.csv");
        string[] args = ["fit", path, "-k", "1"];
        _ = Cli.InProcess(args); // compiles the code paths
        var run = Cli.InProcess(args);

        output.WriteLine($"100 MB line: exit {run.ExitCode}, {run.Elapsed.TotalMilliseconds:F0} ms, {run.AllocatedBytes / 1e6:F1} MB allocated");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"long-line.csv: row 1: no line end in the first {CsvReader.MaxLineLength} characters", run.OneLineError());
        Assert.True(run.Elapsed < CorpusTests.MaxTime, $"{run.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(run.AllocatedBytes < HundredMegabytes, $"{run.AllocatedBytes} bytes allocated");
    }

    [Fact]
    public void A_100_MB_line_keeps_the_real_process_peak_memory_below_twice_the_file_size()
    {
        string path = HundredMegabyteLine("long-line-process.csv");
        var run = Cli.RealProcess("fit", path, "-k", "1");
        long peak = run.PeakRssBytes;

        output.WriteLine($"100 MB line, real process: exit {run.ExitCode}, {run.Elapsed.TotalMilliseconds:F0} ms, peak RSS {peak / 1e6:F0} MB");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no line end in the first", run.OneLineError());
        if (OperatingSystem.IsLinux())
            Assert.InRange(peak, 1, 2 * HundredMegabytes);
    }

    public static TheoryData<string, int, string> SparseFiles() => new()
    {
        { "huge.csv", 3, "row 1: no line end in the first" }, // zeros and no line end: the line limit stops the read
        { "huge.npy", 3, "not a NumPy .npy file" },
        { "huge-model.json", 3, "larger than any model file" },
    };

    [Theory]
    [MemberData(nameof(SparseFiles))]
    public void A_10_GB_file_is_refused_within_a_second_without_reading_it_all(string name, int exitCode, string fragment)
    {
        string path = Sparse(name, TenGigabytes);
        string[] args = name.EndsWith("-model.json", StringComparison.Ordinal) ? ["info", path] : ["fit", path, "-k", "1"];
        _ = Cli.InProcess(args);
        var run = Cli.InProcess(args);

        output.WriteLine($"{name} (10 GB sparse): exit {run.ExitCode}, {run.Elapsed.TotalMilliseconds:F0} ms, {run.AllocatedBytes / 1e6:F1} MB allocated: {run.Error.Trim()}");
        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains(fragment, run.OneLineError());
        Assert.True(run.Elapsed < CorpusTests.MaxTime, $"{run.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(run.AllocatedBytes < 100_000_000, $"{run.AllocatedBytes} bytes allocated");
    }

    [Fact]
    public void A_10_GB_initial_parameter_file_is_refused_before_it_is_read()
    {
        string init = Sparse("huge-init.json", TenGigabytes);
        string data = Path.Combine(CorpusTests.Root, "csv", "ok-two-features.csv");
        var run = Cli.InProcess("fit", data, "-k", "2", "--init-params", init);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("huge-init.json: file too large for initial parameters", run.OneLineError());
        Assert.True(run.Elapsed < CorpusTests.MaxTime, $"{run.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void A_NUL_free_10_GB_line_is_refused_at_the_line_limit()
    {
        // Not sparse: a real 10 GB file would not fit the test machine, so a reader that stops at the line
        // limit is checked on a stream that never ends instead.
        using var reader = new StreamReader(new EndlessDigits());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(reader, "endless.csv"));
        Assert.Contains("no line end in the first", e.Message);
        Assert.True(clock.Elapsed < CorpusTests.MaxTime, $"{clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    /// <summary>"1,1,1,…" forever.</summary>
    private sealed class EndlessDigits : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
                buffer[offset + i] = (byte)(i % 2 == 0 ? '1' : ',');
            return count - (count % 2);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
