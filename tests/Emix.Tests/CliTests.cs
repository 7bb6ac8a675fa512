using System.Globalization;
using System.Text.Json;
using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary>The emix command, run in-process: outputs, exit codes and one-line errors.</summary>
public class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-cli-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    private string File_(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Iris => Fixtures.Path_("data/iris.csv");

    [Fact]
    public void Fit_prints_the_summary_and_writes_a_model_that_info_predict_score_and_sample_use()
    {
        string model = Path.Combine(_folder, "iris.json");
        var fit = Run("fit", Iris, "-k", "3", "--covariance", "diag", "-o", model);
        Assert.Equal(0, fit.ExitCode);
        Assert.Equal("", fit.Error);
        Assert.Contains("Model VVI (diag", fit.Out);
        Assert.True(File.Exists(model));

        var info = Run("info", model);
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("Clustering table", info.Out);

        var predict = Run("predict", model, Iris, "--proba");
        Assert.Equal(0, predict.ExitCode);
        var lines = predict.Out.TrimEnd().Split('\n');
        Assert.Equal("component,p0,p1,p2", lines[0]);
        Assert.Equal(151, lines.Length);
        var loaded = GaussianMixtureModel.Load(model);
        var data = Fixtures.Data("iris");
        var labels = loaded.Predict(data);
        Assert.Equal(labels[0].ToString(CultureInfo.InvariantCulture), lines[1].Split(',')[0]);

        var score = Run("score", model, Iris);
        Assert.Equal(0, score.ExitCode);
        Assert.Contains($"score {loaded.Score(data).ToString("R", CultureInfo.InvariantCulture)}", score.Out);
        Assert.Contains($"bic {loaded.Bic(data).ToString("R", CultureInfo.InvariantCulture)}", score.Out);

        string perSample = Path.Combine(_folder, "scores.csv");
        Assert.Equal(0, Run("score", model, Iris, "--per-sample", "-o", perSample).ExitCode);
        var scores = File.ReadAllLines(perSample);
        Assert.Equal("log_likelihood", scores[0]);
        Assert.Equal(loaded.ScoreSamples(data)[149], double.Parse(scores[150], CultureInfo.InvariantCulture));

        string samples = Path.Combine(_folder, "samples.csv");
        Assert.Equal(0, Run("sample", model, "-n", "25", "--seed", "3", "-o", samples).ExitCode);
        var sampleLines = File.ReadAllLines(samples);
        Assert.Equal("sepal_length,sepal_width,petal_length,petal_width,component", sampleLines[0]);
        Assert.Equal(26, sampleLines.Length);
    }

    [Fact]
    public void Fit_json_prints_one_line_with_the_documented_keys()
    {
        var fit = Run("fit", Iris, "-k", "2", "--json", "--seed", "4");
        Assert.Equal(0, fit.ExitCode);
        var line = fit.Out.TrimEnd();
        Assert.DoesNotContain('\n', line);
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        foreach (var key in new[] { "n_iter", "converged", "lower_bound", "fit_seconds", "bic", "aic", "n_samples", "n_features" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(150, root.GetProperty("n_samples").GetInt32());
        Assert.Equal(4, root.GetProperty("n_features").GetInt32());
        var model = new GaussianMixture(new() { ComponentCount = 2, Seed = 4 }).Fit(Fixtures.Data("iris"));
        Assert.Equal(model.LowerBound, root.GetProperty("lower_bound").GetDouble());
        Assert.Equal(model.Bic(Fixtures.Data("iris")), root.GetProperty("bic").GetDouble());
    }

    [Fact]
    public void Init_params_from_a_file_reproduce_the_library_fit()
    {
        var fixture = Fixtures.Json("sklearn/faithful_full.json");
        var init = fixture.GetProperty("init");
        string initPath = File_("init.json", $$"""{"weights": {{init.GetProperty("weights").GetRawText()}}, "means": {{init.GetProperty("means").GetRawText()}}, "precisions": {{init.GetProperty("precisions").GetRawText()}}}""");
        var fit = Run("fit", Fixtures.Path_("data/faithful.csv"), "-k", "2", "--init-params", initPath, "--max-iter", "20", "--tol", "0", "--json");
        Assert.Equal(0, fit.ExitCode);
        using var doc = JsonDocument.Parse(fit.Out);
        double expected = fixture.GetProperty("fixed").GetProperty("lower_bound").GetDouble();
        Assert.Equal(expected, doc.RootElement.GetProperty("lower_bound").GetDouble(), 1e-10 * Math.Abs(expected));
    }

    [Fact]
    public void Thread_count_gives_byte_identical_model_files()
    {
        string data = Path.Combine(_folder, "blobs.npy");
        NpyWriter.Write(data, TestData.Blobs(30_000));
        string one = Path.Combine(_folder, "one.json"), all = Path.Combine(_folder, "all.json");
        Assert.Equal(0, Run("fit", data, "-k", "3", "--threads", "1", "-o", one).ExitCode);
        Assert.Equal(0, Run("fit", data, "-k", "3", "-o", all).ExitCode);
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(all));
    }

    [Fact]
    public void Demo_recovers_the_two_processes()
    {
        var demo = Run("demo", "--no-plot"); // the picture is tested in CliPicturesProgressFormatsTests
        Assert.Equal(0, demo.ExitCode);
        Assert.Contains("Histogram of the data", demo.Out);
        Assert.Contains("were assigned the component of the process that generated them", demo.Out);
        var model = DemoCommand.Run(TextWriter.Null, 1, default);
        var means = Fixtures.Flatten(model.Means).Order().ToArray();
        Assert.InRange(means[0], 19.5, 20.5);
        Assert.InRange(means[1], 39.5, 40.5);
    }

    public static TheoryData<string[], int, string[]> BadInputs() => new()
    {
        // args ({0} = temp folder), exit code, fragments the one-line message must contain
        { ["fit", "{0}/missing.csv"], 3, ["missing.csv", "file not found"] },
        { ["fit", "{0}/empty.csv"], 3, ["empty.csv", "no data rows"] },
        { ["fit", "{0}/header.csv"], 3, ["header.csv", "no data rows"] },
        { ["fit", "{0}/ragged.csv"], 3, ["ragged.csv", "row 3", "expected 2"] },
        { ["fit", "{0}/text.csv"], 3, ["text.csv", "row 3", "column 2", "'abc'"] },
        { ["fit", "{0}/nan.csv"], 3, ["nan.csv", "row 1", "column 1", "'NaN'"] },
        { ["fit", "{0}/small.csv", "-k", "5"], 2, ["small.csv", "3 rows", "5 components"] },
        { ["fit", "{0}/small.csv", "--tol", "-1"], 2, ["--tol", "-1"] },
        { ["fit", "{0}/small.csv", "--covariance", "bogus"], 2, ["bogus", "full"] },
        { ["fit", "{0}/small.csv", "--no-such-option"], 2, ["--no-such-option"] },
        { ["fit", "{0}/small.csv", "-k", "two"], 2, ["two"] },
        { ["fit", "{0}/small.csv", "--header", "--no-header"], 2, ["--header and --no-header"] },
        { ["fit", "{0}/small.csv", "--columns", "a,zzz"], 3, ["zzz"] },
        { ["fit", "{0}/dupes.csv", "-k", "2", "--reg-covar", "0"], 4, ["ill-defined empirical covariance", "reg_covar"] },
        { ["fit", "{0}/small.csv", "-k", "2", "--init-params", "{0}/missing.json"], 3, ["missing.json", "not found"] },
        { ["fit", "{0}/small.csv", "-k", "2", "--init-params", "{0}/badinit.json"], 3, ["badinit.json", "means[0]: expected 2 entries, found 1"] },
        { ["info", "{0}/missing.json"], 3, ["missing.json", "model file not found"] },
        { ["info", "{0}/truncated.json"], 3, ["truncated.json", "not valid JSON"] },
        { ["info", "{0}/negative.json"], 3, ["negative.json", "weights must lie in [0, 1]"] },
        { ["predict", "{0}/model.json", "{0}/wide.csv"], 3, ["wide.csv", "has 3 columns", "fitted on 2"] },
        { ["sample", "{0}/model.json", "-n", "0"], 2, ["-n 0"] },
        { ["sample", "{0}/model.json"], 2, ["-n"] },
        { [], 2, ["command"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_ends_with_one_line_and_the_documented_exit_code(string[] args, int exitCode, string[] fragments)
    {
        File_("empty.csv", "");
        File_("header.csv", "a,b\n");
        File_("ragged.csv", "a,b\n1,2\n3\n");
        File_("text.csv", "a,b\n1,2\n3,abc\n");
        File_("nan.csv", "NaN,1\n2,3\n");
        File_("small.csv", "a,b\n1,2\n3,4\n5,7\n");
        File_("wide.csv", "1,2,3\n4,5,6\n");
        File_("dupes.csv", "1,1\n1,1\n1,1\n5,5\n5,5\n5,5\n");
        File_("badinit.json", """{"means": [[1], [2]]}""");
        var model = GaussianMixtureModel.Create(CovarianceType.Diagonal, [0.5, 0.5], new double[,] { { 0, 0 }, { 1, 1 } }, [1, 1, 1, 1]);
        string modelPath = Path.Combine(_folder, "model.json");
        model.Save(modelPath);
        string text = File.ReadAllText(modelPath);
        File_("truncated.json", text[..(text.Length / 2)]);
        File_("negative.json", text.Replace("\"weights\": [\n    0.5,", "\"weights\": [\n    -0.5,", StringComparison.Ordinal));

        var outcome = Run(args.Select(a => a.Replace("{0}", _folder, StringComparison.Ordinal)).ToArray());
        Assert.Equal(exitCode, outcome.ExitCode);
        Assert.Equal("", outcome.Out);
        string line = outcome.Error.TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("emix: ", line);
        Assert.DoesNotContain("   at ", line);
        foreach (var fragment in fragments)
            Assert.Contains(fragment, line);
    }

    [Fact]
    public void A_failed_fit_leaves_an_existing_output_untouched_and_no_temporary_files()
    {
        string output = File_("model.json", "previous content");
        File_("dupes.csv", "1,1\n1,1\n1,1\n5,5\n5,5\n5,5\n");
        var outcome = Run("fit", Path.Combine(_folder, "dupes.csv"), "-k", "2", "--reg-covar", "0", "-o", output);
        Assert.Equal(4, outcome.ExitCode);
        Assert.Equal("previous content", File.ReadAllText(output));
        Assert.Equal(2, Directory.GetFiles(_folder).Length);
    }

    [Fact]
    public void An_unwritable_output_is_reported_with_its_own_exit_code()
    {
        var outcome = Run("fit", Iris, "-k", "2", "-o", Path.Combine(_folder, "no-such-folder", "m.json"));
        Assert.Equal(5, outcome.ExitCode);
        Assert.Contains("cannot write", outcome.Error);
    }

    [Fact]
    public void Every_command_and_option_has_help_text()
    {
        foreach (var command in new[] { "fit", "predict", "score", "sample", "info", "demo", "plot", "impute" })
        {
            var help = Run(command, "--help");
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Usage:", help.Out);
            foreach (var line in help.Out.Split('\n').Where(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal) || l.TrimStart().StartsWith('-')))
                Assert.True(line.Trim().Split("  ", StringSplitOptions.RemoveEmptyEntries).Length >= 2, $"{command}: option without help: {line}");
        }
    }
}
