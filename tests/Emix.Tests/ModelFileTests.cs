using Emix.Serialization;

namespace Emix.Tests;

/// <summary>The model file: exact round trip, and a loader that treats the file as untrusted.</summary>
public class ModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-model-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string Saved(CovarianceType type = CovarianceType.Full)
    {
        var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type }).Fit(Fixtures.Data("iris"));
        string path = Path.Combine(_folder, $"model-{type}.json");
        model.Save(path);
        return path;
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Round_trip_keeps_every_bit(CovarianceType type)
    {
        var data = Fixtures.Data("iris");
        var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type }).Fit(data);
        string path = Path.Combine(_folder, "m.json");
        model.Save(path);
        var loaded = GaussianMixtureModel.Load(path);
        Assert.Equal(model.Weights, loaded.Weights);
        Assert.Equal(model.Means, loaded.Means);
        Assert.Equal(model.Covariances, loaded.Covariances);
        Assert.Equal(model.PrecisionsCholesky, loaded.PrecisionsCholesky);
        Assert.Equal(model.LowerBoundHistory, loaded.LowerBoundHistory);
        Assert.Equal(model.ScoreSamples(data), loaded.ScoreSamples(data));
        Assert.Equal(model.FeatureNames, loaded.FeatureNames);
        Assert.Equal(TestData.Bits(model), TestData.Bits(loaded));
    }

    [Fact]
    public void Awkward_doubles_round_trip_exactly()
    {
        double[] values = [0.1, 1.0 / 3, Math.PI * 1e300, 4.9406564584124654E-324, 2.2250738585072014E-308, 1 - 1e-16, 123456789.123456789];
        var model = GaussianMixtureModel.Create(CovarianceType.Diagonal, [0.3, 0.7],
            new double[,] { { values[0], values[1], values[2] }, { values[3], values[4], values[5] } },
            [values[6], 1e-300, 7e-3, 1, 2, 3]);
        string path = Path.Combine(_folder, "odd.json");
        model.Save(path);
        var loaded = GaussianMixtureModel.Load(path);
        Assert.Equal(Fixtures.Flatten(model.Means), Fixtures.Flatten(loaded.Means));
        Assert.Equal(model.Covariances, loaded.Covariances);
    }

    public static TheoryData<string, string, string> Edits() => new()
    {
        { "\"version\": 1", "\"version\": 7", "version 7 is newer than this emix reads (version 1)" },
        { "\"format\": \"emix-gaussian-mixture\"", "\"format\": \"other\"", "not an emix model file" },
        { "\"n_components\": 3", "\"n_components\": 4", "weights: expected 4 entries, found 3" },
        { "\"n_features\": 4", "\"n_features\": 1000000", "more than this emix accepts" },
        { "\"covariance_type\": \"full\"", "\"covariance_type\": \"banana\"", "\"covariance_type\" is \"banana\"" },
        { "\"weights\": [", "\"weights\": \"x\", \"was\": [", "weights: expected an array of 3, found the string \"x\"" },
        { "\"covariance_type\": \"full\",", "", "missing key \"covariance_type\"" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void Edited_files_are_refused_with_the_problem_named(string find, string replace, string expected)
    {
        string path = Saved();
        string text = File.ReadAllText(path);
        Assert.Contains(find, text);
        File.WriteAllText(path, text.Replace(find, replace));
        var e = Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Negative_weights_non_finite_values_and_non_positive_definite_covariances_are_refused()
    {
        string path = Saved();
        var model = GaussianMixtureModel.Load(path);
        string text = File.ReadAllText(path);

        string w0 = model.Weights[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(path, text.Replace(w0, "-" + w0));
        Assert.Contains("weights must lie in [0, 1]", Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(path)).Message);

        File.WriteAllText(path, text.Replace(w0, "1e999"));
        Assert.Contains("expected a finite number", Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(path)).Message);

        // Negate the first covariance entry of component 1: no longer positive definite.
        string c0 = model.Covariances[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        int at = text.IndexOf("\"covariances\"", StringComparison.Ordinal);
        int first = text.IndexOf(c0, at, StringComparison.Ordinal);
        File.WriteAllText(path, text[..first] + "-" + text[first..]);
        var e = Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(path));
        Assert.Contains("component 1", e.Message);
        Assert.Contains("not positive definite", e.Message);
    }

    [Fact]
    public void Truncated_and_foreign_files_are_refused()
    {
        string path = Saved();
        var bytes = File.ReadAllBytes(path);
        foreach (int length in new[] { 0, 1, 10, bytes.Length / 2, bytes.Length - 3 })
        {
            File.WriteAllBytes(path, bytes[..length]);
            var e = Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(path));
            Assert.Contains("not valid JSON", e.Message);
        }
        File.WriteAllText(path, "[1, 2, 3]");
        Assert.Contains("expected a JSON object", Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(path)).Message);
        Assert.Contains("model file not found", Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(Path.Combine(_folder, "none.json"))).Message);
    }

    [Fact]
    public void Initial_parameter_files_accept_any_subset_in_scikit_learn_shapes()
    {
        string path = Path.Combine(_folder, "init.json");
        File.WriteAllText(path, """{"means": [[1, 2], [3, 4]], "precisions": [[1, 0.5], [2, 0.25]], "comment": "ignored"}""");
        var init = InitialParametersFile.Read(path, CovarianceType.Diagonal, 2, 2);
        Assert.Null(init.Weights);
        Assert.Equal([1.0, 2, 3, 4], init.Means);
        Assert.Equal([1.0, 0.5, 2, 0.25], init.Precisions);

        var e = Assert.Throws<ModelFormatException>(() => InitialParametersFile.Read(path, CovarianceType.Full, 2, 2));
        Assert.Contains("precisions[0][0]: expected an array of 2, found 1", e.Message);
        File.WriteAllText(path, """{"weights": [0.5]}""");
        e = Assert.Throws<ModelFormatException>(() => InitialParametersFile.Read(path, CovarianceType.Full, 2, 2));
        Assert.Contains("weights: expected 2 entries, found 1", e.Message);
    }

    [Fact]
    public void A_saved_model_is_a_valid_initial_parameter_file()
    {
        string path = Saved(CovarianceType.Tied);
        var init = InitialParametersFile.Read(path, CovarianceType.Tied, 3, 4);
        Assert.NotNull(init.Weights);
        Assert.NotNull(init.Covariances);
        var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = CovarianceType.Tied, InitialParameters = init }).Fit(Fixtures.Data("iris"));
        Assert.True(model.Converged);
    }
}
