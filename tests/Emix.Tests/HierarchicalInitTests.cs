using System.Text.Json;
using Emix.Cli;
using Emix.Data;
using Emix.Selection;

namespace Emix.Tests;

/// <summary>
/// mclust's hierarchical start (<c>hc</c>, <c>hclass</c>, <c>qclass</c>) against mclust 6.0.0's fixtures
/// (tests/fixtures/mclust/hc_*.json): merges, partitions k = 2..9, and the start it gives a fit.
/// </summary>
public class HierarchicalInitTests
{
    public static TheoryData<string, string> Variants()
    {
        var data = new TheoryData<string, string>();
        foreach (string set in new[] { "iris", "faithful", "diabetes", "banknote", "thyroid", "wine" })
        {
            foreach (string variant in new[] { "VVV_SVD", "VII_SVD", "EII_SVD", "VVV_VARS" })
                data.Add(set, variant);
        }
        return data;
    }

    private static DataSet Data(string set) => CsvReader.Read(Fixtures.Path_($"mclust/{set}.csv"));

    private static JsonElement Hc(string set) => MclustFixtures.Json("hc", set);

    private static HierarchicalClustering Cluster(DataSet data, HierarchicalModel model, HierarchicalTransform transform) =>
        HierarchicalClustering.Compute(data, new HierarchicalInitOptions { Model = model, Transform = transform }, seed: 0);

    [Theory]
    [MemberData(nameof(Variants))]
    public void Merges_and_partitions_k2_to_9_equal_mclusts(string set, string variant)
    {
        var fixture = Hc(set).GetProperty("variants").GetProperty(variant);
        var model = Enum.Parse<HierarchicalModel>(fixture.GetProperty("modelName").GetString()!);
        var transform = Enum.Parse<HierarchicalTransform>(fixture.GetProperty("use").GetString()!, ignoreCase: true);
        var clustering = Cluster(Data(set), model, transform);

        var merges = fixture.GetProperty("merges").EnumerateArray().Select(m => (m[0].GetInt32() - 1, m[1].GetInt32() - 1)).ToArray();
        Assert.Equal(merges.Length, clustering.Merges.Count);
        int firstDifference = Enumerable.Range(0, merges.Length).FirstOrDefault(s => merges[s] != clustering.Merges[s], -1);
        var different = Enumerable.Range(2, 8).Where(k =>
            // hclass numbers clusters by first appearance, 1-based; Emix the same, 0-based.
            !Fixtures.Ints(fixture.GetProperty("partitions").GetProperty($"k{k}")).Select(l => l - 1).SequenceEqual(clustering.Partition(k))).ToArray();
        Assert.True(different.Length == 0,
            $"{set} {variant}: partitions k = {string.Join(", ", different)} differ from mclust's; first different merge {firstDifference + 1} of {merges.Length}");
    }

    public static TheoryData<string, string> SvdVariants()
    {
        var data = new TheoryData<string, string>();
        foreach (string set in new[] { "iris", "faithful", "diabetes", "banknote", "thyroid", "wine" })
        {
            foreach (string variant in new[] { "VVV_SVD", "VII_SVD", "EII_SVD" })
                data.Add(set, variant);
        }
        return data;
    }

    /// <summary>The merges alone, from the very rows mclust merged (its SVD transform, recorded in the fixture), taken as they are.</summary>
    [Theory]
    [MemberData(nameof(SvdVariants))]
    public void Merges_of_mclusts_transformed_rows_equal_mclusts(string set, string variant)
    {
        var hc = Hc(set);
        var fixture = hc.GetProperty("variants").GetProperty(variant);
        var z = Fixtures.Flat(hc.GetProperty("svd_transformed_data"));
        int p = hc.GetProperty("svd_transformed_data")[0].GetArrayLength();
        var model = Enum.Parse<HierarchicalModel>(fixture.GetProperty("modelName").GetString()!);
        var clustering = HierarchicalClustering.Compute(z, p, model, HierarchicalTransform.Vars);
        var merges = fixture.GetProperty("merges").EnumerateArray().Select(m => (m[0].GetInt32() - 1, m[1].GetInt32() - 1)).ToArray();
        int firstDifference = Enumerable.Range(0, merges.Length).FirstOrDefault(s => merges[s] != clustering.Merges[s], -1);
        Assert.True(firstDifference < 0, $"{set} {variant}: merge {firstDifference + 1} of {merges.Length} is {clustering.Merges[Math.Max(0, firstDifference)]}, mclust's {merges[Math.Max(0, firstDifference)]} (0-based)");
        if (model == HierarchicalModel.VVV)
            Close.Relative(hc.GetProperty("hcVVV_alpha").GetDouble(), clustering.Alpha, 1e-13, $"{set} alpha");
    }

