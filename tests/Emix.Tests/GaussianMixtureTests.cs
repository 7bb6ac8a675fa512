namespace Emix.Tests;

/// <summary>scikit-learn's own invariants of GaussianMixture, for every covariance type.</summary>
public class GaussianMixtureTests
{
    [Theory]
    [MemberData(nameof(TestData.TypesAndInits), MemberType = typeof(TestData))]
    public void Lower_bound_never_decreases(CovarianceType type, InitMethod init)
    {
        var data = TestData.Blobs();
        var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Init = init, Tolerance = 0, MaxIterations = 40 }).Fit(data);
        var history = model.LowerBoundHistory;
        Assert.Equal(40, history.Count);
        for (int i = 1; i < history.Count; i++)
            Assert.True(history[i] >= history[i - 1] - (1e-12 * Math.Abs(history[i - 1])),
                $"iteration {i + 1}: lower bound fell from {history[i - 1]:R} to {history[i]:R}");
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void FitPredict_equals_Fit_then_Predict(CovarianceType type)
    {
        var data = TestData.Blobs();
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Init = InitMethod.Random, Seed = 3 };
        var labels = new GaussianMixture(options).FitPredict(data);
        var model = new GaussianMixture(options).Fit(data);
        Assert.Equal(model.Predict(data), labels);
        Assert.Equal(3, labels.Distinct().Count());
    }

    [Fact]
    public void Parameter_counts_match_scikit_learn()
    {
        var counts = Fixtures.Json("sklearn/param_counts.json");
        foreach (var (key, k, d) in new[] { ("random_d5_k2", 2, 5), ("iris_k3", 3, 4) })
        {
            var expected = counts.GetProperty(key);
            foreach (var type in TestData.AllTypes)
            {
                var model = GaussianMixtureModel.Create(type, Enumerable.Repeat(1.0 / k, k).ToArray(), new double[k, d],
                    IdentityCovariances(type, k, d));
                Assert.Equal(expected.GetProperty(type.ToScikitName()).GetInt64(), model.FreeParameterCount);
            }
        }
    }

    internal static double[] IdentityCovariances(CovarianceType type, int k, int d)
    {
        switch (type)
        {
            case CovarianceType.Full:
                var full = new double[k * d * d];
                for (int j = 0; j < k; j++)
                    for (int a = 0; a < d; a++)
                        full[(j * d * d) + (a * d) + a] = 1;
                return full;
            case CovarianceType.Tied:
                var tied = new double[d * d];
                for (int a = 0; a < d; a++)
                    tied[(a * d) + a] = 1;
                return tied;
            case CovarianceType.Diagonal:
                return Enumerable.Repeat(1.0, k * d).ToArray();
            default:
                return Enumerable.Repeat(1.0, k).ToArray();
        }
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Warm_start_resumes_where_the_fit_stopped(CovarianceType type)
    {
        var data = TestData.Blobs();
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Tolerance = 0, MaxIterations = 6, Init = InitMethod.Random, Seed = 11 };
        var straight = new GaussianMixture(options with { MaxIterations = 12 }).Fit(data);
        var first = new GaussianMixture(options).Fit(data);
        var resumed = new GaussianMixture(options).Fit(data, first);
        Assert.Equal(TestData.ParameterBits(straight), TestData.ParameterBits(resumed));
        Assert.Equal(straight.LowerBound, resumed.LowerBound);
        Assert.Equal(straight.LowerBoundHistory.Skip(6), resumed.LowerBoundHistory);
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Warm_start_converges_immediately_from_a_converged_model(CovarianceType type)
    {
        var data = TestData.Blobs();
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Tolerance = 1e-9, MaxIterations = 500 };
        var converged = new GaussianMixture(options).Fit(data);
        Assert.True(converged.Converged);
        var again = new GaussianMixture(options).Fit(data, converged);
        Assert.True(again.Converged);
        Assert.Equal(1, again.IterationCount);
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Collapsed_data_with_zero_regularisation_reports_the_documented_error(CovarianceType type)
    {
        // Two groups of identical points: every component's covariance is exactly zero.
        var rows = new List<double[]>();
        for (int i = 0; i < 10; i++)
            rows.Add([1, 2]);
        for (int i = 0; i < 10; i++)
            rows.Add([5, -1]);
        var data = DataSet.FromRows(rows);
        var e = Assert.Throws<NumericalFailureException>(() =>
            new GaussianMixture(new() { ComponentCount = 2, CovarianceType = type, RegCovar = 0 }).Fit(data));
        Assert.Contains("ill-defined empirical covariance", e.Message);
        Assert.Contains(NumericalFailureException.CollapseAdvice, e.Message);
        Assert.InRange(e.Component, 0, 1);
        // With the default reg_covar the same data fit fine.
        var model = new GaussianMixture(new() { ComponentCount = 2, CovarianceType = type }).Fit(data);
        Assert.All(model.Weights, w => Assert.Equal(0.5, w, 10));
    }

    [Fact]
    public void Max_iter_zero_keeps_the_initial_parameters_and_an_infinite_lower_bound()
    {
        var data = TestData.Blobs();
        var model = new GaussianMixture(new() { ComponentCount = 3, MaxIterations = 0 }).Fit(data);
        Assert.Equal(0, model.IterationCount);
        Assert.False(model.Converged);
        Assert.Equal(double.NegativeInfinity, model.LowerBound);
    }

    [Fact]
    public void Best_of_several_initialisations_is_kept()
    {
        var data = TestData.Blobs();
        var options = new GaussianMixtureOptions { ComponentCount = 3, Init = InitMethod.Random, MaxIterations = 3, Tolerance = 0 };
        var single = Enumerable.Range(0, 1).Select(_ => new GaussianMixture(options).Fit(data).LowerBound).Single();
        var best = new GaussianMixture(options with { InitCount = 5 }).Fit(data);
        Assert.True(best.LowerBound >= single);
        Assert.InRange(best.Fit!.BestRun, 1, 5);
    }

    [Fact]
    public void Init_methods_recover_well_separated_blobs()
    {
        var data = TestData.Blobs(900);
        foreach (var init in Enum.GetValues<InitMethod>())
        {
            var model = new GaussianMixture(new() { ComponentCount = 3, Init = init, InitCount = 3, Seed = 5 }).Fit(data);
            var sizes = model.TrainingClusterSizes!;
            Assert.All(sizes, s => Assert.InRange(s, 280, 320));
        }
    }

    [Fact]
    public void Fewer_rows_than_components_is_an_argument_error()
    {
        var data = DataSet.FromRows([[1.0], [2.0]]);
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { ComponentCount = 3 }).Fit(data));
        Assert.Contains("3 components need at least 3 rows, got 2", e.Message);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_their_name()
    {
        Assert.Contains("Tolerance", Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { Tolerance = -1 })).Message);
        Assert.Contains("ComponentCount", Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { ComponentCount = 0 })).Message);
        Assert.Contains("RegCovar", Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { RegCovar = double.NaN })).Message);
        Assert.Contains("InitCount", Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { InitCount = 0 })).Message);
    }

    [Fact]
    public void Initial_parameters_of_the_wrong_shape_are_rejected()
    {
        var data = TestData.Blobs();
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixture(new()
        {
            ComponentCount = 3,
            InitialParameters = new InitialParameters { Means = new double[8] },
        }).Fit(data));
        Assert.Contains("initial means have 8 values; expected 9 (k×d = 3×3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GaussianMixture(new()
        {
            ComponentCount = 2,
            InitialParameters = new InitialParameters { Weights = [0.7, 0.7] },
        }).Fit(data));
        Assert.Contains("sum to 1.4", e.Message);
    }

    [Fact]
    public void Given_initial_parameters_draw_no_random_numbers()
    {
        var data = TestData.Blobs();
        var first = new GaussianMixture(new() { ComponentCount = 3, Seed = 1 }).Fit(data);
        var init = new InitialParameters { Weights = first.Weights, Means = Fixtures.Flatten(first.Means), Covariances = first.Covariances };
        var a = new GaussianMixture(new() { ComponentCount = 3, Seed = 1, InitialParameters = init, MaxIterations = 3 }).Fit(data);
        var b = new GaussianMixture(new() { ComponentCount = 3, Seed = 99, InitialParameters = init, MaxIterations = 3 }).Fit(data);
        Assert.Equal(TestData.ParameterBits(a), TestData.ParameterBits(b));
    }

    [Fact]
    public void Sample_draws_from_the_mixture()
    {
        var model = GaussianMixtureModel.Create(CovarianceType.Full, [0.25, 0.75],
            new double[,] { { -3, 0 }, { 4, 2 } }, [1, 0.5, 0.5, 2, 0.5, 0, 0, 0.5]);
        var sample = model.Sample(40_000, seed: 3);
        Assert.Equal(40_000, sample.Data.RowCount);
        double share = sample.Labels.Count(l => l == 0) / 40_000.0;
        Assert.InRange(share, 0.24, 0.26);
        var refit = new GaussianMixture(new() { ComponentCount = 2 }).Fit(sample.Data);
        var means = refit.Means;
        int low = means[0, 0] < means[1, 0] ? 0 : 1;
        Assert.Equal(-3, means[low, 0], 1);
        Assert.Equal(4, means[1 - low, 0], 1);
        var cov = refit.GetCovarianceMatrix(low);
        Assert.Equal(1, cov[0, 0], 1);
        Assert.Equal(0.5, cov[0, 1], 1);
        Assert.Equal(2, cov[1, 1], 1);
        Assert.Equal(TestData.Bits(refit), TestData.Bits(new GaussianMixture(new() { ComponentCount = 2 }).Fit(model.Sample(40_000, seed: 3).Data)));
    }

    [Fact]
    public void Probabilities_sum_to_one_and_scores_match_the_mean_log_density()
    {
        var data = TestData.Blobs();
        foreach (var type in TestData.AllTypes)
        {
            var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type }).Fit(data);
            var p = model.PredictProbabilities(data);
            for (int i = 0; i < data.RowCount; i++)
            {
                double sum = 0;
                for (int j = 0; j < 3; j++)
                    sum += p[i, j];
                Assert.Equal(1.0, sum, 12);
            }
            Assert.Equal(model.ScoreSamples(data).Average(), model.Score(data), 12);
            Assert.Equal(model.TrainingLogLikelihood!.Value / data.RowCount, model.Score(data), 12);
        }
    }

    [Fact]
    public void Summary_names_the_model_and_its_figures()
    {
        var data = Fixtures.Data("iris");
        var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = CovarianceType.Diagonal }).Fit(data);
        var summary = model.Summary();
        Assert.Contains("Model VVI (diag: diagonal, varying volume and shape) with 3 components", summary);
        Assert.Contains(model.Bic(data).ToString("F4", System.Globalization.CultureInfo.InvariantCulture), summary);
        Assert.Contains("  150  26  ", summary);
        Assert.Contains("sepal_length", summary);
        Assert.Contains("lower is better", summary);
    }
}
