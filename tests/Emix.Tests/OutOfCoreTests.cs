using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary>Streamed (out-of-core) fits give the same bits as in-memory fits.</summary>
public class OutOfCoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-ooc-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Theory]
    [MemberData(nameof(TestData.TypesAndInits), MemberType = typeof(TestData))]
    public void Streamed_npy_fit_equals_the_in_memory_fit(CovarianceType type, InitMethod init)
    {
        var data = TestData.Blobs(5_000);
        string path = Path.Combine(_folder, "blobs.npy");
        NpyWriter.Write(path, data);
        // A sample smaller than the data exercises the sampled initialisation as well.
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Init = init, MaxIterations = 6, Tolerance = 0, InitSampleRows = 1_500 };
        var inMemory = new GaussianMixture(options).Fit(data);
        using var streamed = NpyFileRows.Open(path);
        var outOfCore = new GaussianMixture(options).Fit(streamed);
        Assert.Equal(TestData.Bits(inMemory), TestData.Bits(outOfCore));
    }

    [Fact]
    public void Fortran_order_and_float32_files_stream_like_they_load()
    {
        // 2 columns × 3,000 rows of float32 in Fortran order, written by hand.
        int n = 3000;
        var rng = new Emix.Internals.RandomSource(5);
        var columns = new float[2 * n];
        for (int i = 0; i < columns.Length; i++)
            columns[i] = (float)(rng.NextNormal() + (i % 3 == 0 ? 4 : 0));
        string path = Path.Combine(_folder, "f4.npy");
        var header = TestData.NpyHeader("<f4", $"({n}, 2)", fortranOrder: true);
        using (var file = File.Create(path))
        {
            file.Write(header);
            foreach (float f in columns)
                file.Write(BitConverter.GetBytes(f));
        }
        var loaded = NpyReader.Read(path);
        using var streamed = NpyFileRows.Open(path);
        var options = new GaussianMixtureOptions { ComponentCount = 2, MaxIterations = 5, Tolerance = 0 };
        Assert.Equal(TestData.Bits(new GaussianMixture(options).Fit(loaded)), TestData.Bits(new GaussianMixture(options).Fit(streamed)));
    }

    [Fact]
    public void A_non_finite_value_in_a_streamed_file_is_reported_with_row_and_column()
    {
        var values = new double[300];
        values[2 * 3 + 1] = double.NaN;
        string path = Path.Combine(_folder, "nan.npy");
        using (var stream = File.Create(path))
            NpyWriter.Write(stream, values, 100, 3);
        using var streamed = NpyFileRows.Open(path);
        var e = Assert.Throws<DataFormatException>(() => new GaussianMixture(new() { ComponentCount = 2 }).Fit(streamed));
        Assert.Contains("row 3, column 2", e.Message);
    }

    [Fact]
    public void The_cli_streams_npy_and_csv_under_a_memory_limit_with_identical_model_files()
    {
        var data = TestData.Blobs(6_000);
        string npy = Path.Combine(_folder, "d.npy"), csv = Path.Combine(_folder, "d.csv");
        NpyWriter.Write(npy, data);
        File.WriteAllLines(csv, new[] { "a,b,c" }.Concat(Enumerable.Range(0, data.RowCount).Select(i =>
            string.Join(',', data.Row(i).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))));
        string Fit(string input, params string[] extra)
        {
            string output = Path.Combine(_folder, Guid.NewGuid() + ".json");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = EmixApp.Run(["fit", input, "-k", "3", "-o", output, "--json", .. extra], stdout, stderr);
            Assert.True(code == 0, stderr.ToString());
            Assert.Contains($"\"out_of_core\":{(extra.Length > 0 ? "true" : "false")}", stdout.ToString());
            return File.ReadAllText(output);
        }
        Assert.Equal(Fit(npy), Fit(npy, "--memory-limit", "64K"));
        Assert.Equal(Fit(csv), Fit(csv, "--memory-limit", "64K"));
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"emix-{Environment.ProcessId}-*.npy"));
    }

    [Theory]
    [InlineData("2G", 2L << 30)]
    [InlineData("512M", 512L << 20)]
    [InlineData("64k", 64L << 10)]
    [InlineData("1.5GB", 3L << 29)]
    [InlineData("1000", 1000)]
    public void Memory_limits_parse_as_powers_of_1024(string text, long bytes) => Assert.Equal(bytes, DataPlan.ParseSize(text));
}
