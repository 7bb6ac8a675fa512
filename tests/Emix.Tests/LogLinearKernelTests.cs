using Emix.Families.Bernoulli;
using Emix.Families.LogLinear;
using Emix.Families.Poisson;
using Emix.Statistics;

namespace Emix.Tests;

/// <summary>
/// The vector E-step of the Poisson and Bernoulli families (<see cref="LogLinearKernel"/>) against the
/// families' scalar rows: the same statistics to rounding, for up to 8 components (registers) and more
/// (vectors on the stack), with sample weights (0 included), zero counts, rates of 0 and probabilities
/// of 0 and 1 (impossible cells). Where the machine has no AVX2 both paths are the scalar rows.
/// </summary>
public sealed class LogLinearKernelTests
{
    private static double[] Statistics<T>(Engine.RowwiseFamily<T> family, T p, StatisticsLayout layout, double[] rows, double[] weights, int n, bool vector)
        where T : class
    {
        var statistics = new double[layout.Length];
        var scratch = family.CreateScratch(n, p);
        if (vector)
            family.Accumulate(p, rows, weights, n, statistics, scratch);
        else
            family.AccumulateRows(p, rows, weights, n, statistics, scratch);
        return statistics;
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(8, 16)]
    [InlineData(11, 7)]
    public void Poisson_statistics_agree_with_the_scalar_rows(int k, int d)
    {
        var rng = new Random(k * 100 + d);
        var weights = Enumerable.Range(0, k).Select(_ => rng.NextDouble() + 0.1).ToArray();
        double total = weights.Sum();
        weights = weights.Select(w => w / total).ToArray();
        // Rates of 0 outside component 0, which keeps every row possible.
        var rates = Enumerable.Range(0, k * d).Select(i => i >= d && i % 7 == 3 ? 0 : (rng.NextDouble() * 6) + 0.01).ToArray();
        var p = PoissonParameters.Create(k, d, weights, rates);
        int n = 300;
        var rows = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                rows[(i * d) + a] = rng.Next(0, 3) == 0 ? 0 : rng.Next(0, 9);
        var rowWeights = Enumerable.Range(0, n).Select(i => i % 13 == 0 ? 0 : rng.NextDouble() * 2).ToArray();
        foreach (var w in new[] { Array.Empty<double>(), rowWeights })
        {
            var scalar = Statistics(PoissonFamily.Instance, p, p.StatisticsLayout, rows, w, n, vector: false);
            var vector = Statistics(PoissonFamily.Instance, p, p.StatisticsLayout, rows, w, n, vector: true);
            AssertClose(scalar, vector, $"poisson k={k} d={d} weighted={w.Length > 0}");
        }
    }

    [Theory]
    [InlineData(2, 6)]
    [InlineData(8, 16)]
    [InlineData(13, 4)]
    public void Bernoulli_statistics_agree_with_the_scalar_rows_even_with_probabilities_of_0_and_1(int k, int d)
    {
        var rng = new Random(k * 31 + d);
        var weights = Enumerable.Repeat(1.0 / k, k).ToArray();
        // Probabilities of 0 and 1 in component 1 (impossible cells there); component 0 keeps every row possible.
        var probabilities = Enumerable.Range(0, k * d).Select(i => i == d + 1 ? 0.0 : i == d + 2 ? 1.0 : (rng.NextDouble() * 0.98) + 0.01).ToArray();
        var p = BernoulliParameters.Create(k, d, weights, probabilities);
        int n = 257;
        var rows = Enumerable.Range(0, n * d).Select(_ => (double)rng.Next(0, 2)).ToArray();
        var rowWeights = Enumerable.Range(0, n).Select(i => i % 5 == 0 ? 0 : 1.5).ToArray();
        foreach (var w in new[] { Array.Empty<double>(), rowWeights })
        {
            var scalar = Statistics(BernoulliFamily.Instance, p, p.StatisticsLayout, rows, w, n, vector: false);
            var vector = Statistics(BernoulliFamily.Instance, p, p.StatisticsLayout, rows, w, n, vector: true);
            AssertClose(scalar, vector, $"bernoulli k={k} d={d} weighted={w.Length > 0}");
        }
    }

    [Fact]
    public void A_row_no_component_can_explain_has_log_likelihood_minus_infinity_in_both()
    {
        var p = PoissonParameters.Create(2, 2, [0.5, 0.5], [0, 1, 0, 2]);
        double[] rows = [0, 1, 3, 1];
        Assert.Equal(double.NegativeInfinity, Statistics(PoissonFamily.Instance, p, p.StatisticsLayout, rows, [], 2, vector: true)[0]);
        Assert.Equal(double.NegativeInfinity, Statistics(PoissonFamily.Instance, p, p.StatisticsLayout, rows, [], 2, vector: false)[0]);
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = 1e-12 * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed, $"{what}: statistic {i}: {actual[i]:R} vs scalar {expected[i]:R}");
        }
    }
}
