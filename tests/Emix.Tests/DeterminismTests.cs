namespace Emix.Tests;

/// <summary>Same data, options and seed give the same bits on any thread count.</summary>
public class DeterminismTests
{
    [Theory]
    [MemberData(nameof(TestData.TypesAndInits), MemberType = typeof(TestData))]
    public void Thread_count_does_not_change_a_single_bit(CovarianceType type, InitMethod init)
    {
        // 20 000 rows in chunks of 1024 (20 chunks) so several threads really share the work.
        var data = TestData.Blobs(20_000);
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, Init = init, MaxIterations = 15, Tolerance = 0, Seed = 42 };
        var reference = TestData.Bits(new GaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(data));
        var estimator = new GaussianMixture(options with { MaxDegreeOfParallelism = 4 });
        foreach (var fit in new Func<GaussianMixtureModel>[]
        {
            () => new GaussianMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(data),
            () => estimator.Fit(data),
            () => new GaussianMixture(options with { MaxDegreeOfParallelism = 8 }).Fit(data),
            () => new GaussianMixture(options).Fit(data), // every core
            () => estimator.Fit(data), // a repeated run of the same estimator: no hidden state, clock or address
        })
        {
            Assert.Equal(reference, TestData.Bits(fit()));
        }
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Restarts_given_parameters_and_warm_starts_are_thread_independent_too(CovarianceType type)
    {
        // The paths the theory above does not take: n_init > 1 (one generator across restarts), all
        // parameters given (no random draw), only means given (covariances estimated), and a warm start.
        var data = TestData.Blobs(6_000);
        var first = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, MaxIterations = 3, Seed = 5 }).Fit(data);
        var given = new InitialParameters { Weights = first.Weights, Means = Fixtures.Flatten(first.Means), Covariances = first.Covariances };
        GaussianMixtureOptions[] variants =
        [
            new() { ComponentCount = 3, CovarianceType = type, InitCount = 3, Init = InitMethod.KMeansPlusPlus, MaxIterations = 8, Tolerance = 0, Seed = 9 },
            new() { ComponentCount = 3, CovarianceType = type, InitialParameters = given, MaxIterations = 8, Tolerance = 0 },
            new() { ComponentCount = 3, CovarianceType = type, InitialParameters = new() { Means = given.Means }, MaxIterations = 8, Tolerance = 0 },
        ];
        foreach (var options in variants)
        {
            var reference = TestData.Bits(new GaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(data));
            foreach (int threads in new[] { 2, 4, 8 })
                Assert.Equal(reference, TestData.Bits(new GaussianMixture(options with { MaxDegreeOfParallelism = threads }).Fit(data)));
        }
        var warm = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = type, MaxIterations = 5, Tolerance = 0 };
        var warmReference = TestData.Bits(new GaussianMixture(warm with { MaxDegreeOfParallelism = 1 }).Fit(data, first));
        foreach (int threads in new[] { 2, 8 })
            Assert.Equal(warmReference, TestData.Bits(new GaussianMixture(warm with { MaxDegreeOfParallelism = threads }).Fit(data, first)));
    }

    [Fact]
    public void The_cli_writes_byte_identical_models_for_threads_1_2_4_and_8_and_repeated_runs()
    {
        string folder = Directory.CreateTempSubdirectory("emix-determinism-").FullName;
        try
        {
            string data = Path.Combine(folder, "blobs.npy");
            Emix.Data.NpyWriter.Write(data, TestData.Blobs(12_000, d: 4));
            byte[]? reference = null;
            foreach (int threads in new[] { 1, 2, 4, 8 })
            {
                foreach (string type in new[] { "full", "tied", "diag", "spherical" })
                {
                    string model = Path.Combine(folder, $"{type}-{threads}.json");
                    var stdout = new StringWriter();
                    Assert.Equal(0, Cli.EmixApp.Run(["fit", data, "-k", "3", "--covariance", type, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", model], stdout, stdout));
                    Assert.Equal(File.ReadAllBytes(Path.Combine(folder, $"{type}-1.json")), File.ReadAllBytes(model));
                }
                // predict has no --threads (it uses every core, in chunks): repeated runs give the same bytes.
                var predictions = new StringWriter();
                Assert.Equal(0, Cli.EmixApp.Run(["predict", Path.Combine(folder, "full-1.json"), data, "--proba"], predictions, predictions));
                byte[] bytes = System.Text.Encoding.UTF8.GetBytes(predictions.ToString());
                reference ??= bytes;
                Assert.Equal(reference, bytes);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Predictions_and_scores_do_not_depend_on_threads()
    {
        var data = TestData.Blobs(20_000);
        var model = new GaussianMixture(new() { ComponentCount = 3, MaxDegreeOfParallelism = 1 }).Fit(data);
        var again = new GaussianMixture(new() { ComponentCount = 3 }).Fit(data);
        Assert.Equal(model.Predict(data), again.Predict(data));
        Assert.Equal(model.Score(data), again.Score(data));
        Assert.Equal(model.ScoreSamples(data), again.ScoreSamples(data));
    }

    [Fact]
    public void Chunk_results_agree_with_one_chunk_to_rounding()
    {
        var data = TestData.Blobs(5000);
        var options = new GaussianMixtureOptions { ComponentCount = 3, MaxIterations = 10, Tolerance = 0 };
        var chunked = new GaussianMixture(options with { ChunkRows = 100 }).Fit(data);
        var whole = new GaussianMixture(options with { ChunkRows = 5000 }).Fit(data);
        Assert.Equal(whole.LowerBound, chunked.LowerBound, 1e-12 * Math.Abs(whole.LowerBound));
    }
}
