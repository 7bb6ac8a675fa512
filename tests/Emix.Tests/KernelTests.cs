using Emix.Families.Gaussian.Kernels;

namespace Emix.Tests;

/// <summary>Every kernel variant against the scalar reference, across shapes that hit every tail.</summary>
public class KernelTests
{
    /// <summary>The fast kernels reorder sums (blocks, FMA); the bound on the lower bound.</summary>
    private const double LowerBoundTolerance = 1e-12;

    public static TheoryData<KernelVariant> Variants()
    {
        var data = new TheoryData<KernelVariant>();
        foreach (var variant in KernelSelector.Supported)
            data.Add(variant);
        return data;
    }

    public static TheoryData<KernelVariant, CovarianceType, int, int> Shapes()
    {
        var data = new TheoryData<KernelVariant, CovarianceType, int, int>();
        foreach (var variant in KernelSelector.Supported.Where(v => v != KernelVariant.Scalar))
            foreach (var type in TestData.AllTypes)
                foreach (int d in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 33 })
                    data.Add(variant, type, d, 1 + (d % 5));
        return data;
    }

    private static DataSet Random(int n, int d, long seed, double offset)
    {
        var rng = new Emix.Internals.RandomSource(seed);
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            int group = i % 3;
            for (int a = 0; a < d; a++)
                values[(i * d) + a] = offset + (3.0 * group * ((a % 2) == 0 ? 1 : -1)) + ((1 + (0.1 * a)) * rng.NextNormal());
        }
        return DataSet.Wrap(values, d);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Vector_kernels_agree_with_the_scalar_reference(KernelVariant variant, CovarianceType type, int d, int k)
    {
        // 1,031 rows: a chunk of 1,024 plus a ragged one, blocks of 128 with a ragged tail.
        var data = Random(1031, d, seed: d, offset: 50);
        var options = new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type, MaxIterations = 8, Tolerance = 0, Init = InitMethod.RandomFromData };
        var scalar = new GaussianMixture(options with { Kernel = KernelVariant.Scalar }).Fit(data);
        var vector = new GaussianMixture(options with { Kernel = variant }).Fit(data);
        for (int i = 0; i < scalar.LowerBoundHistory.Count; i++)
            Close.Relative(scalar.LowerBoundHistory[i], vector.LowerBoundHistory[i], LowerBoundTolerance, $"lower bound, iteration {i + 1}");
        Close.All(Fixtures.Flatten(scalar.Means), Fixtures.Flatten(vector.Means), 1e-9, "means");
        Close.All(scalar.Covariances, vector.Covariances, 1e-9, "covariances");

        var s = scalar.ScoreSamples(data, KernelVariant.Scalar);
        var p = scalar.PredictProbabilities(data, KernelVariant.Scalar);
        var vs = scalar.ScoreSamples(data, variant);
        var vp = scalar.PredictProbabilities(data, variant);
        Close.All(s, vs, 1e-12, "score samples");
        Close.All(Fixtures.Flatten(p), Fixtures.Flatten(vp), 1e-12, "probabilities");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Most_probable_components_are_the_first_largest_log_responsibilities_of_the_same_variant(KernelVariant variant)
    {
        var kernel = KernelSelector.Create(variant);
        var rng = new Emix.Internals.RandomSource(12);
        foreach (var type in TestData.AllTypes)
        {
            foreach (int d in new[] { 1, 3, 8, 17 })
            {
                // Component 1 repeats component 0 exactly, so every row has a tie the first must win.
                const int k = 4, n = 1031;
                var structure = Emix.Families.Gaussian.CovarianceStructure.For(type);
                var means = new double[k * d];
                for (int i = 0; i < means.Length; i++)
                    means[i] = 2 * rng.NextNormal();
                means.AsSpan(0, d).CopyTo(means.AsSpan(d, d));
                var covariances = new double[structure.ValueCount(k, d)];
                int blocks = type switch { CovarianceType.Full => k, CovarianceType.Tied => 1, _ => 0 };
                for (int b = 0; b < blocks; b++)
                    for (int a = 0; a < d; a++)
                        covariances[(b * d * d) + (a * d) + a] = 1 + (0.1 * a) + (0.2 * (b / 2));
                if (blocks == 0)
                    for (int i = 0; i < covariances.Length; i++)
                        covariances[i] = 1 + (0.3 * (i / (type == CovarianceType.Diagonal ? d : 1) / 2));
                var p = Emix.Families.Gaussian.GaussianParameters.Create(structure, k, d, [0.3, 0.3, 0.2, 0.2], means, covariances);
                var rows = Random(n, d, seed: d, offset: 0).RawValues;
                var scratch = kernel.CreateScratch(n, p);
                var logResp = new double[n * k];
                var logNorm = new double[n];
                double total = kernel.LogResponsibilities(p, rows, n, logResp, logNorm, scratch);
                var labels = new int[n];
                var norms = new double[n];
                double labelledTotal = kernel.MostProbable(p, rows, n, labels, norms, scratch);
                Assert.Equal(BitConverter.DoubleToInt64Bits(total), BitConverter.DoubleToInt64Bits(labelledTotal));
                Assert.Equal(logNorm.Select(BitConverter.DoubleToInt64Bits), norms.Select(BitConverter.DoubleToInt64Bits));
                for (int i = 0; i < n; i++)
                    Assert.True(Emix.Engine.Passes.MostProbable(logResp.AsSpan(i * k, k)) == labels[i], $"{variant} {type} d={d}: row {i}");
                Assert.DoesNotContain(1, labels);
                Assert.Contains(0, labels);
            }
        }
    }

    /// <summary>
    /// Far from the origin with well separated means: the tied kernel works around the mixture's mean
    /// and corrects per chunk (cancellation ~ ε·|μ_j − c|²/σ²), the others centre on each mean; all must
    /// still hold the scalar reference's lower bound.
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Vector_kernels_agree_with_the_scalar_reference_a_million_from_the_origin_with_means_80_sd_apart(KernelVariant variant)
    {
        var rng = new Emix.Internals.RandomSource(11);
        int n = 3000, d = 5;
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                values[(i * d) + a] = 1e6 + (new[] { 0.0, 30.0, -50.0 }[i % 3]) + rng.NextNormal();
        var data = DataSet.Wrap(values, d);
        foreach (var type in TestData.AllTypes)
        {
            var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, MaxIterations = 10, Tolerance = 0, Init = InitMethod.RandomFromData, Seed = 3 };
            var scalar = new GaussianMixture(options with { Kernel = KernelVariant.Scalar }).Fit(data);
            var vector = new GaussianMixture(options with { Kernel = variant }).Fit(data);
            for (int i = 0; i < scalar.LowerBoundHistory.Count; i++)
                Close.Relative(scalar.LowerBoundHistory[i], vector.LowerBoundHistory[i], LowerBoundTolerance, $"{type}: lower bound, iteration {i + 1}");
            Close.All(scalar.Covariances, vector.Covariances, 1e-9, $"{type}: covariances");
        }
    }

    public static TheoryData<KernelVariant, double> VariantsAndSeparations()
    {
        var data = new TheoryData<KernelVariant, double>();
        foreach (var variant in KernelSelector.Supported.Where(v => v != KernelVariant.Scalar))
            foreach (double separation in new[] { 3.0, 25.0 })
                data.Add(variant, separation);
        return data;
    }

    /// <summary>
    /// Diagonal and spherical work around the mixture's mean c in the expanded form (2 + 2 FMAs per
    /// element) while every mean lies within ~31σ of c (δ²/σ² ≤ 1e3), where its cancellation costs
    /// up to ~2e-13 of a variance: means 25σ from c, a million from the origin, sit near that limit.
    /// </summary>
    [Theory]
    [MemberData(nameof(VariantsAndSeparations))]
    public void Diagonal_kernels_in_the_expanded_form_agree_with_the_scalar_reference_near_their_limit(KernelVariant variant, double separation)
    {
        var rng = new Emix.Internals.RandomSource(5);
        int n = 3000, d = 6;
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                values[(i * d) + a] = 1e6 + (separation * ((i % 3) - 1) * (a % 2 == 0 ? 1 : -1)) + rng.NextNormal();
        var data = DataSet.Wrap(values, d);
        foreach (var type in new[] { CovarianceType.Diagonal, CovarianceType.Spherical })
        {
            var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, MaxIterations = 10, Tolerance = 0, Seed = 1 };
            var scalar = new GaussianMixture(options with { Kernel = KernelVariant.Scalar }).Fit(data);
            var vector = new GaussianMixture(options with { Kernel = variant }).Fit(data);
            for (int i = 0; i < scalar.LowerBoundHistory.Count; i++)
                Close.Relative(scalar.LowerBoundHistory[i], vector.LowerBoundHistory[i], LowerBoundTolerance, $"{type}: lower bound, iteration {i + 1}");
            Close.All(scalar.Covariances, vector.Covariances, 1e-11, $"{type}: covariances");
            Close.All(Fixtures.Flatten(scalar.Means), Fixtures.Flatten(vector.Means), 1e-14, $"{type}: means (a million from the origin)");
        }
    }

    public static TheoryData<KernelVariant, double> VariantsAndFullSeparations()
    {
        var data = new TheoryData<KernelVariant, double>();
        foreach (var variant in KernelSelector.Supported.Where(v => v != KernelVariant.Scalar))
            foreach (double separation in new[] { 3.0, 38.0 })
                data.Add(variant, separation);
        return data;
    }

    /// <summary>
    /// Full runs its quadratic form on rows shifted by the mixture's mean c, y = (x − c)U − (μ − c)U,
    /// while every ‖(μ_j − c)U_j‖² ≤ 1e4 (cancellation ~ε·‖(μ − c)U‖ of y): means 38σ from c along
    /// each of 6 features (‖·‖² ≈ 8,700), a million from the origin, sit near that limit.
    /// </summary>
    [Theory]
    [MemberData(nameof(VariantsAndFullSeparations))]
    public void Full_kernels_on_rows_shifted_by_the_mixture_mean_agree_with_the_scalar_reference_near_their_limit(KernelVariant variant, double separation)
    {
        var rng = new Emix.Internals.RandomSource(6);
        int n = 3000, d = 6, k = 3;
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                values[(i * d) + a] = 1e6 + (separation * ((i % 3) - 1) * (a % 2 == 0 ? 1 : -1)) + rng.NextNormal();
        var data = DataSet.Wrap(values, d);
        var options = new GaussianMixtureOptions { ComponentCount = k, CovarianceType = CovarianceType.Full, MaxIterations = 10, Tolerance = 0, Seed = 1 };
        var scalar = new GaussianMixture(options with { Kernel = KernelVariant.Scalar }).Fit(data);
        var vector = new GaussianMixture(options with { Kernel = variant }).Fit(data);
        for (int i = 0; i < scalar.LowerBoundHistory.Count; i++)
            Close.Relative(scalar.LowerBoundHistory[i], vector.LowerBoundHistory[i], LowerBoundTolerance, $"lower bound, iteration {i + 1}");
        Close.All(scalar.Covariances, vector.Covariances, 1e-11, "covariances");
        Close.All(Fixtures.Flatten(scalar.Means), Fixtures.Flatten(vector.Means), 1e-14, "means (a million from the origin)");

        // The fit's parameters are within the shifted form's limit, so its last iterations took it.
        var means = Fixtures.Flatten(vector.Means);
        var u = vector.PrecisionsCholesky;
        var weights = vector.Weights;
        double largest = 0;
        for (int j = 0; j < k; j++)
        {
            double norm = 0;
            for (int b = 0; b < d; b++)
            {
                double y = 0;
                for (int a = 0; a <= b; a++)
                {
                    double centre = Enumerable.Range(0, k).Sum(l => weights[l] * means[(l * d) + a]);
                    y += (means[(j * d) + a] - centre) * u[(j * d * d) + (a * d) + b];
                }
                norm += y * y;
            }
            largest = Math.Max(largest, norm);
        }
        Assert.InRange(largest, separation > 10 ? 5e3 : 0, 1e4);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Each_variant_is_deterministic_across_threads(KernelVariant variant)
    {
        var data = TestData.Blobs(12_000);
        foreach (var type in TestData.AllTypes)
        {
            var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Kernel = variant, MaxIterations = 5, Tolerance = 0 };
            var one = TestData.Bits(new GaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(data));
            var four = TestData.Bits(new GaussianMixture(options with { MaxDegreeOfParallelism = 4 }).Fit(data));
            Assert.Equal(one, four);
        }
    }
}

