using System.Globalization;
using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary>
/// The categorical family against an independent NumPy implementation (tests/fixtures/categorical,
/// written by make_categorical_fixtures.py and cross-checked with mixtools), level discovery,
/// refusals, pseudo-counts, bits and the model file.
/// </summary>
public sealed class CategoricalMixtureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-categorical-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    public static TheoryData<string> ReferenceRuns()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Fixtures.Path_("categorical"), "*_K*.json").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceRuns))]
    public void From_the_same_labels_levels_probabilities_and_log_likelihood_agree_with_the_reference(string run)
    {
        var fixture = Fixtures.Json($"categorical/{run}.json");
        string name = run[..run.LastIndexOf("_K", StringComparison.Ordinal)];
        var data = CsvReader.Read(Fixtures.Path_($"categorical/{name}.csv"));
        var labels = File.ReadLines(Fixtures.Path_($"categorical/{name}_labels.txt")).Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        int mSteps = fixture.GetProperty("m_steps").GetInt32();
        var model = new CategoricalMixture(new() { ComponentCount = labels.Max() + 1, InitialLabels = labels, MaxIterations = mSteps - 1, Tolerance = 0 }).Fit(data);
        Close.All(Fixtures.Flat(fixture.GetProperty("weights")), model.Weights, 1e-7, $"{run}: weights");
        var levels = fixture.GetProperty("levels");
        var probabilities = fixture.GetProperty("probabilities");
        for (int a = 0; a < data.FeatureCount; a++)
        {
            Assert.Equal(Fixtures.Flat(levels[a]), model.LevelsOf(a));
            Close.All(Fixtures.Flat(probabilities[a]), Fixtures.Flatten(model.ProbabilitiesOf(a)), 1e-7, $"{run}: probabilities of feature {a}");
        }
        Close.Relative(fixture.GetProperty("log_likelihood").GetDouble(), model.TrainingLogLikelihood!.Value, 1e-9, $"{run}: log-likelihood");
    }

    private static DataSet Codes() => DataSet.FromRows(Enumerable.Range(0, 300).Select(i => new double[] { i % 3, (i * 7 % 5 == 0) ? 10 : i % 2, i / 100 }).ToArray());

    [Fact]
    public void Levels_are_the_values_found_and_probabilities_sum_to_one()
    {
        var model = new CategoricalMixture(new() { ComponentCount = 2, Seed = 3 }).Fit(Codes());
        Assert.Equal([0.0, 1, 2], model.LevelsOf(0));
        Assert.Equal([0.0, 1, 10], model.LevelsOf(1));
        for (int a = 0; a < 3; a++)
        {
            var p = model.ProbabilitiesOf(a);
            for (int j = 0; j < 2; j++)
                Assert.Equal(1.0, Enumerable.Range(0, p.GetLength(1)).Sum(l => p[j, l]), 12);
        }
        Assert.Equal((2 * (2 + 2 + 2)) + 1, model.FreeParameterCount);
    }

    [Fact]
    public void A_pseudo_count_keeps_every_level_possible()
    {
        var data = DataSet.FromRows([[0], [0], [0], [1], [1], [1]]);
        var labels = new[] { 0, 0, 0, 1, 1, 1 };
        var plain = new CategoricalMixture(new() { ComponentCount = 2, InitialLabels = labels, MaxIterations = 0 }).Fit(data);
        Assert.Equal(0.0, plain.ProbabilitiesOf(0)[0, 1]);
        var smoothed = new CategoricalMixture(new() { ComponentCount = 2, InitialLabels = labels, MaxIterations = 0, PseudoCount = 1 }).Fit(data);
        Assert.Equal(1.0 / 5, smoothed.ProbabilitiesOf(0)[0, 1], 12); // (0 + 1) / (3 + 1·2)
    }

    [Fact]
    public void Bits_do_not_depend_on_threads_and_the_model_file_round_trips()
    {
        var big = DataSet.FromRows(Enumerable.Range(0, 20_000).Select(i => new double[] { i % 3, i * 7 % 5, i % 11 % 4 }).ToArray());
        var options = new CategoricalMixtureOptions { ComponentCount = 3, Init = InitMethod.Random, Seed = 4, MaxIterations = 10, Tolerance = 0, MaxDegreeOfParallelism = 1 };
        var one = new CategoricalMixture(options).Fit(big);
        Assert.Equal(TestData.Bits(one), TestData.Bits(new CategoricalMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(big)));
        string path = Path.Combine(_folder, "model.json");
        one.Save(path);
        Assert.Equal(TestData.Bits(one), TestData.Bits(MixtureModel.LoadAny(path)));
    }

    [Fact]
    public void Non_integers_and_unknown_levels_are_refused_with_row_and_column()
    {
        string path = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(path, "a,b\n1,2\n2,3\n1,2.5\n");
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, EmixApp.Run(["fit", path, "-k", "2", "--family", "categorical", "-o", Path.Combine(_folder, "m.json")], new StringWriter(), stderr));
        Assert.Contains($"{path}: data row 3 (a header not counted), column 2 ('b'): 2.5 is not an integer code", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "m.json")));

        var model = new CategoricalMixture(new() { ComponentCount = 2, Seed = 1 }).Fit(Codes());
        var e = Assert.Throws<DataFormatException>(() => model.Predict(DataSet.FromRows([[0, 1, 0], [5, 1, 0]])));
        Assert.Contains("data row 2 (a header not counted), column 1 ('x1'): 5 is not one of the levels the model was fitted on (0, 1, 2)", e.Message, StringComparison.Ordinal);
    }
}
