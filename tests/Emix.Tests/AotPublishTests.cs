using System.Diagnostics;
using Emix.Cli;

namespace Emix.Tests;

/// <summary>
/// A test that runs only where <c>EMIX_AOT</c> names a Native AOT build of the CLI
/// (<c>dotnet publish src/Emix.Cli -c Release -r linux-x64 -p:PublishAot=true</c>; .ci/run makes one);
/// elsewhere it is skipped, so a plain <c>dotnet test</c> stays quick.
/// </summary>
public sealed class AotFactAttribute : FactAttribute
{
    public AotFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EMIX_AOT")))
            Skip = "set EMIX_AOT to a Native AOT build of the emix CLI (.ci/run makes one)";
    }
}

/// <summary>
/// The Native AOT binary does what the JIT-compiled CLI does, to the bit: the same kernels (its
/// instruction set is this machine's), CSV and Parquet input (Parquet.Net reports trim warnings for
/// paths Emix does not take; this proves the ones it takes survive trimming).
/// </summary>
public class AotPublishTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-aot-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static string Binary => Environment.GetEnvironmentVariable("EMIX_AOT")!;

    [AotFact]
    public void The_native_binary_writes_the_same_model_files_as_the_jit_compiled_cli_from_csv_and_parquet()
    {
        string iris = Fixtures.Path_("data/iris.csv");
        foreach (var type in new[] { "full", "tied", "diag", "spherical" })
        {
            string native = Path.Combine(_folder, $"native-{type}.json"), jit = Path.Combine(_folder, $"jit-{type}.json");
            var (code, output) = RunNative("fit", iris, "-k", "3", "--covariance", type, "--seed", "7", "-o", native);
            Assert.True(code == 0, output);
            Assert.Equal(0, EmixApp.Run(["fit", iris, "-k", "3", "--covariance", type, "--seed", "7", "-o", jit], TextWriter.Null, TextWriter.Null));
            Assert.Equal(File.ReadAllBytes(jit), File.ReadAllBytes(native));
        }

        // Parquet written and read back by the native binary, against the JIT CLI reading the same file.
        string parquet = Path.Combine(_folder, "sample.parquet");
        var sample = RunNative("sample", Path.Combine(_folder, "native-full.json"), "-n", "2000", "--seed", "3", "-o", parquet);
        Assert.True(sample.Code == 0, sample.Output);
        string fromNative = Path.Combine(_folder, "parquet-native.json"), fromJit = Path.Combine(_folder, "parquet-jit.json");
        var fit = RunNative("fit", parquet, "-k", "3", "-o", fromNative);
        Assert.True(fit.Code == 0, fit.Output);
        Assert.Equal(0, EmixApp.Run(["fit", parquet, "-k", "3", "-o", fromJit], TextWriter.Null, TextWriter.Null));
        Assert.Equal(File.ReadAllBytes(fromJit), File.ReadAllBytes(fromNative));
        Assert.Equal(2000, GaussianMixtureModel.Load(fromNative).Fit!.RowCount);
    }

    [AotFact]
    public void The_native_binary_reports_bad_input_with_the_documented_exit_code()
    {
        string bad = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(bad, "a,b\n1,2\n3,oops\n");
        var (code, output) = RunNative("fit", bad, "-k", "1");
        Assert.Equal(3, code);
        Assert.Contains("oops", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // one line, no stack trace
    }

    private (int Code, string Output) RunNative(params string[] args) => ChildProcess.Run(Binary, _folder, args);
}
