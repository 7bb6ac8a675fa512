using System.Text.Json;
using Emix.Data;
using Emix.Families.Gaussian;

namespace Emix.Tests;

/// <summary>
/// The conjugate prior (<see cref="ConjugatePrior.Default"/>, mclust's <c>priorControl()</c>) against mclust 6.0.0's
/// <c>me(..., prior = priorControl())</c> (tests/fixtures/mclust/prior_*.json, see its README): the same hard start and
/// number of M-steps as <see cref="MclustStructureTests"/>, reg_covar 0; mclust's loglik is the plain log-likelihood at
/// the MAP parameters. Structures mclust refuses with a prior are refused here too.
/// </summary>
public sealed class MclustPriorTests
{
    /// <summary>(data set, structure) of every prior fit mclust did.</summary>
    public static TheoryData<string, string> FittedCells()
    {
        var cells = new TheoryData<string, string>();
        foreach (var data in MclustFixtures.DataSets)
            foreach (var fit in MclustFixtures.Json("prior", data).GetProperty("fits").EnumerateObject())
                if (!fit.Value.TryGetProperty("error", out _))
                    cells.Add(data, fit.Name);
        return cells;
    }

    /// <summary>(data set, structure) of every fit mclust refuses as "not available with prior".</summary>
    public static TheoryData<string, string> RefusedCells()
    {
        var cells = new TheoryData<string, string>();
        foreach (var data in MclustFixtures.DataSets)
            foreach (var fit in MclustFixtures.Json("prior", data).GetProperty("fits").EnumerateObject())
                if (fit.Value.TryGetProperty("error", out var error) && error.GetString()!.Contains("not available with prior", StringComparison.Ordinal))
                    cells.Add(data, fit.Name);
        return cells;
    }

    [Theory]
    [MemberData(nameof(FittedCells))]
    public void MatchesMclustMeWithPrior(string data, string code)
    {
        var (expected, model, set) = Run(data, code);
        string what = $"{data}/{code}";
        int k = model.ComponentCount, d = model.FeatureCount;
        Assert.Equal(expected.GetProperty("nVarParams").GetInt64(), model.FreeParameterCount - ((long)k * d) - (k - 1));
        Close.Relative(expected.GetProperty("loglik").GetDouble(), model.LogLikelihood(set), MclustFixtures.LogLikelihoodTolerance, what + " loglik");
        Close.All(Fixtures.Flat(expected.GetProperty("pro")), model.Weights, MclustFixtures.ParameterTolerance, what + " pro");
        Close.All(Fixtures.Flat(expected.GetProperty("mean")), Fixtures.Flatten(model.Means), MclustFixtures.ParameterTolerance, what + " mean");
        Close.All(Fixtures.Flat(expected.GetProperty("sigma")), Sigmas(model), MclustFixtures.ParameterTolerance, what + " sigma");
        // mclust's bic() with a prior is that of the plain loglik; Emix's sign is the opposite.
        Close.Relative(-expected.GetProperty("bic").GetDouble(), model.Bic(set), MclustFixtures.LogLikelihoodTolerance, what + " bic");
    }

    [Theory]
    [MemberData(nameof(FittedCells))]
    public void ResolvesMclustsDefaultPrior(string data, string code)
    {
        var expected = MclustFixtures.Json("prior", data).GetProperty("fits").GetProperty(code).GetProperty("prior");
        var set = MclustFixtures.Data(data);
        Assert.True(MixtureNames.TryParseCovarianceType(code, out var type), code);
        int k = MclustFixtures.Json("prior", data).GetProperty("start").GetProperty("k").GetInt32();
        var prior = PriorHyperparameters.Resolve(ConjugatePrior.Default, CovarianceStructure.For(type), k, set, null);
        Close.Relative(expected.GetProperty("shrinkage").GetDouble(), prior.Shrinkage, 1e-15, "shrinkage");
        Close.All(Fixtures.Flat(expected.GetProperty("mean")), prior.Mean, 1e-13, "mean");
        Close.Relative(expected.GetProperty("dof").GetDouble(), prior.DegreesOfFreedom, 1e-15, "dof");
        var scale = Fixtures.Flat(expected.GetProperty("scale"));
        Close.All(scale, scale.Length == 1 && prior.MatrixScale is null ? [prior.ScalarScale] : prior.MatrixScale!, 1e-12, "scale");
    }