    [Theory]
    [InlineData("iris")]
    [InlineData("faithful")]
    [InlineData("wine")]
    public void Alpha_of_the_svd_rows_is_mclusts(string set)
    {
        var clustering = Cluster(Data(set), HierarchicalModel.VVV, HierarchicalTransform.Svd);
        Close.Relative(Hc(set).GetProperty("hcVVV_alpha").GetDouble(), clustering.Alpha, 1e-12, $"{set} alpha");
    }

    [Fact]
    public void One_feature_gives_qclass_for_k2_to_9()
    {
        var clustering = Cluster(Data("acidity"), HierarchicalModel.VVV, HierarchicalTransform.Svd);
        Assert.True(clustering.IsQuantile);
        var qclass = Hc("acidity").GetProperty("qclass");
        for (int k = 2; k <= 9; k++)
        {
            var expected = Fixtures.Ints(qclass.GetProperty($"k{k}")).Select(l => l - 1).ToArray();
            Assert.True(expected.SequenceEqual(clustering.Partition(k)), $"acidity: qclass k={k} differs from mclust's");
        }
    }

    [Fact]
    public void A_fit_starts_from_the_partition_as_given_labels_do()
    {
        var data = Data("iris");
        var labels = Cluster(data, HierarchicalModel.VVV, HierarchicalTransform.Svd).Partition(3);
        var options = new GaussianMixtureOptions { ComponentCount = 3, MaxIterations = 5, Tolerance = 0 };
        var hc = new GaussianMixture(options with { Init = InitMethod.Hierarchical }).Fit(data);
        var given = new GaussianMixture(options with { InitialLabels = labels }).Fit(data);
        Assert.Equal(given.Means.Cast<double>(), hc.Means.Cast<double>());
        Assert.Equal(given.LowerBound, hc.LowerBound);
    }

