using System.Globalization;
using System.Text.Json;
using Emix.Cli;
using Emix.Data;
using Emix.Parquet;

namespace Emix.Tests;

/// <summary>
/// Mixed-type mixtures (local independence) against an independent NumPy implementation
/// (tests/fixtures/mixed, written by make_mixed_fixtures.py, itself cross-checked with flexmix's
/// FLXMCmvbinary and FLXMCmvpois on the binary and count columns), model files, refusals and the CLI.
/// </summary>
public sealed class MixedMixtureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-mixed-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static int[] Labels(string name) =>
        File.ReadLines(Fixtures.Path_($"mixed/{name}_labels.txt")).Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    public static TheoryData<string> ReferenceRuns()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Fixtures.Path_("mixed"), "*_K*.json").Concat(Directory.GetFiles(Fixtures.Path_("mixed"), "*_converged.json")).OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(path));
        return data;
    }

    private static string Spec(JsonElement fixture) =>
        string.Join(',', fixture.GetProperty("families").EnumerateObject().Select(p => $"{p.Name}:{p.Value.GetString()}"));

    [Theory]
    [MemberData(nameof(ReferenceRuns))]
    public void From_the_same_labels_every_feature_and_the_log_likelihood_agree_with_the_reference(string run)
    {
        var fixture = Fixtures.Json($"mixed/{run}.json");
        string name = run[..run.IndexOf('_', StringComparison.Ordinal)];
        var data = CsvReader.Read(Fixtures.Path_($"mixed/{name}.csv"));
        var labels = Labels(name);
        var model = new MixedMixture(new()
        {
            ComponentCount = labels.Max() + 1, InitialLabels = labels, MaxIterations = fixture.GetProperty("m_steps").GetInt32() - 1, Tolerance = 0,
            Families = ColumnFamily.ParseList(Spec(fixture)), RegCovar = fixture.GetProperty("reg_covar").GetDouble(),
        }).Fit(data);
        Close.All(Fixtures.Flat(fixture.GetProperty("weights")), model.Weights, 1e-7, $"{run}: weights");
        var features = model.Features;
        int a = 0;
        foreach (var expected in fixture.GetProperty("features").EnumerateArray())
        {
            var actual = features[a++];
            Assert.Equal(expected.GetProperty("name").GetString(), actual.Name);
            Assert.Equal(expected.GetProperty("family").GetString(), ColumnFamily.NameOf(actual.Family));
            string what = $"{run}: {actual.Name}";
            switch (actual.Family)
            {
                case FeatureFamily.Gaussian:
                    Close.All(Fixtures.Flat(expected.GetProperty("means")), actual.Means!, 1e-7, $"{what} means");
                    Close.All(Fixtures.Flat(expected.GetProperty("variances")), actual.Variances!, 1e-7, $"{what} variances");
                    break;
                case FeatureFamily.Poisson:
                    Close.All(Fixtures.Flat(expected.GetProperty("rates")), actual.Rates!, 1e-7, $"{what} rates");
                    break;
                case FeatureFamily.Bernoulli:
                    Close.All(Fixtures.Flat(expected.GetProperty("probabilities")), actual.Probabilities!, 1e-7, $"{what} probabilities");
                    break;
                default:
                    Assert.Equal(Fixtures.Flat(expected.GetProperty("levels")), actual.Levels!);
                    Close.All(Fixtures.Flat(expected.GetProperty("probabilities")), Fixtures.Flatten(actual.LevelProbabilities!), 1e-7, $"{what} level probabilities");
                    break;
            }
        }
        Close.Relative(fixture.GetProperty("log_likelihood").GetDouble(), model.TrainingLogLikelihood!.Value, 1e-9, $"{run}: log-likelihood");
    }

    private static DataSet Synthetic() => CsvReader.Read(Fixtures.Path_("mixed/synthetic.csv"));

    private static readonly IReadOnlyList<ColumnFamily> SyntheticFamilies = ColumnFamily.ParseList("3:poisson,4:bernoulli,5:bernoulli,6:categorical");

    [Fact]
    public void The_bits_do_not_depend_on_threads_or_streaming_and_the_model_file_keeps_every_feature()
    {
        // Unnamed columns, as the .npy file has them.
        var data = DataSet.Wrap(Synthetic().Values.ToArray(), 6);
        string path = Path.Combine(_folder, "synthetic.npy");
        NpyWriter.Write(path, data);
        var options = new MixedMixtureOptions { ComponentCount = 3, Families = SyntheticFamilies, Seed = 1, Tolerance = 0, MaxIterations = 10, MaxDegreeOfParallelism = 1, ChunkRows = 256 };
        var one = new MixedMixture(options).Fit(data);
        Assert.Equal(TestData.Bits(one), TestData.Bits(new MixedMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(data)));
        using (var streamed = NpyFileRows.Open(path))
            Assert.Equal(TestData.Bits(one), TestData.Bits(new MixedMixture(options).Fit(streamed)));
        string file = Path.Combine(_folder, "model.json");
        one.Save(file);
        var loaded = Assert.IsType<MixedMixtureModel>(MixtureModel.LoadAny(file));
        Assert.Equal(TestData.Bits(one), TestData.Bits(loaded));
        Assert.Equal(one.ScoreSamples(data), loaded.ScoreSamples(data));
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal("emix-mixed-mixture", json.RootElement.GetProperty("format").GetString());
        var families = json.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("family").GetString()!).ToArray();
        Assert.Equal(["gaussian", "gaussian", "poisson", "bernoulli", "bernoulli", "categorical"], families);
        Assert.Equal([2.0, 5, 9, 40], one.Features[5].Levels!);
        // 2k per Gaussian, k per Poisson and Bernoulli, k(L − 1) for 4 levels, k − 1 weights.
        Assert.Equal((2 * 6) + 3 + 6 + 9 + 2, one.FreeParameterCount);
    }

    [Fact]
    public void Densities_are_the_sum_of_each_features_full_log_density()
    {
        var data = Synthetic();
        var model = new MixedMixture(new() { ComponentCount = 2, Families = SyntheticFamilies, MaxIterations = 3 }).Fit(data);
        var f = model.Features;
        var scores = model.ScoreSamples(data);
        for (int i = 0; i < 5; i++)
        {
            double p = 0;
            for (int j = 0; j < 2; j++)
            {
                double log = Math.Log(model.Weights[j]);
                for (int g = 0; g < 2; g++)
                    log += -0.5 * Math.Log(2 * Math.PI * f[g].Variances![j]) - (Math.Pow(data[i, g] - f[g].Means![j], 2) / (2 * f[g].Variances![j]));
                double x = data[i, 2], lambda = f[2].Rates![j];
                log += (x * Math.Log(lambda)) - lambda - Enumerable.Range(1, (int)x).Sum(v => Math.Log(v));
                for (int b = 3; b <= 4; b++)
                    log += Math.Log(data[i, b] == 1 ? f[b].Probabilities![j] : 1 - f[b].Probabilities![j]);
                log += Math.Log(f[5].LevelProbabilities![j, Array.IndexOf(f[5].Levels!, data[i, 5])]);
                p += Math.Exp(log);
            }
            Close.Relative(Math.Log(p), scores[i], 1e-12, $"log p(x_{i})");
        }
    }

    [Fact]
    public void A_parquet_file_with_integer_columns_gives_the_fit_of_the_csv()
    {
        var birthwt = CsvReader.Read(Fixtures.Path_("mixed/birthwt.csv"));
        var columns = Enumerable.Range(0, birthwt.FeatureCount)
            .Select(a => ParquetColumn.Of(birthwt.FeatureNames[a], Enumerable.Range(0, birthwt.RowCount).Select(i => (int)birthwt[i, a]).ToArray())).ToList();
        string parquet = Path.Combine(_folder, "birthwt.parquet");
        ParquetDataWriter.Write(parquet, columns);
        string spec = "race:categorical,smoke:bernoulli,ptl:poisson,ht:bernoulli,ui:bernoulli,ftv:poisson";
        string fromCsv = Path.Combine(_folder, "csv.json"), fromParquet = Path.Combine(_folder, "parquet.json");
        Assert.Equal(0, EmixApp.Run(["fit", Fixtures.Path_("mixed/birthwt.csv"), "-k", "3", "--families", spec, "--quiet", "-o", fromCsv], new StringWriter(), new StringWriter()));
        Assert.Equal(0, EmixApp.Run(["fit", parquet, "-k", "3", "--families", spec, "--quiet", "-o", fromParquet], new StringWriter(), new StringWriter()));
        Assert.Equal(TestData.Bits(MixedMixtureModel.Load(fromCsv)), TestData.Bits(MixedMixtureModel.Load(fromParquet)));
    }

    [Theory]
    [InlineData("c1", "2.5", "is not a count; a poisson column needs non-negative integers.")]
    [InlineData("b1", "2", "is not 0 or 1; a bernoulli column needs 0/1 values.")]
    [InlineData("cat1", "1.5", "is not an integer code")]
    public void A_cell_its_column_family_cannot_take_is_refused_with_file_row_column_and_value(string column, string value, string problem)
    {
        var lines = File.ReadAllLines(Fixtures.Path_("mixed/synthetic.csv"));
        var header = lines[0].Split(',');
        int at = Array.IndexOf(header, column);
        var cells = lines[7].Split(',');
        cells[at] = value;
        lines[7] = string.Join(',', cells);
        string path = Path.Combine(_folder, "bad.csv");
        File.WriteAllLines(path, lines);
        string model = Path.Combine(_folder, "m.json");
        var stderr = new StringWriter();
        int code = EmixApp.Run(["fit", path, "-k", "2", "--families", "c1:poisson,b1:bernoulli,b2:bernoulli,cat1:categorical", "-o", model], new StringWriter(), stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{path}: data row 7 (a header not counted), column {at + 1} ('{column}'): {value} {problem}", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void The_cli_fits_by_name_or_index_and_predicts_infos_and_samples()
    {
        string data = Fixtures.Path_("mixed/birthwt.csv");
        string model = Path.Combine(_folder, "b.json");
        var stdout = new StringWriter();
        Assert.Equal(0, EmixApp.Run(["fit", data, "-k", "2", "--families", "3:categorical,smoke:bernoulli,ptl:poisson,ht:bernoulli,ui:bernoulli,ftv:poisson", "-o", model, "--json"], stdout, new StringWriter()));
        Assert.Contains("\"family\":\"mixed\"", stdout.ToString(), StringComparison.Ordinal);
        var fitted = MixedMixtureModel.Load(model);
        Assert.Equal(FeatureFamily.Categorical, fitted.Features[2].Family);
        Assert.Equal(FeatureFamily.Gaussian, fitted.Features[8].Family);
        foreach (var args in new[] { new[] { "info", model }, ["predict", model, data], ["predict", model, data, "--proba"], ["sample", model, "-n", "4"] })
            Assert.True(EmixApp.Run(args, new StringWriter(), new StringWriter()) == 0, string.Join(' ', args));
        foreach (var (args, message) in new[]
        {
            (new[] { "fit", data, "--families", "weight:poisson" }, "no column 'weight'"),
            (["fit", data, "--families", "age:normal"], "unknown family 'normal'"),
            (["fit", data, "--families", "age:gaussian,1:poisson"], "is given a family twice"),
            (["fit", data, "--families", "ptl:poisson", "--family", "poisson"], "--family applies to one family for every column"),
        })
        {
            var stderr = new StringWriter();
            Assert.Equal(ExitCodes.Usage, EmixApp.Run(args, new StringWriter(), stderr));
            Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
        }
    }
}

/// <summary>Integer sample weights count as repeated rows for the Student-t and mixed families too.</summary>
public sealed class FamilySampleWeightTests
{
    private static (DataSet Weighted, DataSet Repeated) Doubled(DataSet data)
    {
        var counts = Enumerable.Range(0, data.RowCount).Select(i => (double)(i % 3)).ToArray();
        var repeated = DataSet.FromRows(Enumerable.Range(0, data.RowCount).SelectMany(i => Enumerable.Repeat(data.Row(i).ToArray(), (int)counts[i])).ToList());
        return (data.WithWeights(counts), DataSet.Wrap(repeated.Values.ToArray(), data.FeatureCount, data.FeatureNames));
    }

    [Fact]
    public void Student_t_weights_equal_repeated_rows()
    {
        var (weighted, repeated) = Doubled(CsvReader.Read(Fixtures.Path_("student_t/outliers.csv")));
        var labels = Enumerable.Range(0, weighted.RowCount).Select(i => (i / 7) % 3).ToArray();
        var expanded = Enumerable.Range(0, weighted.RowCount).SelectMany(i => Enumerable.Repeat(labels[i], i % 3)).ToArray();
        var options = new StudentTMixtureOptions { ComponentCount = 3, MaxIterations = 15, Tolerance = 0 };
        var a = new StudentTMixture(options with { InitialLabels = labels }).Fit(weighted);
        var b = new StudentTMixture(options with { InitialLabels = expanded }).Fit(repeated);
        Close.Relative(b.TrainingLogLikelihood!.Value, a.TrainingLogLikelihood!.Value, 1e-10, "log-likelihood");
        Close.All(b.DegreesOfFreedom, a.DegreesOfFreedom, 1e-8, "degrees of freedom");
        Close.All(b.Scales, a.Scales, 1e-8, "scales");
    }

    [Fact]
    public void Mixed_weights_equal_repeated_rows()
    {
        var (weighted, repeated) = Doubled(CsvReader.Read(Fixtures.Path_("mixed/synthetic.csv")));
        var labels = Enumerable.Range(0, weighted.RowCount).Select(i => (i / 7) % 3).ToArray();
        var expanded = Enumerable.Range(0, weighted.RowCount).SelectMany(i => Enumerable.Repeat(labels[i], i % 3)).ToArray();
        var options = new MixedMixtureOptions { ComponentCount = 3, Families = ColumnFamily.ParseList("c1:poisson,b1:bernoulli,b2:bernoulli,cat1:categorical"), MaxIterations = 15, Tolerance = 0 };
        var a = new MixedMixture(options with { InitialLabels = labels }).Fit(weighted);
        var b = new MixedMixture(options with { InitialLabels = expanded }).Fit(repeated);
        Close.Relative(b.TrainingLogLikelihood!.Value, a.TrainingLogLikelihood!.Value, 1e-10, "log-likelihood");
        Close.All(b.Weights, a.Weights, 1e-8, "weights");
        Close.All(b.Features[0].Variances!, a.Features[0].Variances!, 1e-8, "variances");
    }
}
