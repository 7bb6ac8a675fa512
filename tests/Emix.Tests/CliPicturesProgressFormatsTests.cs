using System.Globalization;
using Emix.Cli;
using Emix.Data;
using Emix.Parquet;
using Emix.Tests.Plots;

namespace Emix.Tests;

/// <summary>The emix command's pictures (plot, demo.png), fit progress and cancellation, and Parquet in and out.</summary>
public class CliPicturesProgressFormatsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-cli5-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static Outcome Run(CliContext? context, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        context = (context ?? new CliContext(stdout, stderr, default)) with { Out = stdout, Error = stderr };
        int code = EmixApp.Run(args, context);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    private static Outcome Run(params string[] args) => Run(null, args);

    private string In(string name) => Path.Combine(_folder, name);

    private static string Iris => Fixtures.Path_("data/iris.csv");

    private static string Faithful => Fixtures.Path_("data/faithful.csv");

    // ---- plot -------------------------------------------------------------------------------------

    public static TheoryData<string, string, string[]> PlotCases() => new()
    {
        { "iris", "density", [] },
        { "iris", "classification", [] },
        { "iris", "uncertainty", ["--columns", "petal_length,petal_width"] },
        { "faithful", "density", ["--columns", "eruptions"] },
        { "faithful", "classification", [] },
        { "faithful", "uncertainty", [] },
    };

    [Theory]
    [MemberData(nameof(PlotCases))]
    public void Plot_draws_a_saved_model_as_a_png_of_the_requested_size(string name, string kind, string[] extra)
    {
        string data = name == "iris" ? Iris : Faithful;
        string model = In("model.json");
        Assert.Equal(0, Run("fit", data, "-k", name == "iris" ? "3" : "2", "-o", model).ExitCode);
        string picture = In($"{name}-{kind}.png");
        var plot = Run(["plot", data, "--model", model, "--kind", kind, "-o", picture, "--width", "640", "--height", "480", .. extra]);
        Assert.Equal(0, plot.ExitCode);
        Assert.Equal("", plot.Error);
        Assert.Contains($"Picture written to {picture} (640×480 PNG)", plot.Out);
        var png = File.ReadAllBytes(picture);
        Assert.Equal((640, 480), Png.Size(png));
        Assert.True(Png.Inked(png) > 640 * 480 / 50);
    }

    [Fact]
    public void Plot_bic_fits_the_grid_itself_and_marks_the_lowest()
    {
        string picture = In("bic.svg");
        var plot = Run("plot", Faithful, "--kind", "bic", "-k", "1..4", "--covariance", "full,diag", "-o", picture);
        Assert.Equal(0, plot.ExitCode);
        Assert.Contains("Lowest BIC: VVV (full), k = 2", plot.Out);
        Assert.Contains("8 fits", plot.Out);
        string svg = File.ReadAllText(picture);
        Assert.Contains("scikit-learn", svg);
        Assert.Contains("lower is better", svg);
    }

    [Fact]
    public void Plot_without_a_model_draws_the_lowest_bic_fit()
    {
        string picture = In("auto.png");
        var plot = Run("plot", Faithful, "--kind", "classification", "-k", "2", "--covariance", "full", "-o", picture);
        Assert.Equal(0, plot.ExitCode);
        Assert.Contains("Lowest BIC: VVV (full), k = 2", plot.Out);
        Assert.Equal((800, 600), Png.Size(File.ReadAllBytes(picture)));
    }

    [Theory]
    [InlineData(new[] { "plot", "{data}", "-k", "2", "-o", "{0}/p.jpg" }, 2, "must end in .png or .svg")]
    [InlineData(new[] { "plot", "{data}", "-k", "2" }, 2, "-o")]
    [InlineData(new[] { "plot", "{data}", "--kind", "pie", "-o", "{0}/p.png" }, 2, "pie")]
    [InlineData(new[] { "plot", "{data}", "-k", "3..1", "-o", "{0}/p.png" }, 2, "-k 3..1")]
    [InlineData(new[] { "plot", "{data}", "-k", "2", "--width", "10", "-o", "{0}/p.png" }, 2, "width")]
    [InlineData(new[] { "plot", "{data}", "--model", "{0}/missing.json", "-o", "{0}/p.png" }, 3, "missing.json")]
    [InlineData(new[] { "plot", "{data}", "-k", "2", "-o", "{0}/no-such-folder/p.png" }, 5, "cannot write")]
    public void Plot_errors_are_one_line_with_the_documented_exit_code(string[] args, int exitCode, string fragment)
    {
        var outcome = Run(args.Select(a => a.Replace("{0}", _folder, StringComparison.Ordinal).Replace("{data}", Faithful, StringComparison.Ordinal)).ToArray());
        Assert.Equal(exitCode, outcome.ExitCode);
        string line = outcome.Error.TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("emix: ", line);
        Assert.Contains(fragment, line);
        Assert.False(File.Exists(In("p.png")));
    }

    // ---- demo -------------------------------------------------------------------------------------

    [Fact]
    public void Demo_writes_its_picture_where_asked_and_says_where()
    {
        string picture = In("demo.png");
        var demo = Run("demo", "--plot", picture);
        Assert.Equal(0, demo.ExitCode);
        Assert.Contains("were assigned the component of the process that generated them", demo.Out);
        Assert.Contains($"Picture of the data and the fitted density: {picture}", demo.Out);
        var png = File.ReadAllBytes(picture);
        Assert.Equal((800, 600), Png.Size(png));
        Assert.True(Png.Dark(png, new SkiaSharp.SKRectI(0, 0, 800, 36)) > 200, "the title is drawn");

        var none = Run("demo", "--no-plot");
        Assert.Equal(0, none.ExitCode);
        Assert.DoesNotContain("Picture", none.Out);
    }

    [Fact]
    public void Demo_writes_demo_png_in_the_current_folder_by_default()
    {
        Assert.Equal("demo.png", DemoCommand.DefaultPicture);
        var help = Run("demo", "--help");
        Assert.Contains("demo.png", help.Out);
    }

    // ---- progress and cancellation ----------------------------------------------------------------

    [Fact]
    public void A_fit_whose_stderr_is_not_a_terminal_prints_plain_progress_lines_and_a_closing_line()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, default) { ProgressInterval = TimeSpan.Zero };
        var fit = Run(context, "fit", Faithful, "-k", "2", "--tol", "0", "--max-iter", "5", "--n-init", "2");
        Assert.Equal(0, fit.ExitCode);
        var lines = fit.Error.TrimEnd().Split('\n');
        Assert.Equal(11, lines.Length); // 2 runs × 5 iterations, then the closing line
        Assert.Matches(@"^emix fit: run 1/2, iteration 1, lower bound -?\d.*, change n/a, [\d.]+ it/s \([\d.]+[kMG]? rows/s\), [\d.]+ s$", lines[0]);
        Assert.Matches(@"^emix fit: run 2/2, iteration 5, lower bound -?\d.*, change [+-]\d\.\d\de[+-]\d\d, ", lines[9]);
        Assert.StartsWith("emix fit: done: 10 iterations in ", lines[10]);
        Assert.DoesNotContain('\u001b', fit.Error); // no escape codes in a log
        Assert.Contains("Gaussian finite mixture model", fit.Out);
    }

    [Fact]
    public void Quiet_shows_no_progress_and_short_fits_are_silent_in_logs()
    {
        var quiet = Run(new CliContext(TextWriter.Null, TextWriter.Null, default) { ProgressInterval = TimeSpan.Zero },
            "fit", Faithful, "-k", "2", "--quiet");
        Assert.Equal(0, quiet.ExitCode);
        Assert.Equal("", quiet.Error);
        var normal = Run("fit", Faithful, "-k", "2"); // about a second between lines: a short fit prints none
        Assert.Equal("", normal.Error);
    }

    [Fact]
    public void Cancelling_during_a_fit_exits_130_and_writes_nothing()
    {
        string data = In("blobs.npy");
        NpyWriter.Write(data, TestData.Blobs(20_000));
        string model = In("model.json");
        using var cancellation = new CancellationTokenSource();
        int seen = 0;
        var context = new CliContext(TextWriter.Null, TextWriter.Null, cancellation.Token)
        {
            ProgressObserver = p =>
            {
                seen++;
                if (p.Iteration == 3)
                    cancellation.Cancel(); // as Ctrl-C does, in the middle of EM
            },
        };
        var fit = Run(context, "fit", data, "-k", "3", "--tol", "0", "--max-iter", "50", "--quiet", "-o", model);
        Assert.Equal(130, fit.ExitCode);
        Assert.Equal("emix: cancelled; nothing was written.", fit.Error.TrimEnd());
        Assert.Equal("", fit.Out);
        Assert.Equal(3, seen);
        Assert.Equal([data], Directory.GetFiles(_folder)); // no model, no temporary file
    }

    [Fact]
    public void Cancelling_the_fits_of_a_plot_exits_130_and_writes_no_picture()
    {
        using var cancellation = new CancellationTokenSource();
        var context = new CliContext(TextWriter.Null, TextWriter.Null, cancellation.Token)
        {
            ProgressObserver = _ => cancellation.Cancel(),
        };
        var plot = Run(context, "plot", Iris, "--kind", "bic", "-k", "1..3", "-o", In("bic.png"));
        Assert.Equal(130, plot.ExitCode);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    // ---- formats ----------------------------------------------------------------------------------

    [Fact]
    public void Parquet_in_and_out_match_csv()
    {
        // Iris as Parquet, with an extra text-free int column that --columns leaves out.
        var iris = Fixtures.Data("iris");
        var columns = Enumerable.Range(0, 4).Select(a => ParquetColumn.Of(iris.FeatureNames[a], Enumerable.Range(0, iris.RowCount).Select(i => iris[i, a]).ToArray())).ToList();
        columns.Add(ParquetColumn.Of("id", Enumerable.Range(1, iris.RowCount).ToArray()));
        string parquet = In("iris.parquet");
        ParquetDataWriter.Write(parquet, columns);

        string fromCsv = In("csv.json"), fromParquet = In("parquet.json");
        Assert.Equal(0, Run("fit", Iris, "-k", "3", "--quiet", "-o", fromCsv).ExitCode);
        var fit = Run("fit", parquet, "-k", "3", "--columns", "sepal_length,sepal_width,petal_length,petal_width", "--quiet", "-o", fromParquet);
        Assert.Equal(0, fit.ExitCode);
        Assert.Equal(TestData.Bits(GaussianMixtureModel.Load(fromCsv)), TestData.Bits(GaussianMixtureModel.Load(fromParquet)).Select(b => b).ToArray());

        // Predictions: CSV to stdout and Parquet by extension hold the same values.
        var csv = Run("predict", fromCsv, Iris, "--proba");
        string predictions = In("predictions.parquet");
        Assert.Equal(0, Run("predict", fromCsv, Iris, "--proba", "-o", predictions).ExitCode);
        var table = ParquetDataReader.Read(predictions);
        Assert.Equal(["component", "p0", "p1", "p2"], table.FeatureNames);
        var lines = csv.Out.TrimEnd().Split('\n');
        Assert.Equal(151, lines.Length);
        for (int i = 0; i < 150; i += 37)
        {
            var cells = lines[i + 1].Split(',');
            for (int c = 0; c < 4; c++)
                Assert.Equal(double.Parse(cells[c], CultureInfo.InvariantCulture), table[i, c]);
        }

        // Samples and per-row scores too.
        string samples = In("samples.parquet"), scores = In("scores.parquet");
        Assert.Equal(0, Run("sample", fromCsv, "-n", "40", "--seed", "2", "-o", samples).ExitCode);
        var drawn = ParquetDataReader.Read(samples);
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width", "component"], drawn.FeatureNames);
        Assert.Equal(40, drawn.RowCount);
        var sampleCsv = Run("sample", fromCsv, "-n", "40", "--seed", "2").Out.TrimEnd().Split('\n');
        Assert.Equal(double.Parse(sampleCsv[5].Split(',')[2], CultureInfo.InvariantCulture), drawn[4, 2]);
        Assert.Equal(0, Run("score", fromCsv, Iris, "--per-sample", "-o", scores).ExitCode);
        Assert.Equal(GaussianMixtureModel.Load(fromCsv).ScoreSamples(iris), ParquetDataReader.Read(scores).Values.ToArray());
    }

    [Fact]
    public void A_bad_parquet_file_is_bad_input()
    {
        string fake = In("fake.parquet");
        File.WriteAllText(fake, "not parquet");
        var fit = Run("fit", fake, "-k", "2");
        Assert.Equal(3, fit.ExitCode);
        Assert.Contains("not a readable Parquet file", fit.Error);
    }

    [Fact]
    public void Csv_read_through_sep_fits_the_same_bits_as_the_core_reader()
    {
        var cli = In("cli.json");
        Assert.Equal(0, Run("fit", Iris, "-k", "3", "--quiet", "-o", cli).ExitCode);
        var library = new GaussianMixture(new() { ComponentCount = 3 }).Fit(CsvReader.Read(Iris));
        Assert.Equal(TestData.ParameterBits(library), TestData.ParameterBits(GaussianMixtureModel.Load(cli)));
    }
}
