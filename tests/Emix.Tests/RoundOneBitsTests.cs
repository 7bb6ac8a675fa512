using Emix.Data;
using Emix.Selection;

namespace Emix.Tests;

/// <summary>
/// Model files written by the round-1 code (commit c52b3e6, before the engine became family-agnostic)
/// for every structure, init, weights, missing-value EM, frozen parameters, collapse policies, warm
/// start, out-of-core and thread counts, compared byte for byte with what the code writes now: a
/// refactor keeps the bits. Regenerate only on purpose, with the old code:
/// <c>EMIX_WRITE_ROUND1=tests/fixtures/round1 dotnet test --filter RoundOneBitsTests</c>.
/// </summary>
public sealed class RoundOneBitsTests
{
    private static readonly CovarianceType[] Types = [CovarianceType.Full, CovarianceType.Tied, CovarianceType.Diagonal, CovarianceType.Spherical];

    /// <summary>Every case: a file name and the fit that writes it.</summary>
    private static IEnumerable<(string Name, Func<GaussianMixtureModel> Fit)> Cases()
    {
        foreach (var type in Types)
        {
            string t = type.ToScikitName();
            // The round-one files predate the hierarchical init (its own tests compare it with mclust).
            foreach (var init in Enum.GetValues<InitMethod>().Where(i => i != InitMethod.Hierarchical))
            {
                yield return ($"iris_{t}_{init.ToScikitName()}", () => new GaussianMixture(new()
                {
                    ComponentCount = 3, CovarianceType = type, Init = init, InitCount = 2, Seed = 3, Tolerance = 1e-8, MaxIterations = 300,
                }).Fit(Fixtures.Data("iris")));
            }
            yield return ($"faithful_{t}", () => new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Tolerance = 1e-10, MaxIterations = 500 })
                .Fit(Fixtures.Data("faithful")));
            yield return ($"wine_{t}_random", () => new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Init = InitMethod.Random, Seed = 11, MaxIterations = 40 })
                .Fit(Fixtures.Data("wine")));
            yield return ($"weighted_{t}", () => new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Tolerance = 1e-9, MaxIterations = 200 })
                .Fit(Weighted(Fixtures.Data("iris"))));
            yield return ($"missing_{t}", () => new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, Tolerance = 1e-9, MaxIterations = 200 })
                .Fit(WithHoles(Fixtures.Data("iris"))));
            yield return ($"frozen_means_{t}", () => FrozenFit(type, ParameterKinds.Means));
            yield return ($"frozen_weights_covariances_{t}", () => FrozenFit(type, ParameterKinds.Weights | ParameterKinds.Covariances));
            yield return ($"warm_{t}", () =>
            {
                var data = TestData.Blobs(3_000);
                var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, MaxIterations = 3, Tolerance = 0, Seed = 5 };
                var first = new GaussianMixture(options).Fit(data);
                return new GaussianMixture(options with { MaxIterations = 7 }).Fit(data, first);
            });
            foreach (int threads in new[] { 1, 2 })
            {
                // Both thread counts are compared with one file: the same bits for any thread count.
                yield return ($"blobs_{t}_threads", () => new GaussianMixture(new()
                {
                    ComponentCount = 4, CovarianceType = type, MaxIterations = 25, Tolerance = 0, Seed = 9, MaxDegreeOfParallelism = threads,
                }).Fit(TestData.Blobs(20_000, d: 4)));
            }
            yield return ($"blobs_{t}_threads", () => StreamedFit(type));
        }
        foreach (var policy in new[] { CollapsePolicy.Drop, CollapsePolicy.Reseed })
        {
            yield return ($"collapse_{policy.ToString().ToLowerInvariant()}", () =>
                new GaussianMixture(new() { ComponentCount = 4, RegCovar = 0, Seed = 1, OnCollapse = policy }).Fit(CollapsingData()));
        }
        yield return ("selection_iris_best", () =>
        {
            var result = new ModelSelection(new() { ComponentCounts = [1, 2, 3, 4], FitOptions = new() { Tolerance = 1e-6, MaxIterations = 300 } })
                .Run(Fixtures.Data("iris"));
            return result.Best!.Model!;
        });
    }

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases().Select(c => c.Name).Distinct())
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Model_file_has_the_bits_of_round_one(string name)
    {
        string? writeTo = Environment.GetEnvironmentVariable("EMIX_WRITE_ROUND1");
        foreach (var (caseName, fit) in Cases().Where(c => c.Name == name))
        {
            var bits = TestData.Bits(fit());
            if (writeTo is not null)
            {
                Directory.CreateDirectory(writeTo);
                File.WriteAllBytes(Path.Combine(writeTo, caseName + ".json"), bits);
                continue;
            }
            var expected = File.ReadAllBytes(Fixtures.Path_(Path.Combine("round1", caseName + ".json")));
            Assert.True(expected.AsSpan().SequenceEqual(bits), $"{caseName}: the model file differs from round 1's:\n{System.Text.Encoding.UTF8.GetString(bits)}");
        }
    }

    /// <summary>Row weights 0.5, 1.5, 2.5 in turn.</summary>
    private static DataSet Weighted(DataSet data)
    {
        var weights = new double[data.RowCount];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = 0.5 + (i % 3);
        return data.WithWeights(weights);
    }

    /// <summary>Every seventh row loses one cell (a different column each time).</summary>
    private static DataSet WithHoles(DataSet data)
    {
        var values = data.Values.ToArray();
        int d = data.FeatureCount;
        for (int i = 0; i < data.RowCount; i += 7)
            values[(i * d) + (i / 7 % d)] = double.NaN;
        return DataSet.WrapWithMissing(values, d, data.FeatureNames);
    }

    private static GaussianMixtureModel FrozenFit(CovarianceType type, ParameterKinds kinds)
    {
        var data = Fixtures.Data("iris");
        var start = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, MaxIterations = 2, Tolerance = 0 }).Fit(data);
        var init = new InitialParameters { Weights = start.Weights, Means = Fixtures.Flatten(start.Means), Covariances = start.Covariances };
        return new GaussianMixture(new()
        {
            ComponentCount = 3, CovarianceType = type, InitialParameters = init, Frozen = FrozenParameters.All(kinds), MaxIterations = 50, Tolerance = 1e-9,
        }).Fit(data);
    }

    private static GaussianMixtureModel StreamedFit(CovarianceType type)
    {
        string folder = Directory.CreateTempSubdirectory("emix-round1-").FullName;
        try
        {
            string path = Path.Combine(folder, "blobs.npy");
            NpyWriter.Write(path, TestData.Blobs(20_000, d: 4));
            using var streamed = NpyFileRows.Open(path);
            return new GaussianMixture(new() { ComponentCount = 4, CovarianceType = type, MaxIterations = 25, Tolerance = 0, Seed = 9 }).Fit(streamed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Three blobs plus three identical far-away rows: with reg_covar 0 the component on them collapses.</summary>
    private static DataSet CollapsingData()
    {
        var blobs = TestData.Blobs(n: 600);
        int d = blobs.FeatureCount;
        return DataSet.Wrap(blobs.Values.ToArray().Concat(Enumerable.Repeat(40.0, 3 * d)).ToArray(), d);
    }
}
