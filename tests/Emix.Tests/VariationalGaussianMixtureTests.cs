using System.Globalization;
using System.Text.Json;
using Emix.Cli;
using Emix.Data;

namespace Emix.Tests;

/// <summary>
/// The variational Bayesian Gaussian mixture against scikit-learn 1.2.1's BayesianGaussianMixture
/// started from the same hard labels (tests/fixtures/variational, written by make_variational_fixtures.py):
/// iris, Old Faithful and wine; all four structures, both weight priors, default and given priors; 20
/// iterations at tol 0, and the default tolerance's iteration counts.
/// </summary>
public sealed class VariationalGaussianMixtureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-variational-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    public static TheoryData<string> ReferenceRuns()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Fixtures.Path_("variational"), "*.json").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(path));
        return data;
    }

    private static VariationalGaussianMixtureModel FitAsFixture(JsonElement f)
    {
        var data = CsvReader.Read(Fixtures.Path_(f.GetProperty("data_file").GetString()!));
        var labels = File.ReadLines(Fixtures.Path_(f.GetProperty("labels_file").GetString()!)).Where(l => l.Length > 0)
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(MixtureNames.TryParseCovarianceType(f.GetProperty("covariance_type").GetString(), out var type));
        var given = f.GetProperty("priors_given");
        double[]? Prior(string name) => given.TryGetProperty(name, out var v) ? Fixtures.Flat(v) : null;
        var options = new VariationalGaussianMixtureOptions
        {
            ComponentCount = f.GetProperty("n_components").GetInt32(), CovarianceType = type, InitialLabels = labels,
            MaxIterations = f.GetProperty("max_iter").GetInt32(), Tolerance = f.GetProperty("tol").GetDouble(), RegCovar = f.GetProperty("reg_covar").GetDouble(),
            WeightPrior = f.GetProperty("weight_concentration_prior_type").GetString() == "dirichlet_process" ? WeightPrior.Process : WeightPrior.Distribution,
            WeightConcentration = Prior("weight_concentration_prior")?[0], MeanPrecision = Prior("mean_precision_prior")?[0], MeanPrior = Prior("mean_prior"),
            DegreesOfFreedom = Prior("degrees_of_freedom_prior")?[0], CovariancePrior = Prior("covariance_prior"),
        };
        return new VariationalGaussianMixture(options).Fit(data);
    }

    [Theory]
    [MemberData(nameof(ReferenceRuns))]
    public void From_the_same_labels_the_bound_and_the_posterior_agree_with_scikit_learn(string run)
    {
        var f = Fixtures.Json($"variational/{run}.json");
        var model = FitAsFixture(f);
        Assert.Equal(f.GetProperty("n_iter").GetInt32(), model.IterationCount);
        Assert.Equal(f.GetProperty("converged").GetBoolean(), model.Converged);
        Close.Relative(f.GetProperty("lower_bound").GetDouble(), model.LowerBound, 1e-10, $"{run}: lower bound");
        Close.All(Fixtures.Flat(f.GetProperty("lower_bound_history")), model.LowerBoundHistory.ToArray(), 1e-10, $"{run}: lower bound history");
        Close.All(Fixtures.Flat(f.GetProperty("weights")), model.Weights, 1e-8, $"{run}: weights");
        Close.All(Fixtures.Flat(f.GetProperty("means")), Fixtures.Flatten(model.Means), 1e-8, $"{run}: means");
        Close.All(Fixtures.Flat(f.GetProperty("covariances")), model.Covariances, 1e-8, $"{run}: covariances");
        Close.All(Fixtures.Flat(f.GetProperty("precisions_cholesky")), model.PrecisionsCholesky, 1e-8, $"{run}: precisions Cholesky");
        Close.All(Fixtures.Flat(f.GetProperty("weight_concentration")), model.WeightConcentration, 1e-8, $"{run}: weight concentration");
        Close.All(Fixtures.Flat(f.GetProperty("mean_precision")), model.MeanPrecision, 1e-8, $"{run}: mean precision");
        var nu = Fixtures.Flat(f.GetProperty("degrees_of_freedom"));
        Close.All(nu.Length == 1 ? Enumerable.Repeat(nu[0], model.ComponentCount).ToArray() : nu, model.DegreesOfFreedom, 1e-8, $"{run}: degrees of freedom");
        var data = CsvReader.Read(Fixtures.Path_(f.GetProperty("data_file").GetString()!));
        Assert.Equal(Fixtures.Ints(f.GetProperty("predict")), model.Predict(data));
        var proba = model.PredictProbabilities(data);
        var first = Fixtures.Flat(f.GetProperty("predict_proba_first10"));
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < model.ComponentCount; j++)
                Close.One(first[(i * model.ComponentCount) + j], proba[i, j], 1e-8, $"{run}: predict_proba[{i}, {j}]");
    }

    [Fact]
    public void A_dirichlet_process_with_nine_components_on_three_clusters_keeps_three()
    {
        var data = TestData.Blobs(1500, d: 2, seed: 11);
        var model = new VariationalGaussianMixture(new() { ComponentCount = 9, Seed = 3, MaxIterations = 500 }).Fit(data);
        Assert.Equal(3, model.EffectiveComponentCount());
        Assert.Contains("3 components with weight ≥ 0.01", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_sample_weights_equal_repeated_rows_and_threads_do_not_change_the_bits()
    {
        var data = TestData.Blobs(600, d: 3, seed: 5);
        var counts = Enumerable.Range(0, data.RowCount).Select(i => (double)(i % 3)).ToArray();
        var repeated = DataSet.FromRows(Enumerable.Range(0, data.RowCount).SelectMany(i => Enumerable.Repeat(data.Row(i).ToArray(), (int)counts[i])).ToList());
        var options = new VariationalGaussianMixtureOptions { ComponentCount = 3, Init = InitMethod.Random, Seed = 2, MaxIterations = 30, Tolerance = 0 };
        var weighted = new VariationalGaussianMixture(options with { Init = InitMethod.KMeans }).Fit(data.WithWeights(counts));
        var copies = new VariationalGaussianMixture(options with { Init = InitMethod.KMeans }).Fit(repeated);
        Close.Relative(copies.LowerBound, weighted.LowerBound, 1e-10, "lower bound");
        Close.All(copies.Weights, weighted.Weights, 1e-8, "weights");
        var one = new VariationalGaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(data);
        var two = new VariationalGaussianMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(data);
        Assert.Equal(one.LowerBound, two.LowerBound);
        Assert.Equal(one.Covariances, two.Covariances);
    }

    [Fact]
    public void A_warm_start_continues_where_the_fit_stopped()
    {
        var data = TestData.Blobs(700, d: 2, seed: 8);
        var options = new VariationalGaussianMixtureOptions { ComponentCount = 4, Seed = 6, Tolerance = 0, MaxIterations = 10 };
        var first = new VariationalGaussianMixture(options).Fit(data);
        var continued = new VariationalGaussianMixture(options).Fit(data, first);
        var straight = new VariationalGaussianMixture(options with { MaxIterations = 20 }).Fit(data);
        Assert.Equal(straight.LowerBound, continued.LowerBound);
        Assert.Equal(straight.Covariances, continued.Covariances);
        Assert.Throws<ArgumentException>(() => new VariationalGaussianMixture(options with { ComponentCount = 3 }).Fit(data, first));
    }

    [Fact]
    public void Priors_out_of_range_are_refused_naming_the_option_and_its_range()
    {
        var data = TestData.Blobs(100, d: 3);
        var e = Assert.Throws<ArgumentException>(() => new VariationalGaussianMixture(new() { ComponentCount = 2, DegreesOfFreedom = 2 }).Fit(data));
        Assert.Contains("DegreesOfFreedom = 2: the degrees-of-freedom prior must be greater than d − 1 = 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new VariationalGaussianMixture(new() { WeightConcentration = 0 }));
        Assert.Throws<ArgumentException>(() => new VariationalGaussianMixture(new() { MeanPrecision = -1 }));
        e = Assert.Throws<ArgumentException>(() => new VariationalGaussianMixture(new() { ComponentCount = 2, CovarianceType = CovarianceType.Diagonal, CovariancePrior = [1, -1, 1] }).Fit(data));
        Assert.Contains("CovariancePrior", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CovarianceType.Full, WeightPrior.Process)]
    [InlineData(CovarianceType.Tied, WeightPrior.Distribution)]
    [InlineData(CovarianceType.Diagonal, WeightPrior.Process)]
    [InlineData(CovarianceType.Spherical, WeightPrior.Distribution)]
    public void The_model_file_round_trips_and_the_posterior_mean_mixture_gives_the_summarys_bic(CovarianceType type, WeightPrior prior)
    {
        var data = TestData.Blobs(800, d: 3, seed: 9);
        var model = new VariationalGaussianMixture(new() { ComponentCount = 4, CovarianceType = type, WeightPrior = prior, Seed = 1 }).Fit(data);
        string path = Path.Combine(_folder, "vb.json");
        model.Save(path);
        Assert.Contains("\"format\": \"emix-variational-gaussian-mixture\"", File.ReadAllText(path), StringComparison.Ordinal);
        var loaded = Assert.IsType<VariationalGaussianMixtureModel>(MixtureModel.LoadAny(path));
        Assert.Equal(TestData.Bits(model), TestData.Bits(loaded));
        Assert.Equal(model.ScoreSamples(data), loaded.ScoreSamples(data));
        Assert.Equal(model.WeightConcentration, loaded.WeightConcentration);
        Assert.Equal(model.DegreesOfFreedom, loaded.DegreesOfFreedom);
        Assert.Equal(model.LowerBoundHistory, loaded.LowerBoundHistory);
        var mean = model.PosteriorMeanMixture;
        Close.Relative(mean.LogLikelihood(data), model.TrainingLogLikelihood!.Value, 1e-12, "posterior-mean log-likelihood");
        Assert.Contains(mean.Bic(data).ToString("F4", CultureInfo.InvariantCulture), model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_fits_streamed_and_in_memory_with_the_same_file_and_refuses_bad_priors()
    {
        var data = TestData.Blobs(5_000, d: 3, seed: 4);
        string npy = Path.Combine(_folder, "blobs.npy");
        NpyWriter.Write(npy, data);
        string inMemory = Path.Combine(_folder, "memory.json"), streamed = Path.Combine(_folder, "streamed.json");
        string[] fit = ["fit", npy, "-k", "6", "--variational", "--weight-prior", "distribution", "--weight-concentration", "0.5", "--mean-precision", "2", "--quiet"];
        Assert.Equal(0, EmixApp.Run([.. fit, "-o", inMemory], new StringWriter(), new StringWriter()));
        var stdout = new StringWriter();
        Assert.Equal(0, EmixApp.Run([.. fit, "--memory-limit", "64k", "-o", streamed, "--json"], stdout, new StringWriter()));
        Assert.Contains("\"out_of_core\":true", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(inMemory), File.ReadAllBytes(streamed));
        Assert.Equal(0.5, VariationalPrior(inMemory));
        foreach (var (args, message) in new[]
        {
            (new[] { "--weight-concentration", "0" }, "WeightConcentration = 0: must be a finite number > 0."),
            (["--mean-precision", "-1"], "MeanPrecision = -1: must be a finite number > 0."),
            (["--degrees-of-freedom", "1.5"], "the degrees-of-freedom prior must be greater than d − 1 = 2"),
            (["--mean-prior", "1,2"], "MeanPrior: 2 values for 3 features"),
        })
        {
            string model = Path.Combine(_folder, "bad.json");
            var stderr = new StringWriter();
            Assert.Equal(ExitCodes.Usage, EmixApp.Run(["fit", npy, "-k", "2", "--variational", .. args, "-o", model], new StringWriter(), stderr));
            Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
            Assert.Single(stderr.ToString().Trim().Split('\n'));
            Assert.False(File.Exists(model));
        }
        var usage = new StringWriter();
        Assert.Equal(ExitCodes.Usage, EmixApp.Run(["fit", npy, "--mean-precision", "2"], new StringWriter(), usage));
        Assert.Contains("--mean-precision applies to variational fits only", usage.ToString(), StringComparison.Ordinal);
    }

    private static double VariationalPrior(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("priors").GetProperty("weight_concentration").GetDouble();
    }
}
