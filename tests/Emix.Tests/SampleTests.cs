using System.Diagnostics;
using System.Text.RegularExpressions;
using Emix.Tests.Plots;

namespace Emix.Tests;

/// <summary>
/// The README's C# example is samples/QuickStart/Program.cs, verbatim, and runs; the model-selection
/// sample runs too. The samples are built with the tests and run as separate programs in a scratch folder
/// that holds the data at the paths they name.
/// </summary>
public partial class SampleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-samples-").FullName;

    public SampleTests()
    {
        foreach (var name in new[] { "iris.csv", "faithful.csv" })
        {
            string target = Path.Combine(_folder, "tests", "fixtures", "data", name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Fixtures.Path_(Path.Combine("data", name)), target);
        }
    }

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The repository root: the first folder above the tests that holds Emix.slnx.</summary>
    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Emix.slnx")))
                return folder.FullName;
        throw new InvalidOperationException("Emix.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [Fact]
    public void The_readme_csharp_example_is_the_quick_start_sample_verbatim()
    {
        string root = RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        string sample = File.ReadAllText(Path.Combine(root, "samples", "QuickStart", "Program.cs")).ReplaceLineEndings("\n");
        var blocks = CSharpBlock().Matches(readme);
        Assert.NotEmpty(blocks);
        Assert.Equal(sample, blocks[0].Groups[1].Value);
    }

    [Fact]
    public void The_quick_start_sample_runs_and_writes_its_model_and_picture()
    {
        var (code, output) = RunSample("QuickStart");
        Assert.True(code == 0, output);
        Assert.Contains("Gaussian finite mixture model fitted by EM algorithm", output);
        Assert.Contains("Row 1: component", output);
        Assert.True(File.Exists(Path.Combine(_folder, "iris.json")));
        Assert.Equal((800, 600), Png.Size(File.ReadAllBytes(Path.Combine(_folder, "iris.png"))));
    }

    [Fact]
    public void The_model_selection_sample_runs_and_picks_two_full_components_for_old_faithful()
    {
        var (code, output) = RunSample("ModelSelection");
        Assert.True(code == 0, output);
        Assert.Contains("Best by BIC: VVV (full) with 2 components", output);
        Assert.Equal((800, 600), Png.Size(File.ReadAllBytes(Path.Combine(_folder, "bic.png"))));
    }

    [Fact]
    public void The_custom_rows_sample_fits_rows_a_user_class_supplies_from_another_assembly()
    {
        // The sample's RowSource subclass overrides the protected ReadRows: no InternalsVisibleTo.
        var (code, output) = RunSample("CustomRows");
        Assert.True(code == 0, output);
        Assert.Contains("Poisson finite mixture model fitted by EM algorithm", output);
        Assert.Contains("Same fit from the rows copied into memory: True", output);
    }

    [Fact]
    public void The_background_strip_sample_finds_the_moving_square_and_draws_the_strip()
    {
        var (code, output) = RunSample("BackgroundStrip");
        Assert.True(code == 0, output);
        // The square is 24 × 24 = 576 pixels; once the model has learnt the scene the mask holds about that many.
        foreach (string frame in new[] { "frame 60", "frame 80", "frame 100" })
        {
            var line = output.Split('\n').Single(l => l.StartsWith(frame + ":", StringComparison.Ordinal));
            int moving = int.Parse(line.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(moving, 480, 700);
        }
        Assert.Equal((672, 256), Png.Size(File.ReadAllBytes(Path.Combine(_folder, "strip.png"))));
    }

    [Fact]
    public void The_mlnet_pipeline_sample_normalises_fits_evaluates_and_predicts()
    {
        var (code, output) = RunSample("MlPipeline");
        Assert.True(code == 0, output);
        var nmi = output.Split('\n').Single(l => l.StartsWith("Normalized mutual information", StringComparison.Ordinal));
        double value = double.Parse(nmi[(nmi.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(value, 0.85, 1.0);
        Assert.Contains("Fitted: 3 components", output);
        Assert.Contains("A new flower: component", output);
        Assert.Equal(3, MixtureModel.LoadAny(Path.Combine(_folder, "iris-pipeline.json")).ComponentCount);
    }

    private (int Code, string Output) RunSample(string name, params string[] args) =>
        ChildProcess.Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", _folder,
            [Path.Combine(AppContext.BaseDirectory, name + ".dll"), .. args]);
}
