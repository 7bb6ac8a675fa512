using System.Globalization;
using System.Text;
using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary><c>emix fit</c> with --weights, --weight-column, --fix and --on-collapse.</summary>
public sealed class CliFitConstraintTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-cli-constraints-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Faithful => Fixtures.Path_("data/faithful.csv");

    private static int[] IntegerWeights(int n) => Enumerable.Range(0, n).Select(i => (i * 7) % 4).ToArray();

    [Fact]
    public void Weights_file_and_weight_column_give_the_model_of_the_repeated_rows()
    {
        var data = Fixtures.Data("faithful");
        var weights = IntegerWeights(data.RowCount);
        var inv = CultureInfo.InvariantCulture;
        string weightsFile = Write("w.txt", "# one weight per row\n" + string.Join('\n', weights.Select(w => w.ToString(inv))) + "\n");
        var withColumn = new StringBuilder("eruptions,waiting,w\n");
        var repeated = new StringBuilder("eruptions,waiting\n");
        for (int i = 0; i < data.RowCount; i++)
        {
            string row = $"{data[i, 0].ToString("R", inv)},{data[i, 1].ToString("R", inv)}";
            withColumn.Append(inv, $"{row},{weights[i]}\n");
            for (int r = 0; r < weights[i]; r++)
                repeated.Append(row).Append('\n');
        }
        // Start all three from the same parameters so that only the weighting differs.
        var start = new GaussianMixture(new() { ComponentCount = 2, Seed = 1 }).Fit(data);
        string init = Path.Combine(_folder, "init.json");
        start.Save(init);
        string[] common = ["-k", "2", "--init-params", init, "--tol", "0", "--max-iter", "25"];

        string a = Path.Combine(_folder, "a.json"), b = Path.Combine(_folder, "b.json"), c = Path.Combine(_folder, "c.json");
        foreach (string[] args in new[]
        {
            ["fit", Faithful, "--weights", weightsFile, "-o", a, .. common],
            ["fit", Write("wc.csv", withColumn.ToString()), "--weight-column", "w", "-o", b, .. common],
            (string[])["fit", Write("rep.csv", repeated.ToString()), "-o", c, .. common],
        })
        {
            var run = Run(args);
            Assert.True(run.Code == 0, run.Error);
        }

        var ma = GaussianMixtureModel.Load(a);
        var mb = GaussianMixtureModel.Load(b);
        var mc = GaussianMixtureModel.Load(c);
        Assert.Equal(TestData.ParameterBits(ma), TestData.ParameterBits(mb));
        Close.All(mc.Covariances, ma.Covariances, 1e-10, "covariances");
        Close.All(Fixtures.Flatten(mc.Means), Fixtures.Flatten(ma.Means), 1e-10, "means");
        Assert.Equal(weights.Sum(), ma.Fit!.WeightTotal);
    }

    [Fact]
    public void Fix_means_keeps_the_given_means_and_needs_them()
    {
        var data = Fixtures.Data("faithful");
        var start = new GaussianMixture(new() { ComponentCount = 2, Seed = 1, MaxIterations = 2 }).Fit(data);
        string init = Path.Combine(_folder, "init.json");
        start.Save(init);
        string output = Path.Combine(_folder, "fixed.json");

        var run = Run("fit", Faithful, "-k", "2", "--init-params", init, "--fix", "means", "-o", output);
        Assert.Equal(0, run.Code);
        Assert.Equal(Fixtures.Flatten(start.Means), Fixtures.Flatten(GaussianMixtureModel.Load(output).Means));

        string mask = Write("mask.json", """{"weights": [true, false], "covariances": [false, true]}""");
        run = Run("fit", Faithful, "-k", "2", "--init-params", init, "--fix", mask, "-o", output);
        Assert.Equal(0, run.Code);
        var masked = GaussianMixtureModel.Load(output);
        Assert.Equal(start.Weights[0], masked.Weights[0]);
        Assert.Equal(start.Covariances.Skip(4), masked.Covariances.Skip(4));

        run = Run("fit", Faithful, "-k", "2", "--fix", "means");
        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Equal("emix: --fix: Frozen = means: frozen means must be given as initial parameters (InitialParameters, --init-params).", run.Error.TrimEnd());
        run = Run("fit", Faithful, "-k", "2", "--init-params", init, "--fix", "medians");
        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("'medians' is not weights, means or covariances", run.Error, StringComparison.Ordinal);
    }

    /// <summary>Three 2-D blobs and three identical far rows: with --reg-covar 0 a component on those collapses.</summary>
    private string CollapsingData()
    {
        var text = new StringBuilder("a,b\n");
        var blobs = TestData.Blobs(n: 400, d: 2);
        for (int i = 0; i < blobs.RowCount; i++)
            text.Append(CultureInfo.InvariantCulture, $"{blobs[i, 0]:R},{blobs[i, 1]:R}\n");
        text.Append("40,40\n40,40\n40,40\n");
        return Write("collapse.csv", text.ToString());
    }

    [Theory]
    [InlineData("drop", "dropped")]
    [InlineData("reseed", "reseeded")]
    public void A_select_grid_that_provokes_collapse_finishes_and_says_so(string policy, string said)
    {
        string data = CollapsingData();
        var failing = Run("select", data, "-k", "3..5", "--reg-covar", "0", "--seed", "1", "-q");
        Assert.Contains("—", failing.Out, StringComparison.Ordinal); // collapsed cells fail by default

        var run = Run("select", data, "-k", "3..5", "--reg-covar", "0", "--seed", "1", "-q", "--on-collapse", policy);
        Assert.True(run.Code == 0, run.Error);
        Assert.DoesNotContain("—", run.Out, StringComparison.Ordinal);
        Assert.Contains("Collapsed components: ", run.Out, StringComparison.Ordinal);
        Assert.Contains(said, run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drop", "dropped")]
    [InlineData("reseed", "reseeded at row")]
    public void On_collapse_finishes_and_says_so(string policy, string said)
    {
        string data = CollapsingData();

        var failed = Run("fit", data, "-k", "4", "--reg-covar", "0", "--seed", "1");
        Assert.Equal(ExitCodes.Numerical, failed.Code);

        string output = Path.Combine(_folder, policy + ".json");
        var run = Run("fit", data, "-k", "4", "--reg-covar", "0", "--seed", "1", "--on-collapse", policy, "-o", output);
        Assert.Equal(0, run.Code);
        Assert.Contains(said, run.Out, StringComparison.Ordinal);
        Assert.Contains("\"collapses\"", File.ReadAllText(output), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_weights_are_named_with_the_usage_or_input_code()
    {
        string bad = Write("bad.txt", "1\n2\nx\n");
        var run = Run("fit", Faithful, "-k", "2", "--weights", bad);
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Equal($"emix: {bad} line 3: 'x' is not a number.", run.Error.TrimEnd());

        string shortFile = Write("short.txt", "1\n2\n");
        run = Run("fit", Faithful, "-k", "2", "--weights", shortFile);
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains("2 sample weights for 272 rows", run.Error, StringComparison.Ordinal);

        run = Run("fit", Faithful, "-k", "2", "--weight-column", "nope");
        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("--weight-column nope: no such column", run.Error, StringComparison.Ordinal);

        run = Run("fit", Faithful, "-k", "2", "--weight-column", "waiting", "--weights", shortFile);
        Assert.Equal(ExitCodes.Usage, run.Code);
    }
}
