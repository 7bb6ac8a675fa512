using System.Text.Json;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Tests;

/// <summary>
/// EM from the same given initial parameters as scikit-learn (fixtures made by
/// tests/fixtures/make_sklearn_fixtures.py) on real data sets, for every covariance type.
/// </summary>
public class ScikitLearnAgreementTests
{
    public static TheoryData<string, string, KernelVariant> Cases()
    {
        var data = new TheoryData<string, string, KernelVariant>();
        foreach (var set in new[] { "iris", "faithful", "wine" })
            foreach (var type in new[] { "full", "tied", "diag", "spherical" })
                foreach (var variant in KernelSelector.Supported)
                    data.Add(set, type, variant);
        return data;
    }

    private static (DataSet Data, GaussianMixtureOptions Options, JsonElement Fixture) Load(string set, string type, string run, KernelVariant variant)
    {
        var fixture = Fixtures.Json($"sklearn/{set}_{type}.json");
        var data = Fixtures.Data(set);
        var init = fixture.GetProperty("init");
        Assert.True(MixtureNames.TryParseCovarianceType(type, out var covarianceType));
        var r = fixture.GetProperty(run);
        var options = new GaussianMixtureOptions
        {
            ComponentCount = fixture.GetProperty("n_components").GetInt32(),
            CovarianceType = covarianceType,
            RegCovar = fixture.GetProperty("reg_covar").GetDouble(),
            MaxIterations = r.GetProperty("max_iter").GetInt32(),
            Tolerance = r.GetProperty("tol").GetDouble(),
            Kernel = variant,
            InitialParameters = new InitialParameters
            {
                Weights = Fixtures.Flat(init.GetProperty("weights")),
                Means = Fixtures.Flat(init.GetProperty("means")),
                Precisions = Fixtures.Flat(init.GetProperty("precisions")),
            },
        };
        return (data, options, r);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixed_iterations_match_scikit_learn(string set, string type, KernelVariant variant)
    {
        var (data, options, expected) = Load(set, type, "fixed", variant);
        var model = new GaussianMixture(options).Fit(data);

        Assert.Equal(expected.GetProperty("n_iter").GetInt32(), model.IterationCount);
        Assert.Equal(expected.GetProperty("converged").GetBoolean(), model.Converged);
        Close.Relative(expected.GetProperty("lower_bound").GetDouble(), model.LowerBound, 1e-10, "lower bound");
        Close.All(Fixtures.Flat(expected.GetProperty("weights")), model.Weights, 1e-7, "weights");
        Close.All(Fixtures.Flat(expected.GetProperty("means")), Fixtures.Flatten(model.Means), 1e-7, "means");
        Close.All(Fixtures.Flat(expected.GetProperty("covariances")), model.Covariances, 1e-7, "covariances");
        Close.All(Fixtures.Flat(expected.GetProperty("precisions_cholesky")), model.PrecisionsCholesky, 1e-6, "precisions_cholesky");
        Close.Relative(expected.GetProperty("bic").GetDouble(), model.Bic(data), 1e-10, "BIC");
        Close.Relative(expected.GetProperty("aic").GetDouble(), model.Aic(data), 1e-10, "AIC");
        Close.Relative(expected.GetProperty("score").GetDouble(), model.Score(data), 1e-10, "score");
        Assert.Equal(Fixtures.Ints(expected.GetProperty("predict")), model.Predict(data));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Converged_fits_match_scikit_learn(string set, string type, KernelVariant variant)
    {
        var (data, options, expected) = Load(set, type, "converged", variant);
        var model = new GaussianMixture(options).Fit(data);

        Assert.True(model.Converged);
        Close.Relative(expected.GetProperty("lower_bound").GetDouble(), model.LowerBound, 1e-8, "lower bound");
        Assert.InRange(model.IterationCount, expected.GetProperty("n_iter").GetInt32() - 1, expected.GetProperty("n_iter").GetInt32() + 1);
        Close.All(Fixtures.Flat(expected.GetProperty("weights")), model.Weights, 1e-6, "weights");
        Close.All(Fixtures.Flat(expected.GetProperty("means")), Fixtures.Flatten(model.Means), 1e-6, "means");
        Assert.Equal(Fixtures.Ints(expected.GetProperty("predict")), model.Predict(data));

        var proba = model.PredictProbabilities(data);
        var expectedProba = expected.GetProperty("predict_proba_first5");
        int k = model.ComponentCount;
        int row = 0;
        foreach (var r in expectedProba.EnumerateArray())
        {
            var values = Fixtures.Flat(r);
            for (int j = 0; j < k; j++)
                Close.One(values[j], proba[row, j], 1e-6, $"predict_proba[{row},{j}]");
            row++;
        }
        var samples = model.ScoreSamples(data);
        var expectedSamples = Fixtures.Flat(expected.GetProperty("score_samples_first5"));
        for (int i = 0; i < expectedSamples.Length; i++)
            Close.Relative(expectedSamples[i], samples[i], 1e-7, $"score_samples[{i}]");
    }
}
