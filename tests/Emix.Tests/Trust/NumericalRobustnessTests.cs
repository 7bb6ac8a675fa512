using System.Diagnostics;
using System.Text.Json;
using Emix.Internals;
using Xunit.Abstractions;

namespace Emix.Tests.Trust;

/// <summary>
/// Awkward data: each case gives a model whose every number is finite (and whose file has a finite lower
/// bound and loads back), or a <see cref="NumericalFailureException"/> with advice; never NaN or an infinite
/// lower bound in a saved model.
/// </summary>
public sealed class NumericalRobustnessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-numeric-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static DataSet Normal(int n, int d, long seed, Func<int, int, double, double>? shape = null)
    {
        var rng = new RandomSource(seed);
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                values[(i * d) + a] = shape is null ? rng.NextNormal() : shape(i, a, rng.NextNormal());
        return DataSet.Wrap(values, d);
    }

    public static TheoryData<string, CovarianceType, int> Cases()
    {
        var data = new TheoryData<string, CovarianceType, int>();
        foreach (var type in TestData.AllTypes)
        {
            data.Add("duplicates", type, 5);
            data.Add("constant-column", type, 3);
            data.Add("scales-1e12-and-1e-12", type, 3);
            data.Add("far-from-origin", type, 3);
            data.Add("k-equals-n", type, 20);
            data.Add("d-greater-than-n", type, 2);
            data.Add("k-100", type, 100);
            data.Add("tiny-values", type, 3);
        }
        return data;
    }

    private static DataSet Make(string name) => name switch
    {
        // Three distinct points, each 100 times: more components than distinct points.
        "duplicates" => DataSet.FromRows(Enumerable.Range(0, 300).Select(i => new double[] { i % 3, (i % 3) * 2.5 }).ToArray()),
        "constant-column" => Normal(300, 3, 1, (_, a, z) => a == 1 ? 5.0 : z),
        "scales-1e12-and-1e-12" => Normal(300, 2, 2, (_, a, z) => a == 0 ? z * 1e12 : z * 1e-12),
        "far-from-origin" => Normal(300, 2, 3, (_, _, z) => 1e9 + z),
        "k-equals-n" => Normal(20, 2, 4),
        "d-greater-than-n" => Normal(10, 50, 5),
        "k-100" => Normal(2000, 2, 6, (i, _, z) => (i % 10 * 8) + z),
        "tiny-values" => Normal(300, 2, 7, (_, _, z) => z * 1e-200),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Awkward_data_gives_a_finite_model_that_saves_and_loads(string name, CovarianceType type, int k)
    {
        var data = Make(name);
        var clock = Stopwatch.StartNew();
        var model = new GaussianMixture(new() { ComponentCount = k, CovarianceType = type }).Fit(data);
        output.WriteLine($"{name} {type} k={k}: {model.IterationCount} iterations, lower bound {model.LowerBound:R}, {clock.ElapsedMilliseconds} ms");
        AssertFiniteAndSaved(model, data);
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Five_hundred_features_give_a_finite_model(CovarianceType type)
    {
        // d = 500 with 200 rows (d > n): every covariance is estimated from fewer rows than its dimension
        // (rank-deficient; reg_covar keeps it positive definite). One iteration keeps the test fast: the
        // unoptimised Debug build needs seconds per full-covariance step at this size.
        var data = Normal(200, 500, 8, (i, a, z) => (i % 2 == 0 ? 0 : 3) + z + (a % 7 * 0.1));
        var clock = Stopwatch.StartNew();
        var model = new GaussianMixture(new() { ComponentCount = 2, CovarianceType = type, MaxIterations = 1 }).Fit(data);
        output.WriteLine($"d=500 {type}: {model.IterationCount} iterations, lower bound {model.LowerBound:R}, {clock.ElapsedMilliseconds} ms");
        AssertFiniteAndSaved(model, data);
    }

    [Theory]
    [InlineData(1e200)]
    [InlineData(-1e160)]
    [InlineData(1e300)]
    public void Values_whose_squares_overflow_are_refused_with_advice(double magnitude)
    {
        foreach (var type in TestData.AllTypes)
        {
            foreach (int k in new[] { 1, 3 })
            {
                var data = Normal(300, 2, 9, (_, _, z) => z * magnitude);
                var e = Assert.Throws<NumericalFailureException>(() =>
                    new GaussianMixture(new() { ComponentCount = k, CovarianceType = type }).Fit(data));
                Assert.Contains("is too large for EM in double precision", e.Message);
                Assert.Contains("Scale the input data", e.Message);
            }
        }
    }

    [Fact]
    public void Values_just_inside_the_limit_still_fit()
    {
        // 1e140 with 300 rows of 2 is below the limit (about 2.7e146 there): no overflow, a finite model.
        var data = Normal(300, 2, 10, (i, _, z) => ((i % 2) + z) * 1e140);
        foreach (var type in TestData.AllTypes)
            AssertFiniteAndSaved(new GaussianMixture(new() { ComponentCount = 2, CovarianceType = type }).Fit(data), data);
    }

    [Fact]
    public void The_cli_exits_4_with_the_advice_and_writes_nothing()
    {
        string csv = Path.Combine(_folder, "huge.csv");
        File.WriteAllText(csv, "a,b\n1e200,2\n-3e200,4\n5e199,-1\n");
        string model = Path.Combine(_folder, "model.json");
        var run = Cli.InProcess("fit", csv, "-k", "2", "-o", model);
        Assert.Equal(4, run.ExitCode);
        Assert.Contains("data row 2 (a header not counted), column 1: -3E+200 is too large", run.OneLineError());
        Assert.Contains("Scale the input data", run.Error);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void A_collapse_without_regularisation_exits_4_with_the_advice()
    {
        string csv = Path.Combine(_folder, "dupes.csv");
        File.WriteAllText(csv, "a,b\n" + string.Concat(Enumerable.Repeat("1,2\n5,-1\n", 10)));
        var run = Cli.InProcess("fit", csv, "-k", "2", "--reg-covar", "0", "--covariance", "diag");
        Assert.Equal(4, run.ExitCode);
        Assert.Contains(NumericalFailureException.CollapseAdvice, run.OneLineError());
    }

    private void AssertFiniteAndSaved(GaussianMixtureModel model, DataSet data)
    {
        Assert.All(model.Weights, w => Assert.True(double.IsFinite(w) && w >= 0));
        Assert.Equal(1.0, model.Weights.Sum(), 8);
        Assert.All(Fixtures.Flatten(model.Means), m => Assert.True(double.IsFinite(m)));
        Assert.All(model.Covariances, c => Assert.True(double.IsFinite(c)));
        Assert.All(model.PrecisionsCholesky, c => Assert.True(double.IsFinite(c)));
        Assert.True(double.IsFinite(model.LowerBound), $"lower bound {model.LowerBound}");
        Assert.All(model.LowerBoundHistory, lb => Assert.True(double.IsFinite(lb)));
        Assert.True(model.TrainingLogLikelihood is { } ll && double.IsFinite(ll));
        Assert.All(model.ScoreSamples(data), s => Assert.False(double.IsNaN(s)));

        string path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        model.Save(path);
        string text = File.ReadAllText(path);
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("Infinity", text);
        using (var document = JsonDocument.Parse(text))
            Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("fit").GetProperty("lower_bound").ValueKind);
        Assert.Equal(TestData.Bits(model), TestData.Bits(GaussianMixtureModel.Load(path)));
    }
}
