using System.Globalization;
using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary>
/// The Bernoulli family (latent class analysis) against flexmix's <c>FLXMCmvbinary</c>
/// (tests/fixtures/bernoulli, written by make_bernoulli_fixtures.R), refusals, bits and the CLI.
/// </summary>
public sealed class BernoulliMixtureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-bernoulli-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static int[] Labels(string name) =>
        File.ReadLines(Fixtures.Path_($"bernoulli/{name}_labels.txt")).Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    public static TheoryData<string> FlexmixRuns()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Fixtures.Path_("bernoulli"), "*_K*.json").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(FlexmixRuns))]
    public void From_the_same_labels_weights_probabilities_and_log_likelihood_agree_with_flexmix(string run)
    {
        var fixture = Fixtures.Json($"bernoulli/{run}.json");
        string name = run[..run.LastIndexOf("_K", StringComparison.Ordinal)];
        var data = CsvReader.Read(Fixtures.Path_($"bernoulli/{name}.csv"));
        var labels = Labels(name);
        int mSteps = fixture.GetProperty("m_steps").GetInt32();
        var model = new BernoulliMixture(new() { ComponentCount = labels.Max() + 1, InitialLabels = labels, MaxIterations = mSteps - 1, Tolerance = 0 }).Fit(data);
        Close.All(Fixtures.Flat(fixture.GetProperty("weights")), model.Weights, 1e-7, $"{run}: weights");
        Close.All(Fixtures.Flat(fixture.GetProperty("probabilities")), Fixtures.Flatten(model.Probabilities), 1e-7, $"{run}: probabilities");
        Close.Relative(fixture.GetProperty("log_likelihood").GetDouble(), model.TrainingLogLikelihood!.Value, 1e-9, $"{run}: log-likelihood");
    }

    internal static DataSet Draws(int n) =>
        BernoulliMixtureModel.Create([0.3, 0.3, 0.4], new double[,] { { 0.9, 0.8, 0.1, 0.2 }, { 0.1, 0.2, 0.9, 0.7 }, { 0.5, 0.9, 0.9, 0.1 } }).Sample(n, seed: 5).Data;

    [Fact]
    public void The_bits_do_not_depend_on_threads_or_streaming_and_the_model_file_round_trips()
    {
        var data = Draws(20_000);
        string path = Path.Combine(_folder, "binary.npy");
        NpyWriter.Write(path, data);
        var options = new BernoulliMixtureOptions { ComponentCount = 3, Seed = 2, Tolerance = 0, MaxIterations = 15, MaxDegreeOfParallelism = 1 };
        var one = new BernoulliMixture(options).Fit(data);
        Assert.Equal(TestData.Bits(one), TestData.Bits(new BernoulliMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(data)));
        using (var streamed = NpyFileRows.Open(path))
            Assert.Equal(TestData.Bits(one), TestData.Bits(new BernoulliMixture(options).Fit(streamed)));
        string file = Path.Combine(_folder, "model.json");
        one.Save(file);
        Assert.Equal(TestData.Bits(one), TestData.Bits(MixtureModel.LoadAny(file)));
        Assert.Contains("\"format\": \"emix-bernoulli-mixture\"", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Densities_follow_from_the_probabilities()
    {
        var model = BernoulliMixtureModel.Create([0.25, 0.75], new double[,] { { 0.9, 0.2 }, { 0.3, 0.6 } });
        var data = DataSet.FromRows([[1, 0], [0, 1], [1, 1]]);
        var scores = model.ScoreSamples(data);
        for (int i = 0; i < 3; i++)
        {
            double p = 0;
            for (int j = 0; j < 2; j++)
            {
                double q = model.Weights[j];
                for (int a = 0; a < 2; a++)
                    q *= data[i, a] == 1 ? model.Probabilities[j, a] : 1 - model.Probabilities[j, a];
                p += q;
            }
            Close.Relative(Math.Log(p), scores[i], 1e-14, $"log p(x_{i})");
        }
        Assert.Equal(5, model.FreeParameterCount);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0.5")]
    [InlineData("-1")]
    public void Cells_other_than_0_and_1_are_refused_with_file_row_and_column(string cell)
    {
        string path = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(path, $"a,b\n1,0\n0,1\n{cell},1\n");
        var stderr = new StringWriter();
        int code = EmixApp.Run(["fit", path, "-k", "2", "--family", "bernoulli", "-o", Path.Combine(_folder, "m.json")], new StringWriter(), stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{path}: data row 3 (a header not counted), column 1 ('a'): {cell} is not 0 or 1", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "m.json")));
    }

    [Fact]
    public void The_cli_fits_predicts_and_samples_a_bernoulli_mixture()
    {
        var data = Draws(600);
        string csv = Path.Combine(_folder, "d.csv");
        File.WriteAllLines(csv, ["a,b,c,d", .. Enumerable.Range(0, 600).Select(i => string.Join(',', Enumerable.Range(0, 4).Select(a => data[i, a].ToString(CultureInfo.InvariantCulture))))]);
        string model = Path.Combine(_folder, "b.json");
        var stdout = new StringWriter();
        Assert.Equal(0, EmixApp.Run(["fit", csv, "-k", "3", "--family", "bernoulli", "-o", model, "--json"], stdout, new StringWriter()));
        Assert.Contains("\"family\":\"bernoulli\"", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"n_parameters\":14", stdout.ToString(), StringComparison.Ordinal);
        foreach (var args in new[] { new[] { "info", model }, ["predict", model, csv], ["sample", model, "-n", "4"] })
            Assert.True(EmixApp.Run(args, new StringWriter(), new StringWriter()) == 0, string.Join(' ', args));
    }
}
