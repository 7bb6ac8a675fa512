using System.Globalization;
using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary>The command line with missing cells: fit --missing error|drop|em and emix impute.</summary>
public sealed class MissingValueCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-missing-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Iris with holes as CSV: the markers cycle through empty, NA, NaN and nan.</summary>
    private string IrisWithHolesCsv()
    {
        var (_, missing, _) = MissingValueTests.IrisWithHoles();
        string[] markers = ["", "NA", "NaN", "nan"];
        int marker = 0;
        var lines = new List<string> { string.Join(',', missing.FeatureNames) };
        for (int i = 0; i < missing.RowCount; i++)
            lines.Add(string.Join(',', missing.Row(i).ToArray().Select(v => double.IsNaN(v) ? markers[marker++ % markers.Length] : v.ToString("R", CultureInfo.InvariantCulture))));
        string path = Path.Combine(_folder, "iris-holes.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Missing_cells_are_an_error_by_default_with_the_same_message_as_before()
    {
        string path = IrisWithHolesCsv();
        var expected = Assert.Throws<DataFormatException>(() => CsvReader.Read(path)).Message;
        var outcome = Run("fit", path, "-k", "3");
        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal($"emix: {expected}", outcome.Error.TrimEnd());
        Assert.Contains("missing value", outcome.Error);
        Assert.Equal(outcome.Error, Run("fit", path, "-k", "3", "--missing", "error").Error);
    }

    [Fact]
    public void Drop_fits_the_complete_rows_and_says_how_many_were_left_out()
    {
        string path = IrisWithHolesCsv();
        var (_, missing, _) = MissingValueTests.IrisWithHoles();
        var dropped = missing.DropIncompleteRows();
        string model = Path.Combine(_folder, "drop.json");
        var outcome = Run("fit", path, "-k", "3", "--missing", "drop", "-o", model);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"dropped {missing.RowCount - dropped.RowCount} of {missing.RowCount} rows"), outcome.Error);
        var expected = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 3 }).Fit(dropped);
        Assert.Equal(TestData.ParameterBits(expected), TestData.ParameterBits(GaussianMixtureModel.Load(model)));
    }

    [Fact]
    public void Em_fit_then_impute_round_trips_through_files()
    {
        string path = IrisWithHolesCsv();
        var (_, missing, removed) = MissingValueTests.IrisWithHoles();
        string model = Path.Combine(_folder, "em.json");
        var fit = Run("fit", path, "-k", "3", "--missing", "em", "-o", model);
        Assert.Equal(0, fit.ExitCode);
        Assert.Contains("120 missing cells", fit.Error);
        var expected = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 3 }).Fit(missing);
        Assert.Equal(TestData.ParameterBits(expected), TestData.ParameterBits(GaussianMixtureModel.Load(model)));

        string filled = Path.Combine(_folder, "filled.csv"), variances = Path.Combine(_folder, "var.csv");
        var impute = Run("impute", model, path, "-o", filled, "--variances", variances);
        Assert.Equal(0, impute.ExitCode);
        Assert.Equal("", impute.Error);
        Assert.Contains("Imputed 120 cells", impute.Out);
        var read = CsvReader.Read(filled);
        Assert.Equal(missing.FeatureNames, read.FeatureNames);
        var imputation = expected.Impute(missing);
        Assert.True(read.Values.SequenceEqual(imputation.Values.Values)); // round-trip precision: the same bits
        var readVariances = CsvReader.Read(variances);
        for (int cell = 0; cell < missing.Values.Length; cell++)
            Assert.Equal(imputation.Variances[cell / 4, cell % 4], readVariances.Values[cell]);
        Assert.All(removed, cell => Assert.True(readVariances.Values[cell] > 0));

        // To standard output without -o.
        var toStdout = Run("impute", model, path);
        Assert.Equal(0, toStdout.ExitCode);
        Assert.Equal(File.ReadAllText(filled).ReplaceLineEndings(), toStdout.Out.ReplaceLineEndings());
    }

    [Fact]
    public void Em_on_a_file_without_missing_cells_gives_the_bits_of_a_normal_fit()
    {
        string iris = Fixtures.Path_("data/iris.csv");
        string a = Path.Combine(_folder, "a.json"), b = Path.Combine(_folder, "b.json");
        Assert.Equal(0, Run("fit", iris, "-k", "3", "-o", a).ExitCode);
        var em = Run("fit", iris, "-k", "3", "--missing", "em", "-o", b);
        Assert.Equal(0, em.ExitCode);
        Assert.Equal("", em.Error);
        Assert.Equal(TestData.ParameterBits(GaussianMixtureModel.Load(a)), TestData.ParameterBits(GaussianMixtureModel.Load(b)));
    }

    [Fact]
    public void Threads_do_not_change_a_fit_with_missing_cells()
    {
        string path = IrisWithHolesCsv();
        string one = Path.Combine(_folder, "one.json"), all = Path.Combine(_folder, "all.json");
        Assert.Equal(0, Run("fit", path, "-k", "3", "--missing", "em", "--threads", "1", "-o", one).ExitCode);
        Assert.Equal(0, Run("fit", path, "-k", "3", "--missing", "em", "-o", all).ExitCode);
        Assert.Equal(TestData.ParameterBits(GaussianMixtureModel.Load(one)), TestData.ParameterBits(GaussianMixtureModel.Load(all)));
    }

    [Fact]
    public void Npy_nan_cells_are_missing_values_with_em()
    {
        var (_, missing, _) = MissingValueTests.IrisWithHoles();
        string path = Path.Combine(_folder, "holes.npy");
        NpyWriter.Write(path, missing);
        Assert.Equal(3, Run("fit", path, "-k", "3").ExitCode);
        var em = Run("fit", path, "-k", "3", "--missing", "em", "--json");
        Assert.Equal(0, em.ExitCode);
        Assert.Contains("\"n_samples\":150", em.Out);
    }

    [Fact]
    public void Predict_and_score_use_the_observed_cells_with_missing_em()
    {
        string path = IrisWithHolesCsv();
        var (_, missing, _) = MissingValueTests.IrisWithHoles();
        string model = Path.Combine(_folder, "m.json");
        Assert.Equal(0, Run("fit", path, "-k", "3", "--missing", "em", "-q", "-o", model).ExitCode);
        var loaded = GaussianMixtureModel.Load(model);
        Assert.Equal(3, Run("predict", model, path).ExitCode);
        var predict = Run("predict", model, path, "--missing", "em");
        Assert.Equal(0, predict.ExitCode);
        var labels = predict.Out.TrimEnd().Split('\n').Skip(1).Select(l => int.Parse(l.Trim(), CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(loaded.Predict(missing), labels);
        var score = Run("score", model, path, "--missing", "em");
        Assert.Equal(0, score.ExitCode);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"score {loaded.Score(missing):R}"), score.Out);
    }

    [Fact]
    public void Impute_needs_the_model_columns_and_has_help()
    {
        string path = IrisWithHolesCsv();
        string model = Path.Combine(_folder, "m.json");
        Assert.Equal(0, Run("fit", path, "-k", "2", "--missing", "em", "-q", "-o", model).ExitCode);
        var wrong = Run("impute", model, path, "--columns", "1,2");
        Assert.Equal(3, wrong.ExitCode);
        Assert.StartsWith("emix: ", wrong.Error);
        var help = Run("impute", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--variances", help.Out);
    }
}