    [Theory]
    [MemberData(nameof(RefusedCells))]
    public void RefusesTheStructuresMclustHasNoPriorFor(string data, string code)
    {
        Assert.True(MixtureNames.TryParseCovarianceType(code, out var type), code);
        Assert.False(ConjugatePrior.Supports(type));
        var start = MclustFixtures.Json("prior", data).GetProperty("start");
        var options = new GaussianMixtureOptions
        {
            ComponentCount = start.GetProperty("k").GetInt32(),
            CovarianceType = type,
            Prior = ConjugatePrior.Default,
        };
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixture(options).Fit(MclustFixtures.Data(data)));
        Assert.Contains("not available with the conjugate prior", e.Message, StringComparison.Ordinal);
    }

    /// <summary>(data set, structure) of every prior fit where mclust stopped because a proportion fell below √eps.</summary>
    public static TheoryData<string, string> FailedCells()
    {
        var cells = new TheoryData<string, string>();
        foreach (var data in MclustFixtures.DataSets)
            foreach (var fit in MclustFixtures.Json("prior", data).GetProperty("fits").EnumerateObject())
                if (fit.Value.TryGetProperty("error", out var error) && error.GetString()!.Contains("fell below threshold", StringComparison.Ordinal))
                    cells.Add(data, fit.Name);
        return cells;
    }

    [Theory]
    [MemberData(nameof(FailedCells))]
    public void FailsWhereMclustsProportionFallsBelowThreshold(string data, string code)
    {
        var e = Assert.Throws<NumericalFailureException>(() => Run(data, code, iterations: 20));
        Assert.Contains("fell below threshold", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.DiagonalVariableVolume)]
    [InlineData(CovarianceType.EllipsoidalEqualShape)]
    [InlineData(CovarianceType.Tied)]
    public void TheSameBitsForAnyThreadCount(CovarianceType type)
    {
        var data = TestData.Blobs(n: 5000, d: 3);
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Prior = ConjugatePrior.Default, MaxIterations = 30, MaxDegreeOfParallelism = 1 };
        var one = new GaussianMixture(options).Fit(data);
        var many = new GaussianMixture(options with { MaxDegreeOfParallelism = 4 }).Fit(data);
        Assert.Equal(TestData.Bits(one), TestData.Bits(many));
    }

    [Fact]
    public void StepwiseEmAndFrozenMeansRefuseThePrior()
    {
        var options = new GaussianMixtureOptions { ComponentCount = 2, Prior = ConjugatePrior.Default };
        Assert.Contains("batch EM", Assert.Throws<ArgumentException>(() => new OnlineGaussianMixture(options, 0.7)).Message, StringComparison.Ordinal);
        var frozen = options with { InitialParameters = new InitialParameters { Means = new double[8] }, Frozen = new FrozenParameters { AllComponents = ParameterKinds.Means } };
        Assert.Contains("frozen means", Assert.Throws<ArgumentException>(frozen.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAPriorNothingChanges()
    {
        var set = MclustFixtures.Data("iris");
        var labels = Fixtures.Ints(MclustFixtures.Json("prior", "iris").GetProperty("start").GetProperty("labels")).Select(l => l - 1).ToArray();
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = CovarianceType.Full, InitialLabels = labels, MaxIterations = 5, Tolerance = 0, RegCovar = 0 };
        var plain = new GaussianMixture(options).Fit(set);
        var withPrior = new GaussianMixture(options with { Prior = ConjugatePrior.Default }).Fit(set);
        var noShrinkage = new GaussianMixture(options with { Prior = ConjugatePrior.Default with { Shrinkage = 0 } }).Fit(set);
        Assert.NotEqual(plain.LogLikelihood(set), withPrior.LogLikelihood(set));
        Assert.NotEqual(plain.Means[0, 0], withPrior.Means[0, 0]);
        // κ = 0 leaves the means at the sample means (the covariances still have the prior scale).
        Assert.NotEqual(plain.LogLikelihood(set), noShrinkage.LogLikelihood(set));
    }

    private static (JsonElement Expected, GaussianMixtureModel Model, DataSet Data) Run(string data, string code, int? iterations = null)
    {
        var fixture = MclustFixtures.Json("prior", data);
        var expected = fixture.GetProperty("fits").GetProperty(code);
        var start = fixture.GetProperty("start");
        var control = fixture.GetProperty("control");
        Assert.True(MixtureNames.TryParseCovarianceType(code, out var type), code);
        var labels = Fixtures.Ints(start.GetProperty("labels")).Select(l => l - 1).ToArray();
        iterations ??= expected.GetProperty("iterations").GetInt32();
        var set = MclustFixtures.Data(data);
        var model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = start.GetProperty("k").GetInt32(),
            CovarianceType = type,
            InitialLabels = labels,
            MaxIterations = iterations.Value - 1,
            Tolerance = 0,
            RegCovar = 0,
            InnerTolerance = control.GetProperty("tol")[1].GetDouble(),
            Prior = ConjugatePrior.Default,
        }).Fit(set);
        return (expected, model, set);
    }

    private static double[] Sigmas(GaussianMixtureModel model) =>
        Enumerable.Range(0, model.ComponentCount).SelectMany(j => Fixtures.Flatten(model.GetCovarianceMatrix(j))).ToArray();
}
