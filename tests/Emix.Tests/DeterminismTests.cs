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
        foreach (int threads in new[] { 2, 3, 8 })
            Assert.Equal(reference, TestData.Bits(new GaussianMixture(options with { MaxDegreeOfParallelism = threads }).Fit(data)));
        Assert.Equal(reference, TestData.Bits(new GaussianMixture(options).Fit(data)));
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
