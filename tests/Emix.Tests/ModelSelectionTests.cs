using System.Globalization;
using System.Text.Json;
using Emix.Cli;
using Emix.Selection;
using Xunit.Abstractions;

namespace Emix.Tests;

/// <summary>
/// Model selection against scikit-learn: the grid k = 1..9 × four covariance types on faithful and iris,
/// each cell started from the same initial parameters as scikit-learn's (fixtures made by
/// tests/fixtures/make_selection_fixtures.py), and the criteria against their formulas.
/// </summary>
public class ModelSelectionTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-select-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The agreement asked of every cell's BIC (default tol 1e-3: both tools stop at the same iteration).</summary>
    private const double BicRelativeTolerance = 1e-6;

    private static CovarianceType Type(string name)
    {
        Assert.True(MixtureNames.TryParseCovarianceType(name, out var type), name);
        return type;
    }

    /// <summary>The fixture's initial parameters of every cell, by (k, type).</summary>
    internal static Dictionary<(int, CovarianceType), InitialParameters> InitialParametersOf(JsonElement fixture)
    {
        var result = new Dictionary<(int, CovarianceType), InitialParameters>();
        foreach (var cell in fixture.GetProperty("cells").EnumerateArray())
        {
            var init = cell.GetProperty("init");
            result[(cell.GetProperty("k").GetInt32(), Type(cell.GetProperty("covariance").GetString()!))] = new InitialParameters
            {
                Weights = Fixtures.Flat(init.GetProperty("weights")),
                Means = Fixtures.Flat(init.GetProperty("means")),
                Precisions = Fixtures.Flat(init.GetProperty("precisions")),
            };
        }
        return result;
    }

    internal static ModelSelectionResult RunFromFixture(string set, SelectionCriterion criterion = SelectionCriterion.Bic)
    {
        var fixture = Fixtures.Json($"sklearn/selection/{set}.json");
        var inits = InitialParametersOf(fixture);
        var options = new ModelSelectionOptions
        {
            Criterion = criterion,
            FitOptions = new GaussianMixtureOptions
            {
                Tolerance = fixture.GetProperty("tol").GetDouble(),
                MaxIterations = fixture.GetProperty("max_iter").GetInt32(),
                RegCovar = fixture.GetProperty("reg_covar").GetDouble(),
            },
            InitialParametersFor = (k, type) => inits[(k, type)],
        };
        return new ModelSelection(options).Run(Fixtures.Data(set));
    }

    [Theory]
    [InlineData("faithful")]
    [InlineData("iris")]
    public void Every_cell_agrees_with_scikit_learn_from_the_same_initial_parameters(string set)
    {
        var fixture = Fixtures.Json($"sklearn/selection/{set}.json");
        var result = RunFromFixture(set);
        var cells = fixture.GetProperty("cells").EnumerateArray().ToArray();
        Assert.Equal(36, cells.Length);
        Assert.Equal(36, result.Entries.Count);
        double worst = 0;
        foreach (var cell in cells)
        {
            int k = cell.GetProperty("k").GetInt32();
            var type = Type(cell.GetProperty("covariance").GetString()!);
            var entry = result.Find(k, type)!;
            Assert.True(entry.Succeeded, $"k={k} {type}: {entry.Failure}");
            double expected = cell.GetProperty("bic").GetDouble();
            worst = Math.Max(worst, Math.Abs(entry.Bic - expected) / Math.Abs(expected));
            Close.Relative(expected, entry.Bic, BicRelativeTolerance, $"{set} k={k} {type.ToScikitName()} BIC");
            Close.Relative(cell.GetProperty("aic").GetDouble(), entry.Aic, BicRelativeTolerance, $"{set} k={k} {type.ToScikitName()} AIC");
            Assert.Equal(cell.GetProperty("converged").GetBoolean(), entry.Model!.Converged);
            Assert.Equal(cell.GetProperty("n_iter").GetInt32(), entry.Model.IterationCount);
        }
        var best = fixture.GetProperty("best");
        Assert.Equal(best.GetProperty("k").GetInt32(), result.Best!.ComponentCount);
        Assert.Equal(Type(best.GetProperty("covariance").GetString()!), result.Best.CovarianceType);
        output.WriteLine($"{set}: largest relative BIC difference to scikit-learn {worst:E2}; both pick k={result.Best.ComponentCount} {result.Best.CovarianceType.ToScikitName()}");
    }

    [Theory]
    [InlineData(SelectionCriterion.Aic)]
    [InlineData(SelectionCriterion.Icl)]
    public void Aic_and_icl_equal_their_formulas_computed_from_the_model(SelectionCriterion criterion)
    {
        var data = Fixtures.Data("iris");
        var result = new ModelSelection(new ModelSelectionOptions { ComponentCounts = [1, 2, 3, 4], Criterion = criterion }).Run(data);
        Assert.Equal(16, result.Entries.Count);
        foreach (var entry in result.Entries)
        {
            var model = entry.Model!;
            var probabilities = model.PredictProbabilities(data);
            double entropy = 0;
            for (int i = 0; i < data.RowCount; i++)
            {
                double largest = 0;
                for (int j = 0; j < model.ComponentCount; j++)
                    largest = Math.Max(largest, probabilities[i, j]);
                entropy -= Math.Log(largest);
            }
            string what = $"k={entry.ComponentCount} {entry.CovarianceType.ToScikitName()}";
            Close.Relative(model.Bic(data), entry.Bic, 1e-12, $"{what} BIC");
            Close.Relative(model.Aic(data), entry.Aic, 1e-12, $"{what} AIC");
            Close.One(entropy, entry.ClassificationEntropy, 1e-9, $"{what} entropy");
            Close.Relative(model.Bic(data) + (2 * entropy), entry.Icl, 1e-12, $"{what} ICL");
            Assert.True(entry.Icl >= entry.Bic, what);
            Assert.Equal(model.TrainingLogLikelihood!.Value, entry.LogLikelihood);
            Assert.Equal(model.FreeParameterCount, entry.ParameterCount);
        }
        Assert.Equal(0, result.Entries[0].ClassificationEntropy); // one component: every row certain
        var ranked = result.Entries.OrderBy(e => e.Value(criterion)).ToArray();
        Assert.Same(ranked[0], result.Best);
        Assert.Equal(ranked.Select(e => e.Value(criterion)), result.Ranking.Select(e => e.Value(criterion)));
        Assert.Equal(0, result.DifferenceFromBest(result.Best!));
        Assert.Equal(result.Ranking[1].Value(criterion) - result.Best!.Value(criterion), result.DifferenceFromBest(result.Ranking[1]));
    }

    [Fact]
    public void Cells_of_one_k_start_from_the_same_kmeans_labels_whatever_the_covariance_type()
    {
        // With no EM iteration the model is the initial M-step from the k-means responsibilities: the
        // means (responsibility-weighted averages) depend on the labels only, not on the structure.
        var data = Fixtures.Data("faithful");
        var result = new ModelSelection(new ModelSelectionOptions
        {
            ComponentCounts = [2, 3, 5],
            FitOptions = new GaussianMixtureOptions { MaxIterations = 0, Seed = 11 },
        }).Run(data);
        foreach (int k in new[] { 2, 3, 5 })
        {
            var means = result.Entries.Where(e => e.ComponentCount == k).Select(e => Fixtures.Flatten(e.Model!.Means)).ToArray();
            Assert.Equal(4, means.Length);
            foreach (var other in means.Skip(1))
                Assert.Equal(means[0], other);
        }
    }

    [Fact]
    public void The_criteria_are_the_same_bits_for_any_thread_count()
    {
        // Several chunks of the entropy pass (1024 rows each) finish on different threads.
        var data = TestData.Blobs(5000);
        ModelSelectionResult With(int? threads) => new ModelSelection(new ModelSelectionOptions
        {
            ComponentCounts = [2, 3],
            FitOptions = new GaussianMixtureOptions { MaxDegreeOfParallelism = threads },
        }).Run(data);
        var one = With(1);
        var all = With(null);
        Assert.Equal(one.Entries.Select(e => (e.Bic, e.Aic, e.Icl)), all.Entries.Select(e => (e.Bic, e.Aic, e.Icl)));
    }

    [Fact]
    public void A_failed_cell_keeps_its_reason_and_does_not_end_the_selection()
    {
        // Two groups of three identical rows: without reg_covar, a component on one group has no variance.
        var data = DataSet.FromArray(new double[,] { { 1, 1 }, { 1, 1 }, { 1, 1 }, { 5, 5 }, { 5, 5 }, { 5, 5 } });
        var result = new ModelSelection(new ModelSelectionOptions
        {
            ComponentCounts = [1, 2, 7],
            CovarianceTypes = [CovarianceType.Spherical, CovarianceType.Full],
            FitOptions = new GaussianMixtureOptions { RegCovar = 0 },
        }).Run(data);
        Assert.Equal(6, result.Entries.Count);
        var spherical1 = result.Find(1, CovarianceType.Spherical)!;
        Assert.True(spherical1.Succeeded);
        Assert.Same(spherical1, result.Best);
        Assert.Single(result.Ranking);
        var collapsed = result.Find(2, CovarianceType.Spherical)!;
        Assert.False(collapsed.Succeeded);
        Assert.Contains("ill-defined empirical covariance", collapsed.Failure);
        Assert.True(double.IsNaN(collapsed.Bic) && double.IsNaN(collapsed.Icl) && double.IsNaN(result.DifferenceFromBest(collapsed)));
        Assert.Contains("7 components need at least 7 rows; the data have 6", result.Find(7, CovarianceType.Full)!.Failure);

        string summary = result.Summary();
        Assert.Contains("— [1]", summary);
        Assert.Contains("[1] k=1 full, k=2 full: Fitting the mixture model failed", summary);
        Assert.Contains("k=7 spherical, k=7 full: 7 components need at least 7 rows", summary);
    }

    [Fact]
    public void Options_are_checked_in_one_place()
    {
        Assert.Throws<ArgumentException>(() => new ModelSelection(new ModelSelectionOptions { ComponentCounts = [] }));
        Assert.Throws<ArgumentException>(() => new ModelSelection(new ModelSelectionOptions { ComponentCounts = [0, 2] }));
        Assert.Throws<ArgumentException>(() => new ModelSelection(new ModelSelectionOptions { CovarianceTypes = [] }));
        Assert.Throws<ArgumentException>(() => new ModelSelection(new ModelSelectionOptions { FitOptions = new() { Tolerance = -1 } }));
        var e = Assert.Throws<ArgumentException>(() => new ModelSelection(new ModelSelectionOptions
        {
            FitOptions = new() { InitialParameters = new InitialParameters { Weights = [1.0] } },
        }));
        Assert.Contains("InitialParametersFor", e.Message);
        var selection = new ModelSelection(new ModelSelectionOptions
        {
            ComponentCounts = [3, 1, 3],
            CovarianceTypes = [CovarianceType.Full, CovarianceType.Spherical, CovarianceType.Full],
        });
        Assert.Equal([(1, CovarianceType.Spherical), (1, CovarianceType.Full), (3, CovarianceType.Spherical), (3, CovarianceType.Full)], selection.Cells);
    }

    // ------------------------------------------------------------------ the command

    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Select_on_faithful_from_scikit_learns_initial_parameters_prints_the_table_writes_the_csv_and_the_best_model()
    {
        string fixturePath = Fixtures.Path_("sklearn/selection/faithful.json");
        var fixture = Fixtures.Json("sklearn/selection/faithful.json");
        string best = Path.Combine(_folder, "best.json"), table = Path.Combine(_folder, "table.csv");
        var outcome = Run("select", Fixtures.Path_("data/faithful.csv"), "--init-params", fixturePath, "-o", best, "--table", table, "-q");
        Assert.Equal("", outcome.Error);
        Assert.Equal(0, outcome.ExitCode);

        var lines = outcome.Out.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains(lines, l => l.StartsWith("k  spherical (VII)  diag (VVI)  tied (EEE)  full (VVV)", StringComparison.Ordinal));
        Assert.Contains("Best 3 models by BIC:", outcome.Out);
        Assert.Contains("Best by BIC: full (VVV) with 2 components, BIC 2322.192.", outcome.Out);
        Assert.Contains("scikit-learn: lower is better", outcome.Out);
        // Row k=2 of the table holds the four BICs with three decimals.
        var row2 = lines.First(l => l.StartsWith("2 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cells = fixture.GetProperty("cells").EnumerateArray().ToArray();
        for (int c = 0; c < 4; c++)
            Assert.Equal(cells[4 + c].GetProperty("bic").GetDouble().ToString("F3", CultureInfo.InvariantCulture), row2[1 + c]);

        var csv = File.ReadAllLines(table);
        Assert.Equal("k,covariance,model,bic,aic,icl,log_likelihood,n_parameters,n_iter,converged,rank,status", csv[0]);
        Assert.Equal(37, csv.Length);
        for (int i = 0; i < 36; i++)
        {
            var f = csv[i + 1].Split(',');
            Assert.Equal(cells[i].GetProperty("k").GetInt32().ToString(CultureInfo.InvariantCulture), f[0]);
            Assert.Equal(cells[i].GetProperty("covariance").GetString(), f[1]);
            Close.Relative(cells[i].GetProperty("bic").GetDouble(), double.Parse(f[3], CultureInfo.InvariantCulture), BicRelativeTolerance, $"csv row {i + 1} BIC");
            Assert.Equal("ok", f[11]);
        }
        var first = csv.Skip(1).Select(l => l.Split(',')).Single(f => f[10] == "1");
        Assert.Equal(["2", "full", "VVV"], first[..3]);

        var model = GaussianMixtureModel.Load(best);
        Assert.Equal(2, model.ComponentCount);
        Assert.Equal(CovarianceType.Full, model.CovarianceType);
        Assert.Equal(double.Parse(first[3], CultureInfo.InvariantCulture), model.Bic(Fixtures.Data("faithful")), 1e-9);
    }

    [Theory]
    [InlineData("faithful")]
    [InlineData("iris")]
    public void Default_select_picks_the_model_of_scikit_learns_default_bic_search(string set)
    {
        // Emix's k-means draws other random numbers than scikit-learn's, so the values differ a little
        // where EM stops in another local optimum; the picked model is the same on these data sets.
        var expected = Fixtures.Json($"sklearn/selection/{set}.json").GetProperty("default_init").GetProperty("best");
        var outcome = Run("select", Fixtures.Path_($"data/{set}.csv"), "--json");
        Assert.Equal(0, outcome.ExitCode);
        using var doc = JsonDocument.Parse(outcome.Out);
        var root = doc.RootElement;
        Assert.Equal("bic", root.GetProperty("criterion").GetString());
        Assert.Equal(36, root.GetProperty("cells").GetArrayLength());
        var best = root.GetProperty("best");
        Assert.Equal(expected.GetProperty("k").GetInt32(), best.GetProperty("k").GetInt32());
        Assert.Equal(expected.GetProperty("covariance").GetString(), best.GetProperty("covariance").GetString());
        Close.Relative(expected.GetProperty("bic").GetDouble(), best.GetProperty("value").GetDouble(), BicRelativeTolerance, $"{set} best BIC");
    }

    [Fact]
    public void Select_shows_failed_cells_as_a_dash_with_the_reason_and_exits_4_only_when_all_fail()
    {
        string dupes = Path.Combine(_folder, "dupes.csv");
        File.WriteAllText(dupes, "a,b\n1,1\n1,1\n1,1\n5,5\n5,5\n5,5\n");
        string table = Path.Combine(_folder, "table.csv");
        var outcome = Run("select", dupes, "-k", "1,2,7", "--reg-covar", "0", "--table", table);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("— [1]", outcome.Out);
        Assert.Contains("ill-defined empirical covariance", outcome.Out);
        Assert.Contains("7 components need at least 7 rows", outcome.Out);
        Assert.Contains("Best by BIC: spherical (VII) with 1 component,", outcome.Out);
        var failed = File.ReadAllLines(table).Single(l => l.StartsWith("2,full,", StringComparison.Ordinal));
        Assert.StartsWith("2,full,VVV,,,,,,,,,\"Fitting the mixture model failed", failed);

        string output = Path.Combine(_folder, "best.json");
        var all = Run("select", dupes, "-k", "2..3", "--reg-covar", "0", "-o", output);
        Assert.Equal(4, all.ExitCode);
        Assert.Equal("", all.Out);
        Assert.StartsWith("emix: ", all.Error);
        Assert.Contains("every fit of the grid failed (8 fits)", all.Error);
        Assert.DoesNotContain('\n', all.Error.TrimEnd());
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData(new[] { "-k", "0" }, "-k 0: component counts start at 1")]
    [InlineData(new[] { "-k", "5..2" }, "-k 5..2: the range 5..2 is empty")]
    [InlineData(new[] { "-k", "two" }, "-k two")]
    [InlineData(new[] { "-k", "1..500" }, "at most 100")]
    [InlineData(new[] { "--covariance", "bogus" }, "--covariance bogus: expected all")]
    [InlineData(new[] { "--criterion", "foo" }, "foo")]
    [InlineData(new[] { "--tol", "-1" }, "--tol")]
    [InlineData(new[] { "-k", "300" }, "fewer than the 300 components")]
    public void Bad_arguments_end_with_one_line_and_the_usage_exit_code(string[] args, string fragment)
    {
        var outcome = Run(["select", Fixtures.Path_("data/faithful.csv"), .. args]);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("", outcome.Out);
        string line = outcome.Error.TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("emix: ", line);
        Assert.Contains(fragment, line);
    }

    [Fact]
    public void Select_passes_on_the_fit_options_of_emix_fit_with_the_same_help_and_defaults()
    {
        // The option set is shared by definition with select; fit still declares its own (see FitOptionSet).
        static Dictionary<string, string> Options(string command)
        {
            var help = Run(command, "--help").Out.Split('\n');
            return help.Select(l => l.Trim()).Where(l => l.StartsWith("--", StringComparison.Ordinal))
                .ToDictionary(l => l.Split(' ')[0], l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2)));
        }
        var fit = Options("fit");
        var select = Options("select");
        foreach (var name in new[] { "--init", "--n-init", "--max-iter", "--tol", "--reg-covar", "--seed", "--threads", "--memory-limit", "--columns", "--header", "--no-header" })
            Assert.Equal(fit[name], select[name]);
    }

    [Fact]
    public void A_malformed_initial_parameters_file_is_bad_input()
    {
        string bad = Path.Combine(_folder, "cells.json");
        File.WriteAllText(bad, """{"cells": [{"k": 2, "covariance": "full", "init": {"means": [[1, 2]]}}]}""");
        var outcome = Run("select", Fixtures.Path_("data/faithful.csv"), "--init-params", bad);
        Assert.Equal(3, outcome.ExitCode);
        Assert.Contains("cells[0] (k=2, full): means", outcome.Error);
    }
}
