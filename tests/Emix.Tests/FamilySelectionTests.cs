using Emix.Cli;
using Emix.Data;
using Emix.Selection;

namespace Emix.Tests;

/// <summary>
/// Model selection over k for the families beyond the Gaussian: each cell is the family's own fit,
/// its criteria those of the fitted model (BIC, AIC from its log-likelihood and free parameters, ICL
/// from its posterior probabilities), and the CLI's <c>select --family</c> / <c>--families</c>.
/// </summary>
public sealed class FamilySelectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-family-select-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Every_cell_is_the_familys_own_fit_and_its_criteria_follow_from_that_model()
    {
        var data = CsvReader.Read(Fixtures.Path_("poisson/counts.csv"));
        var fitOptions = new GaussianMixtureOptions { Seed = 4, MaxDegreeOfParallelism = 2 };
        var selection = new ModelSelection(new ModelSelectionOptions
        {
            ComponentCounts = [1, 2, 3, 4],
            CovarianceTypes = [CovarianceType.Full],
            Criterion = SelectionCriterion.Icl,
            FitOptions = fitOptions,
            Family = "poisson",
            FamilyFit = (k, _, rows, progress, ct) => new PoissonMixture(new() { ComponentCount = k, Seed = 4 }).Fit(rows, progress, ct),
        });
        var result = selection.Run(data);
        Assert.Equal(4, result.Entries.Count);
        foreach (var entry in result.Entries)
        {
            var alone = new PoissonMixture(new() { ComponentCount = entry.ComponentCount, Seed = 4 }).Fit(data);
            var model = Assert.IsType<PoissonMixtureModel>(entry.FittedModel);
            Assert.Equal(TestData.Bits(alone), TestData.Bits(model));
            Assert.Null(entry.Model);
            Assert.Equal("poisson", entry.Description);
            Assert.Equal(alone.Bic(data), entry.Bic);
            Assert.Equal(alone.Aic(data), entry.Aic);
            // ICL = BIC + 2·Σ −log max_j p(j | x_i), from the model's posterior probabilities.
            var probabilities = alone.PredictProbabilities(data);
            double entropy = 0;
            for (int i = 0; i < data.RowCount; i++)
                entropy -= Math.Log(Enumerable.Range(0, entry.ComponentCount).Max(j => probabilities[i, j]));
            Close.Relative(alone.Bic(data) + (2 * entropy), entry.Icl, 1e-12, $"k={entry.ComponentCount}: ICL");
        }
        Assert.Equal(result.Entries.MinBy(e => e.Icl), result.Best);
        Assert.Contains("k    poisson", result.Summary(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bernoulli/whiskey.csv", new[] { "--family", "bernoulli" }, typeof(BernoulliMixtureModel))]
    [InlineData("categorical/housing.csv", new[] { "--family", "categorical", "--pseudo-count", "0.5" }, typeof(CategoricalMixtureModel))]
    [InlineData("data/faithful.csv", new[] { "--family", "student-t", "--df", "5" }, typeof(StudentTMixtureModel))]
    [InlineData("mixed/birthwt.csv", new[] { "--families", "race:categorical,smoke:bernoulli,ptl:poisson,ht:bernoulli,ui:bernoulli,ftv:poisson" }, typeof(MixedMixtureModel))]
    public void The_cli_selects_over_k_for_every_family_and_saves_the_best(string file, string[] family, Type modelType)
    {
        string best = Path.Combine(_folder, "best.json"), table = Path.Combine(_folder, "table.csv");
        var stdout = new StringWriter();
        int code = EmixApp.Run(["select", Fixtures.Path_(file), "-k", "1..3", .. family, "--quiet", "-o", best, "--table", table], stdout, new StringWriter());
        Assert.True(code == 0, stdout.ToString());
        var model = MixtureModel.LoadAny(best);
        Assert.IsType(modelType, model);
        var rows = File.ReadAllLines(table);
        // The Student-t grid is k × (diag, full); the others have no structure: one cell per k.
        Assert.Equal(1 + (modelType == typeof(StudentTMixtureModel) ? 6 : 3), rows.Length);
        Assert.Contains($"Best by BIC: ", stdout.ToString(), StringComparison.Ordinal);
        if (modelType == typeof(StudentTMixtureModel))
            Assert.Equal([5.0, 5.0], ((StudentTMixtureModel)model).DegreesOfFreedom.Take(2));
    }

    [Theory]
    [InlineData(new[] { "--family", "poisson", "--covariance", "diag" }, "--covariance applies to the gaussian and student-t families only")]
    [InlineData(new[] { "--family", "student-t", "--covariance", "tied" }, "full or diag")]
    [InlineData(new[] { "--family", "bernoulli", "--on-collapse", "drop" }, "--on-collapse applies to the gaussian family only")]
    [InlineData(new[] { "--df", "3" }, "--df applies to the student-t family only")]
    public void Options_the_family_does_not_read_are_refused(string[] options, string message)
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Usage, EmixApp.Run(["select", Fixtures.Path_("poisson/counts.csv"), "-k", "1..2", .. options], new StringWriter(), stderr));
        Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Variational_fits_are_compared_by_their_bound_and_report_the_bic_of_the_posterior_mean_mixture()
    {
        var data = Fixtures.Data("faithful");
        string table = Path.Combine(_folder, "vb.csv"), best = Path.Combine(_folder, "vb.json");
        var stdout = new StringWriter();
        Assert.Equal(0, EmixApp.Run(["select", Fixtures.Path_("data/faithful.csv"), "-k", "1..3", "--covariance", "full,diag", "--variational", "--criterion", "bound",
            "--max-iter", "300", "--quiet", "--table", table, "-o", best, "--json"], stdout, new StringWriter()));
        using var json = System.Text.Json.JsonDocument.Parse(stdout.ToString());
        Assert.Equal("bound", json.RootElement.GetProperty("criterion").GetString());
        var cells = json.RootElement.GetProperty("cells").EnumerateArray().ToArray();
        Assert.Equal(6, cells.Length);
        var bestCell = cells.MaxBy(c => c.GetProperty("lower_bound").GetDouble());
        Assert.Equal(bestCell.GetProperty("k").GetInt32(), json.RootElement.GetProperty("best").GetProperty("k").GetInt32());
        var model = Assert.IsType<VariationalGaussianMixtureModel>(MixtureModel.LoadAny(best));
        Assert.Equal(bestCell.GetProperty("lower_bound").GetDouble(), model.LowerBound);
        Close.Relative(model.PosteriorMeanMixture.Bic(data), bestCell.GetProperty("bic").GetDouble(), 1e-12, "posterior-mean BIC");

        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Usage, EmixApp.Run(["select", Fixtures.Path_("data/faithful.csv"), "-k", "1..2", "--criterion", "bound"], new StringWriter(), stderr));
        Assert.Contains("--criterion bound ranks variational fits only", stderr.ToString(), StringComparison.Ordinal);
    }
}
