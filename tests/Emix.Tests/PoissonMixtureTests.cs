using System.Globalization;
using System.Text.Json;
using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary>
/// The Poisson family, a second family on the engine's contract: agreement with flexmix's
/// <c>FLXMCmvpois</c> (tests/fixtures/poisson, written by make_poisson_fixtures.R), refusals of
/// non-counts, the same bits for any thread count and for streamed rows, the model file and the CLI.
/// </summary>
public sealed class PoissonMixtureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-poisson-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static DataSet Counts(string name) => CsvReader.Read(Fixtures.Path_($"poisson/{name}.csv"));

    private static int[] Labels(string name) =>
        File.ReadLines(Fixtures.Path_($"poisson/{name}_labels.txt")).Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    public static TheoryData<string, int> FlexmixRuns()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "counts", "counts_small" })
            foreach (int m in new[] { 1, 2, 3, 5, 10, 1000 })
                data.Add(name, m);
        return data;
    }

    [Theory]
    [MemberData(nameof(FlexmixRuns))]
    public void From_the_same_labels_weights_rates_and_log_likelihood_agree_with_flexmix(string name, int mSteps)
    {
        var fixture = Fixtures.Json($"poisson/{name}_K{mSteps}.json");
        var data = Counts(name);
        var labels = Labels(name);
        int k = labels.Max() + 1;
        // K M-steps from the labels: the initial one and K − 1 EM iterations.
        var model = new PoissonMixture(new() { ComponentCount = k, InitialLabels = labels, MaxIterations = mSteps - 1, Tolerance = 0 }).Fit(data);

        Close.All(Fixtures.Flat(fixture.GetProperty("weights")), model.Weights, 1e-12, "weights");
        var expectedRates = Fixtures.Flat(fixture.GetProperty("rates"));
        var rates = Fixtures.Flatten(model.Rates);
        for (int i = 0; i < rates.Length; i++)
            Close.Relative(expectedRates[i], rates[i], 1e-9, $"rate {i}");
        Close.Relative(fixture.GetProperty("log_likelihood").GetDouble(), model.TrainingLogLikelihood!.Value, 1e-12, "log-likelihood");
        Assert.Equal(mSteps - 1, model.IterationCount);
    }

    [Fact]
    public void A_converged_fit_reaches_flexmix_fixed_point_and_em_never_lowers_the_likelihood()
    {
        var fixture = Fixtures.Json("poisson/counts_K1000.json");
        var model = new PoissonMixture(new() { ComponentCount = 3, InitialLabels = Labels("counts"), Tolerance = 1e-13, MaxIterations = 2000 }).Fit(Counts("counts"));
        Assert.True(model.Converged);
        Close.Relative(fixture.GetProperty("log_likelihood").GetDouble(), model.TrainingLogLikelihood!.Value, 1e-12, "log-likelihood");
        var history = model.LowerBoundHistory;
        for (int i = 1; i < history.Count; i++)
            Assert.True(history[i] >= history[i - 1] - 1e-13, $"lower bound fell at iteration {i + 1}");
    }

    [Fact]
    public void Every_init_fits_and_the_bits_do_not_depend_on_threads_or_streaming()
    {
        var data = Draws(20_000);
        string path = Path.Combine(_folder, "counts.npy");
        NpyWriter.Write(path, data);
        foreach (var init in Enum.GetValues<InitMethod>())
        {
            var options = new PoissonMixtureOptions { ComponentCount = 3, Init = init, Seed = 2, Tolerance = 0, MaxIterations = 15, MaxDegreeOfParallelism = 1 };
            var one = TestData.Bits(new PoissonMixture(options).Fit(data));
            Assert.Equal(one, TestData.Bits(new PoissonMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(data)));
            using var streamed = NpyFileRows.Open(path);
            Assert.Equal(one, TestData.Bits(new PoissonMixture(options).Fit(streamed)));
        }
    }

    [Fact]
    public void Integer_weights_give_the_fit_of_repeated_rows()
    {
        var data = Counts("counts_small");
        var weights = Enumerable.Range(0, data.RowCount).Select(i => (double)(1 + (i % 3))).ToArray();
        var repeated = new List<double[]>();
        for (int i = 0; i < data.RowCount; i++)
            for (int c = 0; c < weights[i]; c++)
                repeated.Add(data.Row(i).ToArray());
        var start = PoissonMixtureModel.Create([0.5, 0.5], new double[,] { { 2, 6 }, { 8, 3 } });
        var given = new PoissonParameterValues(start.Weights, Fixtures.Flatten(start.Rates));
        var options = new PoissonMixtureOptions { ComponentCount = 2, InitialParameters = given, Tolerance = 0, MaxIterations = 20 };
        var weighted = new PoissonMixture(options).Fit(data.WithWeights(weights));
        var plain = new PoissonMixture(options).Fit(DataSet.FromRows(repeated));
        Close.All(plain.Weights, weighted.Weights, 1e-12, "weights");
        Close.All(Fixtures.Flatten(plain.Rates), Fixtures.Flatten(weighted.Rates), 1e-11, "rates");
        Close.Relative(plain.TrainingLogLikelihood!.Value, weighted.TrainingLogLikelihood!.Value, 1e-13, "log-likelihood");
    }

    [Fact]
    public void Predictions_scores_and_criteria_follow_from_the_rates()
    {
        var model = PoissonMixtureModel.Create([0.25, 0.75], new double[,] { { 1, 9 }, { 6, 0.5 } });
        var data = DataSet.FromRows([[0, 7], [5, 0], [2, 2]]);
        var scores = model.ScoreSamples(data);
        var p = model.PredictProbabilities(data);
        var expectedLabels = new int[data.RowCount];
        for (int i = 0; i < data.RowCount; i++)
        {
            // log p(x) = log Σ_j w_j Π_a λ^x e^(−λ) / x!, written out independently of the family's code.
            var joint = new double[2];
            for (int j = 0; j < 2; j++)
            {
                joint[j] = model.Weights[j];
                for (int a = 0; a < 2; a++)
                {
                    double x = data[i, a], rate = model.Rates[j, a];
                    joint[j] *= Math.Pow(rate, x) * Math.Exp(-rate) / Factorial((int)x);
                }
            }
            Close.Relative(Math.Log(joint[0] + joint[1]), scores[i], 1e-13, $"log p(x_{i})");
            Close.One(joint[0] / (joint[0] + joint[1]), p[i, 0], 1e-13, $"p(0 | x_{i})");
            expectedLabels[i] = joint[1] > joint[0] ? 1 : 0;
        }
        Assert.Equal(expectedLabels, model.Predict(data));
        double logL = scores.Sum();
        Close.Relative((-2 * logL) + (5 * Math.Log(3)), model.Bic(data), 1e-13, "BIC");
        Close.Relative((-2 * logL) + 10, model.Aic(data), 1e-13, "AIC");
        Assert.Equal(5, model.FreeParameterCount);
    }

    private static double Factorial(int x) => x <= 1 ? 1 : x * Factorial(x - 1);

    [Theory]
    [InlineData(0.3)]
    [InlineData(4.5)]
    [InlineData(37)]
    [InlineData(1200)]
    public void Samples_have_the_rate_as_mean_and_variance(double rate)
    {
        var model = PoissonMixtureModel.Create([1.0], new double[,] { { rate } });
        const int n = 40_000;
        var draws = model.Sample(n, seed: 3).Data;
        double mean = 0, square = 0;
        for (int i = 0; i < n; i++)
        {
            double x = draws[i, 0];
            Assert.True(x >= 0 && x == Math.Floor(x), $"draw {x} is not a count");
            mean += x;
            square += x * x;
        }
        mean /= n;
        double variance = (square / n) - (mean * mean);
        // Five standard errors of the mean and of the variance (whose SE is about λ·√(2/n) here).
        Assert.InRange(mean, rate - (5 * Math.Sqrt(rate / n)), rate + (5 * Math.Sqrt(rate / n)));
        Assert.InRange(variance, rate - (5 * Math.Sqrt((rate + (2 * rate * rate)) / n)), rate + (5 * Math.Sqrt((rate + (2 * rate * rate)) / n)));
    }

    [Fact]
    public void Log_factorials_match_sums_of_logarithms()
    {
        foreach (int x in new[] { 0, 1, 2, 10, 255, 256, 257, 1000, 123_456 })
        {
            double expected = 0;
            for (int i = 2; i <= x; i++)
                expected += Math.Log(i);
            Close.Relative(expected, Families.Poisson.LogFactorial.Of(x), 1e-13, $"log {x}!");
        }
    }

    [Fact]
    public void Model_files_round_trip_and_carry_the_rates()
    {
        var model = new PoissonMixture(new() { ComponentCount = 3, InitialLabels = Labels("counts"), Tolerance = 1e-8 }).Fit(Counts("counts"));
        string path = Path.Combine(_folder, "model.json");
        model.Save(path);
        var loaded = MixtureModel.LoadAny(path);
        Assert.IsType<PoissonMixtureModel>(loaded);
        Assert.Equal(TestData.Bits(model), TestData.Bits(loaded));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("emix-poisson-mixture", json.RootElement.GetProperty("format").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("rates").GetArrayLength());
        var e = Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(path));
        Assert.Contains("a poisson mixture model, where a Gaussian one is needed", e.Message, StringComparison.Ordinal);

        string bad = Path.Combine(_folder, "bad.json");
        File.WriteAllText(bad, File.ReadAllText(path).Replace("\"rates\": [", "\"rates\": [[-1, 2, 3],", StringComparison.Ordinal));
        var shape = Assert.Throws<ModelFormatException>(() => MixtureModel.LoadAny(bad));
        Assert.Contains("bad.json", shape.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1", "-1 is not a count")]
    [InlineData("2.5", "2.5 is not a count")]
    public void Non_counts_are_refused_with_file_row_and_column(string cell, string what)
    {
        string path = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(path, $"a,b\n1,2\n3,4\n5,{cell}\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(["fit", path, "-k", "2", "--family", "poisson", "-o", Path.Combine(_folder, "m.json")], stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        string message = stderr.ToString().Trim();
        Assert.Single(message.Split('\n'));
        Assert.Contains($"{path}: data row 3 (a header not counted), column 2 ('b'): {what}", message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "m.json")));
    }

    [Fact]
    public void The_cli_fits_predicts_scores_and_samples_a_poisson_mixture()
    {
        string data = Fixtures.Path_("poisson/counts.csv");
        string labels = Fixtures.Path_("poisson/counts_labels.txt");
        string model = Path.Combine(_folder, "p.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, EmixApp.Run(["fit", data, "-k", "3", "--family", "poisson", "--init-labels", labels, "--max-iter", "2", "--tol", "0", "--json", "-o", model], stdout, stderr));
        using var line = JsonDocument.Parse(stdout.ToString());
        var fixture = Fixtures.Json("poisson/counts_K3.json");
        Close.Relative(fixture.GetProperty("log_likelihood").GetDouble(), line.RootElement.GetProperty("log_likelihood").GetDouble(), 1e-12, "log_likelihood");
        Assert.Equal(11, line.RootElement.GetProperty("n_parameters").GetInt32());
        Assert.Equal("poisson", line.RootElement.GetProperty("family").GetString());

        foreach (var args in new[] { new[] { "info", model }, ["predict", model, data, "--proba"], ["score", model, data], ["sample", model, "-n", "5"] })
        {
            var output = new StringWriter();
            var errors = new StringWriter();
            Assert.True(EmixApp.Run(args, output, errors) == 0, $"{string.Join(' ', args)}: {errors}");
            Assert.NotEmpty(output.ToString());
        }
        var covariance = new StringWriter();
        Assert.Equal(ExitCodes.Usage, EmixApp.Run(["fit", data, "-k", "3", "--family", "poisson", "--covariance", "diag"], new StringWriter(), covariance));
        Assert.Contains("--covariance applies to the gaussian family only", covariance.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Counts from three components of three features.</summary>
    internal static DataSet Draws(int n) =>
        PoissonMixtureModel.Create([0.3, 0.3, 0.4], new double[,] { { 1, 6, 3 }, { 5, 2, 8 }, { 12, 10, 1 } }).Sample(n, seed: 11).Data;
}
