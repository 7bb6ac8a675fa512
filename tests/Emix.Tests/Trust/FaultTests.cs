using System.Diagnostics;
using System.Globalization;
using System.Text;
using Emix.Data;
using Emix.Internals;
using Xunit.Abstractions;

namespace Emix.Tests.Trust;

/// <summary>
/// Faults while writing: the real CLI killed with SIGKILL at random moments, a full disk, a read-only folder.
/// After each, the output path holds the old file byte for byte or the complete new one, never a part.
/// (A SIGKILL can leave the hidden temporary file <c>.NAME.PID.GUID.tmp</c> beside it: nothing can remove
/// it from a killed process; it is never the output.) Full-disk and read-only cases mount a small tmpfs,
/// which needs root (CI runs as root); without mount permission they are skipped with the reason.
/// </summary>
[Collection(MeasuredAlone.Name)] // kill timings are only meaningful when the machine is not also running other tests
public sealed class FaultTests : IClassFixture<FaultTests.Inputs>, IDisposable
{
    private const int KillsPerCommand = 12;

    private readonly ITestOutputHelper _output;
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-faults-").FullName;
    private readonly string _data;
    private readonly string _modelA; // k = 2
    private readonly string _modelB; // k = 3

    public FaultTests(Inputs inputs, ITestOutputHelper output)
    {
        _output = output;
        _data = inputs.Data;
        _modelA = inputs.ModelA;
        _modelB = inputs.ModelB;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Made once for the class: 100 000 rows of 3 columns (about 5 MB of CSV) and two models of them.</summary>
    public sealed class Inputs : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("emix-fault-inputs-").FullName;

        public Inputs()
        {
            Data = Path.Combine(_folder, "data.csv");
            var rng = new RandomSource(11);
            var text = new StringBuilder("a,b,c\n");
            for (int i = 0; i < 100_000; i++)
            {
                int c = i % 3;
                text.Append(CultureInfo.InvariantCulture, $"{(c * 4) + rng.NextNormal():R},{(c * -2) + rng.NextNormal():R},{rng.NextNormal():R}\n");
            }
            File.WriteAllText(Data, text.ToString());
            ModelA = Path.Combine(_folder, "a.json");
            ModelB = Path.Combine(_folder, "b.json");
            Assert.Equal(0, Cli.InProcess("fit", Data, "-k", "2", "-o", ModelA).ExitCode);
            Assert.Equal(0, Cli.InProcess("fit", Data, "-k", "3", "-o", ModelB).ExitCode);
        }

        public string Data { get; }
        public string ModelA { get; }
        public string ModelB { get; }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Sigkill_while_fitting_and_saving_leaves_the_old_model_or_the_complete_new_one()
    {
        string target = Path.Combine(_folder, "out", "model.json");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        KillRepeatedly(["fit", _data, "-k", "3", "-o", target], target, File.ReadAllBytes(_modelA), File.ReadAllBytes(_modelB));
    }

    [Fact]
    public void Sigkill_while_writing_predictions_leaves_the_old_file_or_the_complete_new_one()
    {
        string target = Path.Combine(_folder, "out", "predictions.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string old = Path.Combine(_folder, "old-predictions.csv");
        string complete = Path.Combine(_folder, "new-predictions.csv");
        Assert.Equal(0, Cli.InProcess("predict", _modelA, _data, "--proba", "-o", old).ExitCode);
        Assert.Equal(0, Cli.InProcess("predict", _modelB, _data, "--proba", "-o", complete).ExitCode);
        KillRepeatedly(["predict", _modelB, _data, "--proba", "-o", target], target, File.ReadAllBytes(old), File.ReadAllBytes(complete));
    }

    /// <summary>
    /// Times one uninterrupted run (which must write exactly <paramref name="complete"/>), then restores the
    /// old file and kills a fresh run after a random delay, again and again: half the delays anywhere in the
    /// run, half around its end, when the output is written.
    /// </summary>
    private void KillRepeatedly(string[] args, string target, byte[] old, byte[] complete)
    {
        File.WriteAllBytes(target, old);
        var reference = Cli.RealProcess(args);
        Assert.Equal(0, reference.ExitCode);
        Assert.Equal(complete, File.ReadAllBytes(target));
        double seconds = reference.Elapsed.TotalSeconds;

        var rng = new Random(20_240_601); // fixed: the delays are logged and reproducible
        int kept = 0, replaced = 0, midWrite = 0;
        var log = new List<string>();
        for (int i = 0; i < KillsPerCommand; i++)
        {
            File.WriteAllBytes(target, old);
            double delay = i % 2 == 0 ? rng.NextDouble() * seconds : seconds * (0.75 + (0.35 * rng.NextDouble()));
            using var process = Cli.Start(args);
            Thread.Sleep(TimeSpan.FromSeconds(delay));
            bool exitedFirst = process.HasExited;
            process.Kill(); // SIGKILL on Unix
            process.WaitForExit();

            byte[] now = File.ReadAllBytes(target);
            bool isOld = now.AsSpan().SequenceEqual(old), isNew = now.AsSpan().SequenceEqual(complete);
            Assert.True(isOld || isNew, $"kill after {delay:F3} s left a file that is neither the old nor the complete new one ({now.Length} bytes)");
            var leftovers = Directory.GetFiles(Path.GetDirectoryName(target)!).Where(f => f != target).ToArray();
            Assert.All(leftovers, f => Assert.Matches(@"^\.[^/]+\.\d+\.[0-9a-f]{32}\.tmp$", Path.GetFileName(f)));
            if (leftovers.Length > 0)
                midWrite++;
            foreach (string f in leftovers)
                File.Delete(f);
            kept += isOld ? 1 : 0;
            replaced += isNew ? 1 : 0;
            log.Add($"{delay:F3}s→{(isNew ? "new" : "old")}{(leftovers.Length > 0 ? "+tmp" : "")}{(exitedFirst ? "(had exited)" : "")}");
        }
        _output.WriteLine($"emix {args[0]}: uninterrupted {seconds:F2} s; {KillsPerCommand} kills: old kept {kept}, complete new {replaced}, killed while writing the temporary file {midWrite}");
        _output.WriteLine(string.Join(", ", log));
    }

    /// <summary>A small tmpfs mounted for one test, unmounted and removed at the end.</summary>
    private sealed class TmpfsMount : IDisposable
    {
        public TmpfsMount(string path, string size)
        {
            Path = path;
            Directory.CreateDirectory(path);
            var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0777", "tmpfs", path);
            Skip.If(code != 0, $"cannot mount a tmpfs ({error.Trim()}): run the tests as root (CI does) to test a full disk and a read-only folder.");
        }

        public string Path { get; }

        public void Remount(string options)
        {
            var (code, error) = Run("mount", "-o", $"remount,{options}", Path);
            Assert.True(code == 0, $"remount {options}: {error}");
        }

        public void Dispose()
        {
            if (Run("umount", Path).Code != 0)
                Run("umount", "-l", Path);
        }

        public static (int Code, string Error) Run(string file, params string[] args)
        {
            try
            {
                var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (string a in args)
                    info.ArgumentList.Add(a);
                using var process = Process.Start(info)!;
                string error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                return (process.ExitCode, error);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (-1, e.Message);
            }
        }
    }

    /// <summary>Fills a file system until a write fails, then frees <paramref name="leaveFree"/> bytes.</summary>
    private static void Fill(string folder, int leaveFree)
    {
        string filler = Path.Combine(folder, "filler");
        var block = new byte[4096];
        using (var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            try
            {
                while (true)
                {
                    stream.Write(block);
                    stream.Flush(flushToDisk: true);
                }
            }
            catch (IOException)
            {
                // No space left on device: full.
            }
        }
        var length = new FileInfo(filler).Length;
        using (var stream = new FileStream(filler, FileMode.Open, FileAccess.Write))
            stream.SetLength(Math.Max(0, length - leaveFree));
    }

    [SkippableFact]
    public void A_full_disk_fails_with_exit_5_and_leaves_the_old_outputs_intact()
    {
        using var mount = new TmpfsMount(Path.Combine(_folder, "full"), "512k");
        string model = Path.Combine(mount.Path, "model.json");
        string predictions = Path.Combine(mount.Path, "predictions.csv");
        File.Copy(_modelA, model);
        File.WriteAllText(predictions, "component\n0\n1\n");
        byte[] oldModel = File.ReadAllBytes(model), oldPredictions = File.ReadAllBytes(predictions);

        Fill(mount.Path, leaveFree: 0);
        var fit = Cli.InProcess("fit", _data, "-k", "3", "-o", model);
        _output.WriteLine($"full disk, fit: exit {fit.ExitCode}: {fit.Error.Trim()}");
        Assert.Equal(5, fit.ExitCode);
        Assert.Contains("cannot write the model", fit.OneLineError());
        Assert.Contains("No space left on device", fit.Error);

        // Room for part of the predictions (a few hundred kilobytes are needed): the write fails midway.
        File.Delete(Path.Combine(mount.Path, "filler"));
        Fill(mount.Path, leaveFree: 64 * 1024);
        var predict = Cli.InProcess("predict", _modelB, _data, "--proba", "-o", predictions);
        _output.WriteLine($"full disk, predict: exit {predict.ExitCode}: {predict.Error.Trim()}");
        Assert.Equal(5, predict.ExitCode);
        Assert.Contains("cannot write", predict.OneLineError());

        Assert.Equal(oldModel, File.ReadAllBytes(model));
        Assert.Equal(oldPredictions, File.ReadAllBytes(predictions));
        // The failed temporary files were removed.
        Assert.Equal(new[] { "filler", "model.json", "predictions.csv" }, Directory.GetFiles(mount.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }

    [SkippableFact]
    public void A_read_only_folder_fails_with_exit_5_and_leaves_the_old_outputs_intact()
    {
        // Root ignores permission bits, so the folder is made read-only the way root cannot bypass: a tmpfs
        // remounted read-only.
        using var mount = new TmpfsMount(Path.Combine(_folder, "ro"), "1m");
        string model = Path.Combine(mount.Path, "model.json");
        string samples = Path.Combine(mount.Path, "samples.csv");
        File.Copy(_modelA, model);
        File.WriteAllText(samples, "a,b,c,component\n1,2,3,0\n");
        byte[] oldModel = File.ReadAllBytes(model), oldSamples = File.ReadAllBytes(samples);
        mount.Remount("ro");

        var fit = Cli.InProcess("fit", _data, "-k", "3", "-o", model);
        _output.WriteLine($"read-only, fit: exit {fit.ExitCode}: {fit.Error.Trim()}");
        Assert.Equal(5, fit.ExitCode);
        Assert.Contains("cannot write the model", fit.OneLineError());
        Assert.Contains("Read-only file system", fit.Error);

        var sample = Cli.InProcess("sample", _modelB, "-n", "100", "-o", samples);
        Assert.Equal(5, sample.ExitCode);
        Assert.Contains("cannot write", sample.OneLineError());

        Assert.Equal(oldModel, File.ReadAllBytes(model));
        Assert.Equal(oldSamples, File.ReadAllBytes(samples));
        Assert.Equal(2, Directory.GetFiles(mount.Path).Length);
    }

    [Fact]
    public void A_missing_output_folder_and_a_folder_in_place_of_the_file_exit_5()
    {
        var missing = Cli.InProcess("fit", _data, "-k", "2", "-o", Path.Combine(_folder, "no", "such", "model.json"));
        Assert.Equal(5, missing.ExitCode);
        Assert.Contains("cannot write the model", missing.OneLineError());

        string folderInTheWay = Path.Combine(_folder, "model-folder.json");
        Directory.CreateDirectory(folderInTheWay);
        var blocked = Cli.InProcess("predict", _modelA, _data, "-o", folderInTheWay);
        Assert.Equal(5, blocked.ExitCode);
        Assert.Contains("cannot write", blocked.OneLineError());
        Assert.True(Directory.Exists(folderInTheWay));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_npy_writer_replaces_a_file_atomically_too()
    {
        string path = Path.Combine(_folder, "data.npy");
        NpyWriter.Write(path, DataSet.FromArray(new double[,] { { 1, 2 } }));
        byte[] old = File.ReadAllBytes(path);
        Assert.ThrowsAny<Exception>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100]);
            throw new IOException("simulated failure halfway");
        }));
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_folder, "data.npy*"));
        Assert.Empty(Directory.GetFiles(_folder, ".data.npy*"));
    }
}