    [Fact]
    public void Above_the_subset_size_a_seeded_subset_is_clustered_and_the_fit_covers_all_rows()
    {
        var data = Data("banknote");
        var options = new HierarchicalInitOptions { SubsetRows = 120 };
        var first = HierarchicalClustering.Compute(data, options, seed: 7);
        var again = HierarchicalClustering.Compute(data, options, seed: 7);
        var other = HierarchicalClustering.Compute(data, options, seed: 8);
        Assert.Equal(120, first.SubsetRows!.Count);
        Assert.Equal(first.SubsetRows, again.SubsetRows);
        Assert.Equal(first.Merges, again.Merges);
        Assert.NotEqual(first.SubsetRows, other.SubsetRows);
        Assert.True(first.SubsetRows.Zip(first.SubsetRows.Skip(1)).All(p => p.First < p.Second));
        Assert.Equal(120, first.Partition(3).Length);

        var fit = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 3, Init = InitMethod.Hierarchical, Hierarchical = options, Seed = 7 }).Fit(data);
        Assert.Equal(data.RowCount, fit.Predict(data).Length);
        Assert.True(double.IsFinite(fit.LowerBound));
    }

    [Fact]
    public void Model_selection_computes_the_clustering_once_and_gives_each_cell_the_cell_fit()
    {
        var data = Data("faithful");
        var fitOptions = new GaussianMixtureOptions { Init = InitMethod.Hierarchical, MaxIterations = 3, Tolerance = 0 };
        var selection = new ModelSelection(new ModelSelectionOptions { ComponentCounts = [2, 3], FitOptions = fitOptions });
        var result = selection.Run(data);
        foreach (var entry in result.Entries)
        {
            var alone = new GaussianMixture(fitOptions with { ComponentCount = entry.ComponentCount, CovarianceType = entry.CovarianceType }).Fit(data);
            Assert.Equal(alone.LowerBound, entry.Model!.LowerBound);
        }
    }

    [Fact]
    public void Merges_do_not_depend_on_the_thread_count()
    {
        // Above 512 clusters the cost updates run in parallel blocks.
        var random = new Random(3);
        var values = new double[700 * 3];
        for (int i = 0; i < values.Length; i++)
            values[i] = random.NextDouble() + (i % 7 == 0 ? 2 : 0);
        var data = DataSet.Wrap(values, 3);
        foreach (var model in new[] { HierarchicalModel.VVV, HierarchicalModel.VII, HierarchicalModel.EII })
        {
            var options = new HierarchicalInitOptions { Model = model };
            var one = HierarchicalClustering.Compute(data, options, seed: 0, threads: 1);
            var four = HierarchicalClustering.Compute(data, options, seed: 0, threads: 4);
            Assert.Equal(one.Merges, four.Merges);
        }
    }

    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Cli_fit_with_init_hc_starts_from_mclusts_partition()
    {
        string csv = Fixtures.Path_("mclust/iris.csv");
        var hc = Run("fit", csv, "-k", "3", "--covariance", "full", "--init", "hc", "--max-iter", "0", "--json");
        Assert.True(hc.ExitCode == 0, hc.Error);
        // Zero iterations: the model is the M-step of mclust's hclass(hc(X), 3), as from those labels given.
        var labels = Hc("iris").GetProperty("variants").GetProperty("VVV_SVD").GetProperty("partitions").GetProperty("k3");
        string labelsPath = Path.Combine(Path.GetTempPath(), $"emix-hc-{Environment.ProcessId}.csv");
        File.WriteAllLines(labelsPath, labels.EnumerateArray().Select(l => (l.GetInt32() - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            var given = Run("fit", csv, "-k", "3", "--covariance", "full", "--init-labels", labelsPath, "--max-iter", "0", "--json");
            Assert.True(given.ExitCode == 0, given.Error);
            Assert.Equal(LogLikelihood(given.Out), LogLikelihood(hc.Out));
        }
        finally
        {
            File.Delete(labelsPath);
        }
    }

    [Fact]
    public void The_model_file_records_the_hc_settings_and_reads_them_back()
    {
        string csv = Fixtures.Path_("mclust/iris.csv");
        string model = Path.Combine(Path.GetTempPath(), $"emix-hc-model-{Environment.ProcessId}.json");
        try
        {
            var fit = Run("fit", csv, "-k", "3", "--init", "hc", "--hc-model", "VII", "--hc-use", "VARS", "-o", model, "-q");
            Assert.True(fit.ExitCode == 0, fit.Error);
            var options = JsonDocument.Parse(File.ReadAllText(model)).RootElement.GetProperty("fit").GetProperty("options");
            Assert.Equal("hc", options.GetProperty("init").GetString());
            Assert.Equal("VII", options.GetProperty("hc_model").GetString());
            Assert.Equal("VARS", options.GetProperty("hc_use").GetString());
            Assert.Equal(HierarchicalInitOptions.DefaultSubsetRows, options.GetProperty("hc_subset_rows").GetInt32());

            var loaded = GaussianMixtureModel.Load(model);
            Assert.Equal(HierarchicalModel.VII, loaded.Fit!.Options.Hierarchical.Model);
            Assert.Equal(HierarchicalTransform.Vars, loaded.Fit.Options.Hierarchical.Transform);
        }
        finally
        {
            File.Delete(model);
        }
    }

    private static double LogLikelihood(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("log_likelihood").GetDouble();
    }

    [Fact]
    public void Cli_refuses_an_unknown_hc_model_listing_the_valid_ones()
    {
        var bad = Run("fit", Fixtures.Path_("mclust/iris.csv"), "-k", "3", "--init", "hc", "--hc-model", "VEV");
        Assert.Equal(2, bad.ExitCode);
        foreach (string valid in new[] { "VVV", "VII", "EII" })
            Assert.Contains(valid, bad.Error);
    }
}
