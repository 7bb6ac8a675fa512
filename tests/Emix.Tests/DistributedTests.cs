using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Emix.Tests;

/// <summary>
/// <c>mpirun -np P emix fit DATA --distributed</c> on this machine (loopback): the model file is
/// byte-identical to a plain fit for P = 1, 2, 4 and every covariance type; a rank that dies or
/// hangs fails the job without leaving a model; the bytes moved per iteration do not grow with n.
/// </summary>
/// <remarks>
/// Skipped when <c>mpirun</c> is not installed, except in CI (.ci/run installs openmpi-bin), where
/// its absence fails the tests. Ranks run as root (<c>--allow-run-as-root</c>), more of them than
/// cores (<c>--oversubscribe</c>), and talk over TCP on the loopback interface.
/// </remarks>
public sealed class DistributedTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-mpi-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string? MpiRun =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, "mpirun")).FirstOrDefault(File.Exists);

    private static void SkipWithoutMpi()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("EMIX_PACKAGES") is not null;
        Skip.If(MpiRun is null && !ci, "mpirun is not installed (apt-get install openmpi-bin; .ci/run does)");
        Assert.True(MpiRun is not null, "mpirun is not installed: .ci/run installs openmpi-bin");
    }

    public static TheoryData<string, string> TypesWithInits() => new()
    {
        // Every covariance type, and every initialisation once (k-means++ and random_from_data
        // pick rows of the whole data set, k-means runs on the gathered sample).
        { "full", "kmeans" },
        { "tied", "k-means++" },
        { "diag", "random" },
        { "spherical", "random_from_data" },
    };

    [SkippableTheory]
    [MemberData(nameof(TypesWithInits))]
    public void One_two_and_four_ranks_write_the_model_file_of_a_plain_fit_byte_for_byte(string type, string init)
    {
        SkipWithoutMpi();
        // 20 chunks of 1024 rows: four ranks get 5 chunks each, not aligned to the reduction tree.
        string data = Path.Combine(_folder, "blobs.npy");
        Emix.Data.NpyWriter.Write(data, TestData.Blobs(20_000, d: 3));
        RanksWriteThePlainFitsFile(["fit", data, "-k", "3", "--covariance", type, "--init", init, "--seed", "5", "--tol", "1e-6", "--max-iter", "30", "--threads", "1", "--quiet"]);
    }

    /// <summary>The fit's model file written by 1, 2 and 4 ranks is byte for byte the single-process fit's.</summary>
    private void RanksWriteThePlainFitsFile(string[] fit)
    {
        string plain = Path.Combine(_folder, "plain.json");
        var output = new StringWriter();
        Assert.True(Cli.EmixApp.Run([.. fit, "-o", plain], output, output) == 0, output.ToString());
        byte[] expected = File.ReadAllBytes(plain);
        foreach (int ranks in new[] { 1, 2, 4 })
        {
            string model = Path.Combine(_folder, $"p{ranks}.json");
            var (code, text) = Run(ranks, [.. fit, "-o", model, "--distributed"], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"P={ranks}: exit {code}\n{text}");
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(model)), $"P={ranks}: the model file differs from the plain fit's");
        }
    }

    [SkippableFact]
    public void A_poisson_fit_on_one_two_and_four_ranks_writes_the_model_file_of_a_plain_fit()
    {
        SkipWithoutMpi();
        // The second family goes through the same driver, reduction and process group: the same bits.
        string data = Path.Combine(_folder, "counts.npy");
        Emix.Data.NpyWriter.Write(data, PoissonMixtureTests.Draws(20_000));
        RanksWriteThePlainFitsFile(["fit", data, "-k", "3", "--family", "poisson", "--seed", "5", "--tol", "1e-9", "--max-iter", "40", "--threads", "1", "--quiet"]);
    }

    [SkippableFact]
    public void Student_t_categorical_and_mixed_fits_on_one_two_and_four_ranks_write_the_model_file_of_a_plain_fit()
    {
        SkipWithoutMpi();
        // Categorical levels are found on each rank's rows and united; the t and mixed families go through the same driver.
        string t = Path.Combine(_folder, "t.npy");
        Emix.Data.NpyWriter.Write(t, StudentTMixtureModel.Create(CovarianceType.Full, [0.4, 0.6], new double[,] { { 0, 0 }, { 4, 2 } }, [1, 0.2, 0.2, 1, 2, 0, 0, 1], [3, 9]).Sample(20_000, seed: 2).Data);
        RanksWriteThePlainFitsFile(["fit", t, "-k", "2", "--family", "student-t", "--seed", "5", "--tol", "1e-8", "--max-iter", "30", "--threads", "1", "--quiet"]);
        var codes = new CategoricalMixture(new() { ComponentCount = 3, MaxIterations = 5 }).Fit(Emix.Data.CsvReader.Read(Fixtures.Path_("categorical/synthetic.csv"))).Sample(20_000, seed: 3).Data;
        string categorical = Path.Combine(_folder, "codes.npy");
        Emix.Data.NpyWriter.Write(categorical, codes);
        RanksWriteThePlainFitsFile(["fit", categorical, "-k", "3", "--family", "categorical", "--seed", "5", "--max-iter", "20", "--tol", "0", "--threads", "1", "--quiet"]);
        string mixed = Path.Combine(_folder, "mixed.npy");
        var table = new MixedMixture(new() { ComponentCount = 3, Families = ColumnFamily.ParseList("3:poisson,4:bernoulli,5:bernoulli,6:categorical"), MaxIterations = 5 })
            .Fit(Emix.Data.CsvReader.Read(Fixtures.Path_("mixed/synthetic.csv"))).Sample(20_000, seed: 4).Data;
        Emix.Data.NpyWriter.Write(mixed, table);
        RanksWriteThePlainFitsFile(["fit", mixed, "-k", "3", "--families", "3:poisson,4:bernoulli,5:bernoulli,6:categorical", "--seed", "5", "--max-iter", "20", "--tol", "0", "--threads", "1", "--quiet"]);
        // Variational: the priors' data mean and covariance, the E-step and the bound's statistics are all merged over ranks.
        RanksWriteThePlainFitsFile(["fit", t, "-k", "4", "--variational", "--covariance", "diag", "--seed", "5", "--max-iter", "25", "--tol", "0", "--threads", "1", "--quiet"]);
    }

    [SkippableFact]
    public void Restarts_streamed_shares_and_given_means_work_too_and_only_rank_0_prints()
    {
        SkipWithoutMpi();
        string data = Path.Combine(_folder, "blobs.npy");
        Emix.Data.NpyWriter.Write(data, TestData.Blobs(20_000, d: 3));
        string means = Path.Combine(_folder, "means.json");
        File.WriteAllText(means, """{"means": [[0, 0, 0], [3, 3, 3], [-3, 3, 0]]}""");
        // --memory-limit 64k: every rank streams its rows from the file on every pass.
        string[] fit = ["fit", data, "-k", "3", "--n-init", "2", "--init", "random", "--memory-limit", "64k", "--reg-covar", "1e-4", "--max-iter", "15", "--quiet", "--json"];
        string weights = Path.Combine(_folder, "weights.txt");
        File.WriteAllLines(weights, Enumerable.Range(0, 20_000).Select(i => ((i * 7) % 5).ToString(CultureInfo.InvariantCulture)));
        foreach (var extra in new[] { Array.Empty<string>(), ["--init-params", means, "--fix", "means"], ["--weights", weights] })
        {
            string plain = Path.Combine(_folder, "plain.json"), model = Path.Combine(_folder, "p3.json");
            var output = new StringWriter();
            Assert.True(Cli.EmixApp.Run([.. fit, .. extra, "-o", plain], output, output) == 0, output.ToString());
            Assert.Contains("\"out_of_core\":true", output.ToString());
            var (code, text) = Run(3, [.. fit, .. extra, "-o", model, "--distributed"], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, text);
            Assert.Single(text.Split('\n'), line => line.StartsWith('{'));
            Assert.Contains("\"out_of_core\":true", text);
            Assert.Equal(File.ReadAllBytes(plain), File.ReadAllBytes(model));
        }
    }

    [SkippableFact]
    public void Ranks_reading_their_parquet_row_groups_write_the_model_of_a_plain_fit()
    {
        SkipWithoutMpi();
        // Row groups of 3000 rows: shares (multiples of 1024 rows) cut through them.
        string data = Path.Combine(_folder, "blobs.parquet");
        WriteParquet(data, TestData.Blobs(20_000, d: 3), rowGroupRows: 3000);
        string[] fit = ["fit", data, "-k", "3", "--seed", "2", "--max-iter", "20", "--threads", "1", "--quiet"];
        string plain = Path.Combine(_folder, "plain.json");
        var output = new StringWriter();
        Assert.True(Cli.EmixApp.Run([.. fit, "-o", plain], output, output) == 0, output.ToString());
        foreach (int ranks in new[] { 2, 4 })
        {
            string model = Path.Combine(_folder, $"p{ranks}.json");
            var (code, text) = Run(ranks, [.. fit, "-o", model, "--distributed"], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"P={ranks}: exit {code}\n{text}");
            Assert.Equal(File.ReadAllBytes(plain), File.ReadAllBytes(model));
        }
    }

    [SkippableFact]
    public void One_file_per_rank_is_fitted_as_the_files_one_after_the_other()
    {
        SkipWithoutMpi();
        // Files of unequal lengths that end inside chunks, one shorter than a chunk: the ranks
        // complete chunks from the following ranks' first rows.
        var all = TestData.Blobs(20_000, d: 3);
        string whole = Path.Combine(_folder, "whole.npy");
        Emix.Data.NpyWriter.Write(whole, all);
        int[] cuts = [0, 3_000, 12_000, 12_500, 20_000];
        for (int r = 0; r < 4; r++)
            Emix.Data.NpyWriter.Write(Path.Combine(_folder, $"part-{r}.npy"), DataSet.FromRowMajor(all.Values[(cuts[r] * 3)..(cuts[r + 1] * 3)], 3));
        string[] fit = ["-k", "3", "--init", "k-means++", "--seed", "4", "--max-iter", "20", "--threads", "1", "--quiet"];
        string plain = Path.Combine(_folder, "plain.json"), model = Path.Combine(_folder, "p4.json");
        var output = new StringWriter();
        Assert.True(Cli.EmixApp.Run(["fit", whole, .. fit, "-o", plain], output, output) == 0, output.ToString());
        var (code, text) = Run(4, ["fit", Path.Combine(_folder, "part-{rank}.npy"), .. fit, "-o", model, "--distributed"], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, text);
        Assert.Equal(File.ReadAllBytes(plain), File.ReadAllBytes(model));
    }

    [Fact]
    public void A_parquet_row_range_reads_the_rows_of_the_whole_file()
    {
        string data = Path.Combine(_folder, "blobs.parquet");
        var all = TestData.Blobs(10_000, d: 2);
        WriteParquet(data, all, rowGroupRows: 3000);
        Assert.Equal(10_000, Parquet.ParquetDataReader.RowCount(data));
        foreach (var (first, count) in new[] { (0, 10_000), (1024, 2048), (2999, 2), (9000, 1000), (5000, 1) })
        {
            var part = Parquet.ParquetDataReader.Read(data, null, first, count);
            Assert.Equal(all.Values.Slice(first * 2, count * 2).ToArray(), part.Values.ToArray());
        }
    }

    private static void WriteParquet(string path, DataSet data, int rowGroupRows) => WriteParquetAsync(path, data, rowGroupRows).GetAwaiter().GetResult();

    private static async Task WriteParquetAsync(string path, DataSet data, int rowGroupRows)
    {
        var fields = data.FeatureNames.Select(n => new global::Parquet.Schema.DataField<double>(n)).ToArray();
        await using var stream = File.Create(path);
        await using var writer = await global::Parquet.ParquetWriter.CreateAsync(new global::Parquet.Schema.ParquetSchema(fields), stream);
        for (int start = 0; start < data.RowCount; start += rowGroupRows)
        {
            int rows = Math.Min(rowGroupRows, data.RowCount - start);
            using var group = writer.CreateRowGroup();
            for (int a = 0; a < fields.Length; a++)
            {
                var column = Enumerable.Range(start, rows).Select(i => data[i, a]).ToArray();
                await group.WriteAsync<double>(fields[a], column.AsMemory());
            }
        }
    }

    [SkippableFact]
    public void The_bytes_moved_per_iteration_do_not_grow_with_the_row_count()
    {
        SkipWithoutMpi();
        var perIteration = new List<long>();
        foreach (int n in new[] { 20_000, 400_000 })
        {
            string data = Path.Combine(_folder, $"blobs-{n}.npy");
            Emix.Data.NpyWriter.Write(data, TestData.Blobs(n, d: 3));
            var (code, text) = Run(2, ["fit", data, "-k", "3", "--tol", "0", "--max-iter", "5", "--threads", "1", "--quiet", "--json", "--distributed"], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, text);
            using var json = JsonDocument.Parse(text.Split('\n').First(l => l.StartsWith('{')));
            Assert.Equal(2, json.RootElement.GetProperty("ranks").GetInt32());
            perIteration.Add(json.RootElement.GetProperty("mpi_bytes_per_iter").GetInt64());
        }
        // One exchange per iteration: each rank sends a few statistics buffers (full, k = 3, d = 3:
        // 1 + k + k·d + k·d² = 40 doubles each) and receives the other rank's: at most 9 per rank
        // whatever n (how many exactly depends on where the shares cut the reduction tree).
        foreach (long bytes in perIteration)
        {
            Assert.Equal(0, bytes % (40 * 8));
            Assert.InRange(bytes / (40 * 8), 2, 2 * 9);
        }
    }

    [SkippableFact]
    public void A_rank_killed_mid_fit_fails_the_job_quickly_and_leaves_no_model()
    {
        SkipWithoutMpi();
        string data = Path.Combine(_folder, "blobs.npy");
        Emix.Data.NpyWriter.Write(data, TestData.Blobs(20_000, d: 3));
        string model = Path.Combine(_folder, "model.json");
        // tol 0 and many iterations: the fit would run for minutes.
        var mpirun = Start(2, ["fit", data, "-k", "3", "--tol", "0", "--max-iter", "100000", "--threads", "1", "--quiet", "-o", model, "--distributed"]);
        var output = Collect(mpirun);
        var ranks = WaitForRanks(mpirun, 2);
        Thread.Sleep(TimeSpan.FromSeconds(3)); // well into the EM loop
        Process.GetProcessById(ranks[1]).Kill();
        var clock = Stopwatch.StartNew();
        Assert.True(mpirun.WaitForExit(TimeSpan.FromSeconds(60)), "mpirun did not end after a rank was killed");
        Assert.NotEqual(0, mpirun.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the job took {clock.Elapsed} to end");
        Assert.Empty(Directory.GetFiles(_folder, "*.json*"));
        Assert.Empty(Directory.GetFiles(_folder, ".model.json*"));
        _ = output;
    }

    [SkippableFact]
    public void A_rank_that_hangs_aborts_the_job_after_the_distributed_timeout()
    {
        SkipWithoutMpi();
        string data = Path.Combine(_folder, "blobs.npy");
        Emix.Data.NpyWriter.Write(data, TestData.Blobs(20_000, d: 3));
        string model = Path.Combine(_folder, "model.json");
        var mpirun = Start(2, ["fit", data, "-k", "3", "--tol", "0", "--max-iter", "100000", "--threads", "1", "--quiet", "-o", model, "--distributed", "--distributed-timeout", "2"]);
        var output = Collect(mpirun);
        var ranks = WaitForRanks(mpirun, 2);
        Thread.Sleep(TimeSpan.FromSeconds(3));
        // SIGSTOP: the process neither dies nor answers; the runtime sees nothing wrong.
        Assert.Equal(0, Process.Start("kill", ["-STOP", ranks[1].ToString(CultureInfo.InvariantCulture)]).WaitForExitAsync().Wait(10_000) ? 0 : 1);
        try
        {
            Assert.True(mpirun.WaitForExit(TimeSpan.FromSeconds(60)), "mpirun did not end after a rank stopped answering");
        }
        finally
        {
            Process.Start("kill", ["-KILL", ranks[1].ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        }
        // The timed wait returns when mpirun exits, before its redirected output is read to the end (the
        // stopped rank held the pipe open until killed): this wait drains it.
        mpirun.WaitForExit();
        Assert.Equal(6, mpirun.ExitCode);
        Assert.Contains("--distributed-timeout", output.ToString());
        Assert.Empty(Directory.GetFiles(_folder, "*.json*"));
    }

    [Theory]
    [InlineData("--missing", "em")]
    [InlineData("--weight-column", "x1")]
    [InlineData("--on-collapse", "reseed")]
    public void Options_a_distributed_fit_does_not_support_are_refused_before_mpi_starts(string option, string value)
    {
        string data = Path.Combine(_folder, "blobs.npy");
        Emix.Data.NpyWriter.Write(data, TestData.Blobs(3_000, d: 2));
        var output = new StringWriter();
        Assert.Equal(2, Cli.EmixApp.Run(["fit", data, "-k", "2", option, value, "--distributed"], output, output));
        Assert.Contains("--distributed", output.ToString());
        Assert.Single(output.ToString().Trim().Split('\n'));
    }

    [Fact]
    public void A_single_process_runs_distributed_without_mpirun_or_fails_with_one_line()
    {
        // Without mpirun, MPI starts as a singleton (rank 0 of 1) where Open MPI is installed;
        // where it is not, --distributed fails with exit code 6 and one line.
        string data = Path.Combine(_folder, "blobs.npy");
        Emix.Data.NpyWriter.Write(data, TestData.Blobs(3_000, d: 2));
        string plain = Path.Combine(_folder, "plain.json"), single = Path.Combine(_folder, "single.json");
        var output = new StringWriter();
        Assert.Equal(0, Cli.EmixApp.Run(["fit", data, "-k", "2", "--quiet", "-o", plain], output, output));
        var (code, text) = RunCli(["fit", data, "-k", "2", "--quiet", "-o", single, "--distributed"]);
        if (MpiRun is null)
        {
            Assert.Equal(6, code);
            Assert.StartsWith("emix: --distributed: ", text.Trim());
            return;
        }
        Assert.True(code == 0, text);
        Assert.Equal(File.ReadAllBytes(plain), File.ReadAllBytes(single));
    }

    private static List<int> WaitForRanks(Process mpirun, int count)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var children = Children(mpirun.Id);
            if (children.Count >= count)
                return children;
            Thread.Sleep(100);
        }
        throw new TimeoutException("the ranks did not start");
    }

    /// <summary>Processes whose parent is <paramref name="parent"/> (mpirun forks the local ranks itself).</summary>
    private static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid))
                continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                    children.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        children.Sort();
        return children;
    }

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "Emix.Cli.dll");

    private Process Start(int ranks, string[] args)
    {
        var start = new ProcessStartInfo(MpiRun!)
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // TCP over the loopback interface, as between the nodes of a cluster (not shared memory).
        string[] mpirun = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"];
        foreach (var a in (string[])[.. mpirun, "-np", ranks.ToString(CultureInfo.InvariantCulture), Dotnet, CliDll])
            start.ArgumentList.Add(a);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["TERM"] = "dumb";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(start)!;
    }

    private static StringWriter Collect(Process process)
    {
        var output = new StringWriter();
        process.OutputDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return output;
    }

    private (int Code, string Output) Run(int ranks, string[] args, TimeSpan limit)
    {
        using var process = Start(ranks, args);
        var output = Collect(process);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mpirun -np {ranks} did not finish in {limit}:\n{output}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    private (int Code, string Output) RunCli(string[] args)
    {
        var start = new ProcessStartInfo(Dotnet)
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(CliDll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["TERM"] = "dumb";
        using var process = Process.Start(start)!;
        var output = Collect(process);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "emix did not finish");
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }
}
