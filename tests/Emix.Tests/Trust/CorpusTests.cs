using Xunit.Abstractions;

namespace Emix.Tests.Trust;

/// <summary>
/// The malformed-input corpus (tests/corpus, made by make_corpus.py, listed in expected.tsv): every file gives
/// its exact exit code and a one-line message naming the problem, within a second, allocating no more than a
/// small multiple of its size. How a file is run depends on its folder: data files (csv, tsv, npy) with
/// <c>emix fit FILE -k 1 --json</c>, model files with <c>emix info FILE</c>, initial-parameter files with
/// <c>emix fit csv/ok-two-features.csv -k 2 --json --init-params FILE</c>.
/// </summary>
[Collection(MeasuredAlone.Name)]
public class CorpusTests(ITestOutputHelper output)
{
    /// <summary>The promise: allocated bytes at most this many times the file size, plus <see cref="FixedBytes"/>.</summary>
    internal const int BytesPerFileByte = 16;

    /// <summary>What any run allocates whatever the input (command-line parsing, read buffers, the summary).</summary>
    internal const long FixedBytes = 8 << 20;

    internal static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(1);

    public static string Root => Path.Combine(AppContext.BaseDirectory, "corpus");

    public sealed record CorpusCase(string File, int ExitCode, string[] Fragments)
    {
        public override string ToString() => File;
    }

    public static IReadOnlyList<CorpusCase> Cases { get; } = File.ReadAllLines(Path.Combine(Root, "expected.tsv"))
        .Where(line => line.Length > 0 && line[0] != '#')
        .Select(line => line.Split('\t'))
        .Select(cells => new CorpusCase(cells[0], int.Parse(cells[1]), cells[2..]))
        .ToArray();

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
            data.Add(c.File);
        return data;
    }

    internal static string[] Arguments(string file)
    {
        string path = Path.Combine(Root, file);
        return file.Split('/')[0] switch
        {
            "csv" or "tsv" or "npy" => ["fit", path, "-k", "1", "--json"],
            "model" => ["info", path],
            "init" => ["fit", Path.Combine(Root, "csv", "ok-two-features.csv"), "-k", "2", "--json", "--init-params", path],
            var kind => throw new InvalidOperationException($"unknown corpus folder {kind}"),
        };
    }

    internal static void AssertOutcome(CorpusCase c, CliRun run)
    {
        Assert.True(run.ExitCode == c.ExitCode,
            $"{c.File}: exit {run.ExitCode}, expected {c.ExitCode}; stderr: {run.Error.Trim()}; stdout: {run.Out.Trim()}");
        if (c.ExitCode == 0)
        {
            Assert.Equal("", run.Error);
            foreach (string fragment in c.Fragments)
                Assert.Contains(fragment, run.Out);
        }
        else
        {
            Assert.Equal("", run.Out);
            string message = run.OneLineError();
            foreach (string fragment in c.Fragments)
                Assert.Contains(fragment, message);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_file_gives_its_exit_code_and_message_in_a_second_and_bounded_memory(string file)
    {
        var c = Cases.Single(x => x.File == file);
        string[] args = Arguments(file);
        AssertOutcome(c, Cli.InProcess(args)); // first run: also compiles the code paths
        var run = Cli.InProcess(args);
        AssertOutcome(c, run);

        long size = new FileInfo(Path.Combine(Root, file)).Length;
        long allowed = (BytesPerFileByte * size) + FixedBytes;
        output.WriteLine($"{file}: exit {run.ExitCode}, {size} bytes, {run.Elapsed.TotalMilliseconds:F1} ms, {run.AllocatedBytes} bytes allocated");
        Assert.True(run.Elapsed < MaxTime, $"{file}: {run.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(run.AllocatedBytes <= allowed, $"{file}: {run.AllocatedBytes} bytes allocated for a {size}-byte file (allowed {allowed})");
    }

    [Fact]
    public void Every_corpus_file_is_listed_with_its_expectation_and_every_listed_file_exists()
    {
        string[] kinds = ["csv", "tsv", "npy", "model", "init"];
        var onDisk = kinds.SelectMany(kind => Directory.EnumerateFiles(Path.Combine(Root, kind)))
            .Select(path => Path.GetRelativePath(Root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToArray();
        var listed = Cases.Select(c => c.File).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(listed, onDisk);
        Assert.Equal(listed.Length, listed.Distinct().Count());
        Assert.All(Cases, c => Assert.NotEmpty(c.Fragments));
    }

    [Fact]
    public void Every_case_the_issue_lists_is_in_the_corpus()
    {
        // The issue's list, each mapped to at least one corpus file (Parquet has no reader yet, so no file).
        string[] required =
        [
            "csv/empty.csv", "csv/header-only.csv", "csv/utf8-bom.csv", "csv/crlf.csv", "csv/quoted-numbers.csv",
            "csv/thousands-separator-quoted.csv", "csv/decimal-comma-semicolons.csv", "csv/ragged-short-row.csv",
            "csv/nul-bytes.csv", "csv/utf16le-bom.csv", "csv/utf16le-no-bom.csv", "csv/non-numeric-cell.csv",
            "csv/nan.csv", "csv/inf.csv", "csv/overflow-1e309.csv", "tsv/empty.tsv", "tsv/decimal-comma.tsv",
            "npy/shape-larger-than-file.npy", "npy/claims-10GB.npy", "npy/dtype-int64.npy", "npy/big-endian.npy",
            "npy/object-array.npy", "npy/nan.npy", "npy/inf.npy",
            "model/truncated.json", "model/negative-weight.json", "model/non-pd-covariance.json", "model/means-wrong-shape.json",
            "model/ok-extra-keys.json", "model/missing-weights.json", "model/future-version.json", "model/claims-10GB.json",
            "init/empty.json", "init/negative-weight.json", "init/non-pd-covariance.json", "init/means-wrong-shape.json",
        ];
        var listed = Cases.Select(c => c.File).ToHashSet();
        Assert.All(required, file => Assert.Contains(file, listed));
    }

    public static TheoryData<string> RealProcessFiles() => new()
    {
        "csv/ok-two-features.csv", "csv/empty.csv", "csv/decimal-comma-semicolons.csv", "csv/utf16le-no-bom.csv",
        "npy/claims-10GB.npy", "npy/big-endian.npy", "model/future-version.json", "model/truncated.json", "init/negative-weight.json",
    };

    [Theory]
    [MemberData(nameof(RealProcessFiles))]
    public void The_real_process_gives_the_same_exit_code_and_message(string file)
    {
        var c = Cases.Single(x => x.File == file);
        var run = Cli.RealProcess(Arguments(file));
        output.WriteLine($"{file}: exit {run.ExitCode} in {run.Elapsed.TotalMilliseconds:F0} ms (process start included)");
        AssertOutcome(c, run);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(10), $"{file}: {run.Elapsed.TotalSeconds:F1} s");
    }
}