/// <summary>Tests that change process-wide environment variables; run alone so no other test sees them.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentTests), DisableParallelization = true)]
public sealed class ProcessEnvironmentTests;

[Collection(nameof(ProcessEnvironmentTests))]
public class KernelSelectionTests
{
    [Fact]
    public void The_environment_variable_forces_a_variant_and_rejects_unknown_names()
    {
        {
            string? old = Environment.GetEnvironmentVariable(KernelSelector.EnvironmentVariable);
            try
            {
                Environment.SetEnvironmentVariable(KernelSelector.EnvironmentVariable, "scalar");
                Assert.Equal(KernelVariant.Scalar, KernelSelector.Resolve(KernelVariant.Auto));
                Environment.SetEnvironmentVariable(KernelSelector.EnvironmentVariable, "avx9000");
                Assert.Contains("EMIX_KERNEL=avx9000", Assert.Throws<ArgumentException>(() => KernelSelector.Resolve(KernelVariant.Auto)).Message);
                Environment.SetEnvironmentVariable(KernelSelector.EnvironmentVariable, null);
                Assert.Equal(KernelSelector.Supported[^1], KernelSelector.Resolve(KernelVariant.Auto));
                if (KernelSelector.IsVector256Supported)
                {
                    Environment.SetEnvironmentVariable(KernelSelector.EnvironmentVariable, "Vector256");
                    Assert.Equal(KernelVariant.Vector256, KernelSelector.Resolve(KernelVariant.Auto));
                }
                Environment.SetEnvironmentVariable(KernelSelector.EnvironmentVariable, null);
                Assert.Equal(KernelVariant.Scalar, KernelSelector.Resolve(KernelVariant.Scalar));
            }
            finally
            {
                Environment.SetEnvironmentVariable(KernelSelector.EnvironmentVariable, old);
            }
        }
    }
}
