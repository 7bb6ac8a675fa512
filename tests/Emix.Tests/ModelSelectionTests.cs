using System.Text.Json;
using Emix.Selection;

namespace Emix.Tests;

/// <summary>
/// Model selection against scikit-learn: the grid k = 1..9 × four covariance types on faithful and iris,
/// each cell started from the same initial parameters as scikit-learn's (fixtures made by
/// tests/fixtures/make_selection_fixtures.py), and the criteria against their formulas.
/// </summary>
public class ModelSelectionTests
{
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
        Console.WriteLine($"{set}: largest relative BIC difference to scikit-learn {worst:E2}");
    }
}
