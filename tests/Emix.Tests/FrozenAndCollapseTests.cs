using System.Text.Json;

namespace Emix.Tests;

/// <summary>Frozen parameters (EM over the rest) and the collapse policies.</summary>
public sealed class FrozenAndCollapseTests
{
    private static InitialParameters StartOf(JsonElement fixture) => new()
    {
        Weights = Fixtures.Flat(fixture.GetProperty("start").GetProperty("weights")),
        Means = Fixtures.Flat(fixture.GetProperty("means")),
        Covariances = Fixtures.Flat(fixture.GetProperty("start").GetProperty("covariances")),
    };

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Frozen_means_match_em_with_fixed_means_written_with_scikit_learn(CovarianceType type)
    {
        var fixture = Fixtures.Json($"frozen/iris_{type.ToScikitName()}.json");
        var data = Fixtures.Data("iris");
        var init = StartOf(fixture);
        var model = new GaussianMixture(new()
        {
            ComponentCount = 3, CovarianceType = type, InitialParameters = init, Frozen = FrozenParameters.All(ParameterKinds.Means),
            MaxIterations = fixture.GetProperty("iterations").GetInt32(), Tolerance = 0, RegCovar = fixture.GetProperty("reg_covar").GetDouble(),
        }).Fit(data);

        Assert.Equal(init.Means!.ToArray(), Fixtures.Flatten(model.Means)); // bit for bit: left as given
        Close.All(Fixtures.Flat(fixture.GetProperty("weights")), model.Weights, 1e-9, "weights");
        Close.All(Fixtures.Flat(fixture.GetProperty("covariances")), model.Covariances, 1e-9, "covariances");
        Close.All(Fixtures.Flat(fixture.GetProperty("lower_bound_history")), model.Fit!.LowerBoundHistory.ToArray(), 1e-10, "lower bound history");
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Em_with_frozen_parts_never_lowers_the_likelihood(CovarianceType type)
    {
        var data = TestData.Blobs(n: 900);
        var free = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Seed = 4, MaxIterations = 2 }).Fit(data);
        var init = new InitialParameters { Weights = free.Weights, Means = Fixtures.Flatten(free.Means), Covariances = free.Covariances };
        foreach (var kinds in new[] { ParameterKinds.Weights, ParameterKinds.Means, ParameterKinds.Covariances, ParameterKinds.Weights | ParameterKinds.Means })
        {
            var model = new GaussianMixture(new()
            {
                ComponentCount = 3, CovarianceType = type, InitialParameters = init, Frozen = FrozenParameters.All(kinds),
                MaxIterations = 30, Tolerance = 0, RegCovar = 0,
            }).Fit(data);
            var history = model.Fit!.LowerBoundHistory;
            for (int i = 1; i < history.Count; i++)
                Assert.True(history[i] >= history[i - 1] - (1e-12 * Math.Abs(history[i - 1])), $"{kinds}: lower bound fell at iteration {i + 1}: {history[i - 1]:R} → {history[i]:R}");
            if (kinds.HasFlag(ParameterKinds.Weights))
                Assert.Equal(init.Weights!.ToArray(), model.Weights);
            if (kinds.HasFlag(ParameterKinds.Means))
                Assert.Equal(init.Means!.ToArray(), Fixtures.Flatten(model.Means));
            if (kinds.HasFlag(ParameterKinds.Covariances))
                Assert.Equal(init.Covariances!.ToArray(), model.Covariances);
        }
    }

    [Fact]
    public void Per_component_freezing_leaves_the_others_free()
    {
        var data = TestData.Blobs(n: 900);
        var free = new GaussianMixture(new() { ComponentCount = 3, Seed = 4, MaxIterations = 1 }).Fit(data);
        var init = new InitialParameters { Weights = [0.2, 0.3, 0.5], Means = Fixtures.Flatten(free.Means), Covariances = free.Covariances };
        var model = new GaussianMixture(new()
        {
            ComponentCount = 3, InitialParameters = init, MaxIterations = 20,
            Frozen = new() { PerComponent = [ParameterKinds.Weights | ParameterKinds.Covariances, ParameterKinds.None, ParameterKinds.Means] },
        }).Fit(data);
        int d = data.FeatureCount;
        Assert.Equal(0.2, model.Weights[0]);
        Assert.Equal(1.0, model.Weights.Sum(), 12);
        Assert.Equal(init.Covariances!.Take(d * d), model.Covariances.Take(d * d));
        Assert.NotEqual(init.Covariances!.Skip(d * d).Take(d * d), model.Covariances.Skip(d * d).Take(d * d));
        Assert.Equal(init.Means!.Skip(2 * d), Fixtures.Flatten(model.Means).Skip(2 * d));
        Assert.NotEqual(init.Means!.Take(d), Fixtures.Flatten(model.Means).Take(d));
    }

    [Fact]
    public void Frozen_parts_must_be_given()
    {
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { ComponentCount = 2, Frozen = FrozenParameters.All(ParameterKinds.Means) }));
        Assert.Contains("frozen means must be given as initial parameters", e.Message, StringComparison.Ordinal);
        var data = TestData.Blobs(n: 300);
        var tied = new GaussianMixtureOptions
        {
            ComponentCount = 2, CovarianceType = CovarianceType.Tied,
            InitialParameters = new() { Covariances = [1, 0, 0, 0, 1, 0, 0, 0, 1] },
            Frozen = new() { PerComponent = [ParameterKinds.Covariances, ParameterKinds.None] },
        };
        e = Assert.Throws<ArgumentException>(() => new GaussianMixture(tied).Fit(data));
        Assert.Contains("tied covariance is shared", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Three blobs plus three identical far-away rows: with reg_covar 0 the component on them collapses.</summary>
    private static DataSet CollapsingData()
    {
        var blobs = TestData.Blobs(n: 600);
        int d = blobs.FeatureCount;
        var values = blobs.Values.ToArray().Concat(Enumerable.Repeat(40.0, 3 * d)).ToArray();
        return DataSet.Wrap(values, d);
    }

    private static GaussianMixtureOptions CollapsingOptions(CollapsePolicy policy) =>
        new() { ComponentCount = 4, RegCovar = 0, Seed = 1, OnCollapse = policy };

    [Fact]
    public void A_collapse_fails_by_default_as_scikit_learn()
    {
        var e = Assert.Throws<NumericalFailureException>(() => new GaussianMixture(CollapsingOptions(CollapsePolicy.Error)).Fit(CollapsingData()));
        Assert.Contains("ill-defined empirical covariance", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CollapsePolicy.Drop)]
    [InlineData(CollapsePolicy.Reseed)]
    public void A_collapse_is_reseeded_or_dropped_and_reported(CollapsePolicy policy)
    {
        var data = CollapsingData();
        var model = new GaussianMixture(CollapsingOptions(policy)).Fit(data);

        var events = model.Fit!.Collapses;
        Assert.NotEmpty(events);
        Assert.Equal(policy, events[0].Action);
        int drops = events.Count(e => e.Action == CollapsePolicy.Drop);
        Assert.Equal(4 - drops, model.ComponentCount);
        Assert.Equal(1.0, model.Weights.Sum(), 12);
        Assert.Contains("Collapsed: component", model.Summary(), StringComparison.Ordinal);
        if (policy == CollapsePolicy.Reseed)
            Assert.InRange(events[0].Row, 0, data.RowCount - 1);

        var path = Path.GetTempFileName();
        try
        {
            model.Save(path);
            Assert.Equal(events, GaussianMixtureModel.Load(path).Fit!.Collapses);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
