using Emix.Families.Gaussian.Kernels;

namespace Emix.Tests;

/// <summary>Sample weights are frequency weights: integer weights give the model of the repeated rows.</summary>
public sealed class SampleWeightTests
{
    /// <summary>Weights 0…3 cycling over the rows (0 drops a row, 3 repeats it three times).</summary>
    private static double[] CyclingWeights(int n)
    {
        var w = new double[n];
        for (int i = 0; i < n; i++)
            w[i] = i % 4;
        return w;
    }

    /// <summary>Each row written as many times as its (integer) weight, in order.</summary>
    private static DataSet Repeated(DataSet data, double[] weights)
    {
        int d = data.FeatureCount;
        var values = new List<double>();
        for (int i = 0; i < data.RowCount; i++)
            for (int r = 0; r < (int)weights[i]; r++)
                values.AddRange(data.Row(i).ToArray());
        return DataSet.Wrap(values.ToArray(), d);
    }

    public static TheoryData<CovarianceType, KernelVariant> TypesAndKernels()
    {
        var data = new TheoryData<CovarianceType, KernelVariant>();
        foreach (var t in TestData.AllTypes)
            foreach (var v in KernelSelector.Supported)
                data.Add(t, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(TypesAndKernels))]
    public void Integer_weights_give_the_model_of_repeated_rows(CovarianceType type, KernelVariant kernel)
    {
        var data = TestData.Blobs(n: 2500);
        var weights = CyclingWeights(data.RowCount);
        var start = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Seed = 3 }).Fit(data);
        var init = new InitialParameters { Weights = start.Weights, Means = Fixtures.Flatten(start.Means), Covariances = start.Covariances };
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 3, CovarianceType = type, InitialParameters = init, MaxIterations = 15, Tolerance = 0, Kernel = kernel,
        };

        var weighted = new GaussianMixture(options).Fit(data.WithWeights(weights));
        var repeated = new GaussianMixture(options).Fit(Repeated(data, weights));

        Close.All(repeated.Weights, weighted.Weights, 1e-10, "weights");
        Close.All(Fixtures.Flatten(repeated.Means), Fixtures.Flatten(weighted.Means), 1e-10, "means");
        Close.All(repeated.Covariances, weighted.Covariances, 1e-10, "covariances");
        Close.Relative(repeated.LowerBound, weighted.LowerBound, 1e-10, "lower bound");
        Assert.Equal(repeated.Fit!.LowerBoundHistory.Count, weighted.Fit!.LowerBoundHistory.Count);
        Assert.Equal(repeated.Fit.RowCount, weighted.Fit.WeightTotal);
        // BIC and score of the weighted data equal those of the repeated rows.
        var weightedData = data.WithWeights(weights);
        var repeatedData = Repeated(data, weights);
        Close.Relative(repeated.Bic(repeatedData), weighted.Bic(weightedData), 1e-10, "BIC");
        Close.Relative(repeated.Score(repeatedData), weighted.Score(weightedData), 1e-10, "score");
    }

    [Theory]
    [MemberData(nameof(TestData.TypesAndInits), MemberType = typeof(TestData))]
    public void Every_initialisation_accepts_weights_and_ignores_rows_of_weight_zero(CovarianceType type, InitMethod init)
    {
        // Rows of weight 0 are a far-away cluster: no initialisation may put a component there.
        var blobs = TestData.Blobs(n: 900);
        int n = blobs.RowCount, d = blobs.FeatureCount;
        var values = blobs.Values.ToArray().Concat(Enumerable.Repeat(1000.0, 60 * d)).ToArray();
        var weights = Enumerable.Repeat(1.0, n).Concat(Enumerable.Repeat(0.0, 60)).ToArray();
        var data = DataSet.Wrap(values, d).WithWeights(weights);

        var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Init = init, Seed = 5, Tolerance = 1e-6 }).Fit(data);

        Assert.All(Fixtures.Flatten(model.Means), m => Assert.True(Math.Abs(m) < 50, $"a mean at {m} follows rows of weight 0"));
        Assert.Equal(n, model.Fit!.WeightTotal);
    }

    [Fact]
    public void Weighted_and_unweighted_fits_with_unit_weights_have_the_same_bits()
    {
        var data = TestData.Blobs(n: 3000);
        var options = new GaussianMixtureOptions { ComponentCount = 3, Seed = 2 };
        var plain = new GaussianMixture(options).Fit(data);
        var unit = new GaussianMixture(options).Fit(data.WithWeights(Enumerable.Repeat(1.0, data.RowCount).ToArray()));
        Assert.Equal(TestData.ParameterBits(plain), TestData.ParameterBits(unit));
    }

    [Theory]
    [InlineData(new[] { 1.0, -1.0, 1.0 }, "sample weight of row 2 is -1")]
    [InlineData(new[] { 1.0, double.NaN, 1.0 }, "sample weight of row 2 is NaN")]
    [InlineData(new[] { 0.0, 0.0, 0.0 }, "every sample weight is 0")]
    [InlineData(new[] { 1.0, 1.0 }, "2 sample weights for 3 rows")]
    public void Bad_weights_are_named(double[] weights, string message)
    {
        var data = DataSet.FromRows([[1.0], [2.0], [3.0]]);
        var e = Assert.Throws<DataFormatException>(() => data.WithWeights(weights));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_few_rows_of_positive_weight_for_the_components_is_refused()
    {
        var data = DataSet.FromRows([[1.0], [2.0], [3.0], [4.0]]).WithWeights([1, 0, 0, 1]);
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { ComponentCount = 3 }).Fit(data));
        Assert.Contains("at least 3 rows of positive weight, got 2", e.Message, StringComparison.Ordinal);
    }
}
