using Emix.Cli;

namespace Emix.Tests;

/// <summary>Starting every family from given labels: one M-step from the hard partition (mclust's <c>me(z = unmap(labels))</c>).</summary>
public sealed class InitialLabelsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-labels-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void With_no_iteration_a_gaussian_fit_holds_the_labels_class_weights_and_means(CovarianceType type)
    {
        var data = Fixtures.Data("iris");
        int n = data.RowCount, d = data.FeatureCount, k = 3;
        // A partition unlike any init's: row i to component (i · 7) mod 3.
        var labels = Enumerable.Range(0, n).Select(i => i * 7 % k).ToArray();
        var model = new GaussianMixture(new() { ComponentCount = k, CovarianceType = type, InitialLabels = labels, MaxIterations = 0 }).Fit(data);

        var means = Fixtures.Flatten(model.Means);
        for (int j = 0; j < k; j++)
        {
            var rows = Enumerable.Range(0, n).Where(i => labels[i] == j).ToArray();
            Close.One(rows.Length / (double)n, model.Weights[j], 1e-13, $"weight {j}");
            for (int a = 0; a < d; a++)
                Close.One(rows.Average(i => data[i, a]), means[(j * d) + a], 1e-12, $"mean {j},{a}");
        }
        Assert.True(model.Fit!.StartedFromLabels);
        Assert.Contains("(given labels)", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_make_every_run_the_same_and_restarts_change_nothing()
    {
        var data = TestData.Blobs(900);
        var labels = Enumerable.Range(0, data.RowCount).Select(i => i % 3).ToArray();
        var once = new GaussianMixture(new() { ComponentCount = 3, InitialLabels = labels, MaxIterations = 5, Tolerance = 0 }).Fit(data);
        var thrice = new GaussianMixture(new() { ComponentCount = 3, InitialLabels = labels, MaxIterations = 5, Tolerance = 0, InitCount = 3, Seed = 9 }).Fit(data);
        Assert.Equal(TestData.ParameterBits(once), TestData.ParameterBits(thrice));
    }

    [Theory]
    [InlineData("0\n1\n", "2 labels for 3 data rows")]
    [InlineData("0\n1\n1\n0\n", "line 4: more labels than the 3 data rows")]
    [InlineData("# comment\n0\n\n3\n1\n", "line 4: label 3 is outside 0..1 for 2 components")]
    [InlineData("0\nx\n1\n", "line 2: 'x' is not a component label")]
    [InlineData("0\n0\n0\n", "no row has label 1; every one of the 2 components")]
    public void Bad_label_files_are_refused_with_the_line(string content, string expected)
    {
        string data = Path.Combine(_folder, "d.csv");
        File.WriteAllText(data, "a\n1\n2\n3\n");
        string labels = Path.Combine(_folder, "labels.txt");
        File.WriteAllText(labels, content);
        var stderr = new StringWriter();
        int code = EmixApp.Run(["fit", data, "-k", "2", "--init-labels", labels, "-o", Path.Combine(_folder, "m.json")], new StringWriter(), stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{labels}", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "m.json")));
    }

    [Fact]
    public void The_library_refuses_labels_that_do_not_fit_the_data()
    {
        var data = TestData.Blobs(30);
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixture(new() { ComponentCount = 2, InitialLabels = new int[29] }).Fit(data));
        Assert.Contains("29 initial labels for 30 rows", e.Message, StringComparison.Ordinal);
        var out_ = Enumerable.Repeat(0, 30).ToArray();
        out_[4] = 2;
        e = Assert.Throws<ArgumentException>(() => new PoissonMixture(new() { ComponentCount = 2, InitialLabels = out_ }).Fit(PoissonMixtureTests.Draws(30)));
        Assert.Contains("initial label of row 5 is 2, outside 0..1", e.Message, StringComparison.Ordinal);
    }
}
