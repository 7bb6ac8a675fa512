using System.Globalization;
using Emix.Data;
using Emix.Internals;
using Xunit.Abstractions;

namespace Emix.Tests;

/// <summary>
/// Missing values: EM for data missing at random (observed-data likelihood never decreasing, means
/// and imputations better than listwise deletion and column means on iris with a fifth of the cells
/// removed), the conditional formulas by hand, parsing, and determinism.
/// </summary>
public class MissingValueTests(ITestOutputHelper output)
{
    /// <summary>Share of the iris cells removed, and the seed that chooses them.</summary>
    private const double RemovedShare = 0.2;
    private const long RemovalSeed = 20240604;

    /// <summary>Allowed drop of the lower bound between iterations: rounding only.</summary>
    private const double MonotonicSlack = 1e-12;

    /// <summary>Iris with <see cref="RemovedShare"/> of its cells set to NaN at random (each row keeps one observed cell), and the removed cells.</summary>
    internal static (DataSet Complete, DataSet Missing, int[] RemovedCells) IrisWithHoles()
    {
        var complete = Fixtures.Data("iris");
        int n = complete.RowCount, d = complete.FeatureCount;
        var values = complete.Values.ToArray();
        var rng = new RandomSource(RemovalSeed);
        int target = (int)Math.Round(RemovedShare * values.Length);
        var order = rng.ChooseDistinct(values.Length, values.Length); // a random permutation of the cells
        var left = Enumerable.Repeat(d, n).ToArray();
        var removed = new List<int>();
        foreach (int cell in order)
        {
            if (removed.Count == target)
                break;
            if (left[cell / d] == 1)
                continue; // keep at least one observed cell per row
            left[cell / d]--;
            values[cell] = double.NaN;
            removed.Add(cell);
        }
        removed.Sort();
        return (complete, DataSet.WrapWithMissing(values, d, complete.FeatureNames, "iris-with-holes"), removed.ToArray());
    }

    private static GaussianMixtureOptions Options(CovarianceType type) => new()
    {
        ComponentCount = 3,
        CovarianceType = type,
        Seed = 1,
        Tolerance = 1e-8,
        MaxIterations = 500,
    };

    [Fact]
    public void Iris_with_holes_has_a_fifth_of_its_cells_missing_and_no_empty_row()
    {
        var (complete, missing, removed) = IrisWithHoles();
        Assert.Equal(120, missing.MissingCount);
        Assert.Equal(120, removed.Length);
        Assert.True(missing.HasMissing);
        Assert.False(complete.HasMissing);
        for (int i = 0; i < missing.RowCount; i++)
        {
            int observed = 0;
            foreach (double v in missing.Row(i))
                observed += double.IsNaN(v) ? 0 : 1;
            Assert.True(observed >= 1);
        }
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Observed_data_log_likelihood_never_decreases(CovarianceType type)
    {
        // reg_covar 0: EM's M-step then maximises the expected complete-data log-likelihood exactly,
        // which is what guarantees the monotone observed-data likelihood (a ridge on the diagonal is
        // not a maximiser, so it may lower the bound by a hair).
        var (_, missing, _) = IrisWithHoles();
        var model = new GaussianMixture(Options(type) with { Tolerance = 0, MaxIterations = 50, RegCovar = 0 }).Fit(missing);
        var history = model.LowerBoundHistory;
        Assert.Equal(50, history.Count);
        for (int t = 1; t < history.Count; t++)
        {
            Assert.True(history[t] >= history[t - 1] - (MonotonicSlack * Math.Abs(history[t - 1])),
                $"{type}: iteration {t + 1} lowered the bound from {history[t - 1]:R} to {history[t]:R}");
        }
        Assert.True(history[^1] > history[0]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{type}: lower bound {history[0]:F6} -> {history[^1]:F6} over 50 iterations"));
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void The_lower_bound_is_the_observed_data_log_likelihood_computed_by_hand(CovarianceType type)
    {
        var (_, missing, _) = IrisWithHoles();
        var model = new GaussianMixture(Options(type) with { MaxIterations = 5, Tolerance = 0 }).Fit(missing);
        double byHand = 0;
        for (int i = 0; i < missing.RowCount; i++)
            byHand += HandMarginalLogDensity(model, missing.Row(i));
        Close.Relative(byHand, model.TrainingLogLikelihood!.Value, 1e-12, "observed-data log-likelihood");
        Close.Relative(byHand / missing.RowCount, model.Score(missing), 1e-12, "score");
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Em_recovers_the_complete_data_means_better_than_dropping_rows(CovarianceType type)
    {
        var (complete, missing, _) = IrisWithHoles();
        var reference = new GaussianMixture(Options(type)).Fit(complete);
        var em = new GaussianMixture(Options(type)).Fit(missing);
        var dropped = missing.DropIncompleteRows();
        var drop = new GaussianMixture(Options(type)).Fit(dropped);
        double emError = MeansError(reference, em), dropError = MeansError(reference, drop);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{type}: RMS error of the means vs the complete-data fit: em {emError:F4}, drop {dropError:F4} ({dropped.RowCount} rows kept of {missing.RowCount})"));
        Assert.True(emError < dropError, $"{type}: em {emError} is not better than drop {dropError}");
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Imputations_beat_column_means_in_rmse(CovarianceType type)
    {
        var (complete, missing, removed) = IrisWithHoles();
        var model = new GaussianMixture(Options(type)).Fit(missing);
        var imputation = model.Impute(missing);
        int d = missing.FeatureCount;
        var columnMeans = ObservedColumnMeans(missing);
        double emSquares = 0, meanSquares = 0;
        foreach (int cell in removed)
        {
            double truth = complete.Values[cell];
            emSquares += Math.Pow(imputation.Values.Values[cell] - truth, 2);
            meanSquares += Math.Pow(columnMeans[cell % d] - truth, 2);
        }
        double emRmse = Math.Sqrt(emSquares / removed.Length), meanRmse = Math.Sqrt(meanSquares / removed.Length);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{type}: imputation RMSE em {emRmse:F4}, column mean {meanRmse:F4}"));
        Assert.True(emRmse < meanRmse, $"{type}: em RMSE {emRmse} is not below the column-mean RMSE {meanRmse}");
        Assert.Equal(removed.Length, imputation.ImputedCount);
        // Observed cells are untouched and have no variance; imputed cells have a positive one.
        for (int cell = 0; cell < missing.Values.Length; cell++)
        {
            double variance = imputation.Variances[cell / d, cell % d];
            if (double.IsNaN(missing.Values[cell]))
            {
                Assert.True(variance > 0);
            }
            else
            {
                Assert.Equal(missing.Values[cell], imputation.Values.Values[cell]);
                Assert.Equal(0.0, variance);
            }
        }
    }

    [Fact]
    public void Rows_with_nothing_missing_get_the_same_bits_as_on_the_complete_data_path()
    {
        var (complete, missing, _) = IrisWithHoles();
        var model = new GaussianMixture(Options(CovarianceType.Full)).Fit(complete);
        var completeRows = Enumerable.Range(0, missing.RowCount).Where(missing.IsRowComplete).ToArray();
        Assert.NotEmpty(completeRows);
        var onMissing = model.ScoreSamples(missing);
        var probabilitiesOnMissing = model.PredictProbabilities(missing);
        var onComplete = model.ScoreSamples(complete);
        var probabilities = model.PredictProbabilities(complete);
        foreach (int i in completeRows)
        {
            Assert.Equal(onComplete[i], onMissing[i]);
            for (int j = 0; j < model.ComponentCount; j++)
                Assert.Equal(probabilities[i, j], probabilitiesOnMissing[i, j]);
        }
        var imputed = model.Impute(missing).Values;
        foreach (int i in completeRows)
            Assert.True(imputed.Row(i).SequenceEqual(complete.Row(i)));
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Em_without_missing_cells_gives_the_bits_of_a_normal_fit(CovarianceType type)
    {
        var complete = Fixtures.Data("iris");
        var allowing = DataSet.WrapWithMissing(complete.Values.ToArray(), complete.FeatureCount, complete.FeatureNames, complete.Source);
        Assert.False(allowing.HasMissing);
        var a = new GaussianMixture(Options(type)).Fit(complete);
        var b = new GaussianMixture(Options(type)).Fit(allowing);
        Assert.Equal(TestData.Bits(a), TestData.Bits(b));
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void A_fit_with_missing_cells_gives_the_same_bits_on_one_thread_and_on_all(CovarianceType type)
    {
        var (_, missing, _) = IrisWithHoles();
        // Small chunks so that the rows spread over several chunks and threads.
        var options = Options(type) with { ChunkRows = 16, MaxIterations = 30 };
        var one = new GaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(missing);
        var all = new GaussianMixture(options with { MaxDegreeOfParallelism = 4 }).Fit(missing);
        Assert.Equal(TestData.Bits(one), TestData.Bits(all));
    }

    [Fact]
    public void One_missing_coordinate_under_a_full_covariance_matches_the_conditional_formula()
    {
        // One component, d = 3: x = (1.5, NaN, -0.5). By hand with o = {0, 2}, m = {1}:
        // E[x1 | x_o] = μ1 + Σ_1o Σ_oo⁻¹ (x_o − μ_o), Var = Σ11 − Σ_1o Σ_oo⁻¹ Σ_o1.
        double[] mu = [1.0, 2.0, 3.0];
        double[,] sigma = { { 2.0, 0.6, 0.3 }, { 0.6, 1.5, -0.4 }, { 0.3, -0.4, 1.0 } };
        var model = GaussianMixtureModel.Create(CovarianceType.Full, [1.0], new double[,] { { mu[0], mu[1], mu[2] } },
            Fixtures.Flatten(sigma));
        double[] x = [1.5, double.NaN, -0.5];
        double s00 = sigma[0, 0], s02 = sigma[0, 2], s22 = sigma[2, 2];
        double det = (s00 * s22) - (s02 * s02);
        double i00 = s22 / det, i02 = -s02 / det, i22 = s00 / det;
        double r0 = x[0] - mu[0], r2 = x[2] - mu[2];
        double w0 = (sigma[1, 0] * i00) + (sigma[1, 2] * i02), w2 = (sigma[1, 0] * i02) + (sigma[1, 2] * i22);
        double expectedMean = mu[1] + (w0 * r0) + (w2 * r2);
        double expectedVariance = sigma[1, 1] - ((w0 * sigma[0, 1]) + (w2 * sigma[2, 1]));
        double expectedLogDensity = (-Math.Log(2 * Math.PI)) - (0.5 * Math.Log(det))
            - (0.5 * ((r0 * r0 * i00) + (2 * r0 * r2 * i02) + (r2 * r2 * i22)));

        var data = DataSet.WrapWithMissing(x, 3);
        var imputation = model.Impute(data);
        Close.Relative(expectedMean, imputation.Values[0, 1], 1e-14, "conditional mean");
        Close.Relative(expectedVariance, imputation.Variances[0, 1], 1e-14, "conditional variance");
        Assert.Equal(x[0], imputation.Values[0, 0]);
        Assert.Equal(x[2], imputation.Values[0, 2]);
        Close.Relative(expectedLogDensity, model.ScoreSamples(data)[0], 1e-14, "marginal log-density");
    }

    [Fact]
    public void Imputation_mixes_the_components_by_their_posterior_given_the_observed_cells()
    {
        // Two diagonal components: x̂_j = μ_j on the missing coordinate, E = Σ r_j μ_j,
        // Var = Σ r_j (σ²_j + (μ_j − E)²), r_j ∝ π_j N(x_o | μ_jo, σ²_jo).
        var model = GaussianMixtureModel.Create(CovarianceType.Diagonal, [0.3, 0.7],
            new double[,] { { 0.0, 0.0 }, { 2.0, 5.0 } }, [1.0, 4.0, 0.5, 2.0]);
        var data = DataSet.WrapWithMissing([1.2, double.NaN], 2);
        double l0 = Math.Log(0.3) - (0.5 * Math.Log(2 * Math.PI * 1.0)) - (0.5 * 1.2 * 1.2 / 1.0);
        double l1 = Math.Log(0.7) - (0.5 * Math.Log(2 * Math.PI * 0.5)) - (0.5 * 0.8 * 0.8 / 0.5);
        double r0 = 1 / (1 + Math.Exp(l1 - l0)), r1 = 1 - r0;
        double mean = (r0 * 0.0) + (r1 * 5.0);
        double variance = (r0 * (4.0 + (mean * mean))) + (r1 * (2.0 + Math.Pow(5.0 - mean, 2)));
        var imputation = model.Impute(data);
        Close.Relative(mean, imputation.Values[0, 1], 1e-13, "mean");
        Close.Relative(variance, imputation.Variances[0, 1], 1e-13, "variance");
        var p = model.PredictProbabilities(data);
        Close.Relative(r0, p[0, 0], 1e-13, "r0");
        Close.Relative(Math.Log(Math.Exp(l0) + Math.Exp(l1)), model.ScoreSamples(data)[0], 1e-13, "log p(x_o)");
    }

    [Fact]
    public void Integer_weights_with_missing_cells_give_the_model_of_repeated_rows()
    {
        var (_, missing, _) = IrisWithHoles();
        int n = missing.RowCount, d = missing.FeatureCount;
        var weights = Enumerable.Range(0, n).Select(i => (double)(1 + (i % 3))).ToArray();
        var repeated = new List<double>();
        for (int i = 0; i < n; i++)
            for (int c = 0; c < weights[i]; c++)
                repeated.AddRange(missing.Row(i).ToArray());
        var options = Options(CovarianceType.Full) with { InitialParameters = null, MaxIterations = 20, Tolerance = 0 };
        // Same start for both: the parameters of a short fit on the unweighted rows.
        var start = new GaussianMixture(options with { MaxIterations = 2 }).Fit(missing);
        var init = new InitialParameters { Weights = start.Weights, Means = Fixtures.Flatten(start.Means), Covariances = start.Covariances };
        var weighted = new GaussianMixture(options with { InitialParameters = init }).Fit(missing.WithWeights(weights));
        var copies = new GaussianMixture(options with { InitialParameters = init }).Fit(DataSet.WrapWithMissing(repeated.ToArray(), d));
        Close.All(Fixtures.Flatten(copies.Means), Fixtures.Flatten(weighted.Means), 1e-9, "means");
        Close.All(copies.Covariances, weighted.Covariances, 1e-9, "covariances");
        Close.Relative(copies.LowerBound, weighted.LowerBound, 1e-12, "lower bound");
    }

    [Fact]
    public void Dropping_keeps_the_complete_rows_in_order()
    {
        var (complete, missing, _) = IrisWithHoles();
        var dropped = missing.DropIncompleteRows();
        var kept = Enumerable.Range(0, missing.RowCount).Where(missing.IsRowComplete).ToArray();
        Assert.Equal(kept.Length, dropped.RowCount);
        Assert.False(dropped.HasMissing);
        for (int r = 0; r < kept.Length; r++)
            Assert.True(dropped.Row(r).SequenceEqual(complete.Row(kept[r])));
        Assert.Same(complete, complete.DropIncompleteRows());
    }

    [Fact]
    public void Csv_reads_empty_na_and_nan_cells_as_missing_when_allowed()
    {
        const string text = "a,b,c\n1,,3\nNA,2,nan\n4,N/A,NaN\n -1 ,na, \n";
        var data = CsvReader.Read(new StringReader(text), "t.csv", new CsvReadOptions { AllowMissing = true });
        Assert.Equal(4, data.RowCount);
        Assert.Equal(["a", "b", "c"], data.FeatureNames);
        Assert.Equal(7, data.MissingCount);
        Assert.Equal(1.0, data[0, 0]);
        Assert.True(double.IsNaN(data[0, 1]));
        Assert.True(double.IsNaN(data[1, 0]));
        Assert.True(double.IsNaN(data[1, 2]));
        Assert.Equal(-1.0, data[3, 0]);
        Assert.True(double.IsNaN(data[3, 2]));
        // A first data row with gaps is still data, not a header.
        var noHeader = CsvReader.Read(new StringReader("1,NA\n2,3\n"), "t.csv", new CsvReadOptions { AllowMissing = true });
        Assert.Equal(2, noHeader.RowCount);
        Assert.Equal(1, noHeader.MissingCount);
    }

    [Fact]
    public void Missing_cells_stay_errors_by_default_and_infinities_always()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(new StringReader("a,b\n1,2\n3,\n"), "t.csv"));
        Assert.Equal("t.csv: row 3, column 2: missing value ''.", e.Message);
        var inf = Assert.Throws<DataFormatException>(() =>
            CsvReader.Read(new StringReader("a,b\n1,2\n3,inf\n"), "t.csv", new CsvReadOptions { AllowMissing = true }));
        Assert.Contains("row 3, column 2", inf.Message);
        Assert.Throws<DataFormatException>(() => DataSet.WrapWithMissing([1.0, double.PositiveInfinity], 2));
        Assert.Throws<DataFormatException>(() => DataSet.Wrap([1.0, double.NaN], 2));
    }

    [Fact]
    public void Npy_reads_nan_as_missing_when_allowed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emix-missing-{Guid.NewGuid():N}.npy");
        try
        {
            NpyWriter.Write(path, DataSet.WrapWithMissing([1.0, double.NaN, 3.0, 4.0], 2));
            Assert.Throws<DataFormatException>(() => NpyReader.Read(path));
            var data = NpyReader.Read(path, allowMissing: true);
            Assert.Equal(1, data.MissingCount);
            Assert.True(double.IsNaN(data[0, 1]));
            Assert.Equal(1, DataReader.Read(path, new CsvReadOptions { AllowMissing = true, Columns = ["2"] }).MissingCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_column_with_no_observed_value_is_refused_with_its_name()
    {
        var data = DataSet.WrapWithMissing([1.0, double.NaN, 2.0, double.NaN, 3.0, double.NaN], 2, ["a", "b"], "t.csv");
        var e = Assert.Throws<DataFormatException>(() => new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 1 }).Fit(data));
        Assert.Contains("'b'", e.Message);
    }

    /// <summary>log Σ_j π_j N(x_o | μ_jo, Σ_j,oo) by Gaussian elimination, independent of the library's algebra.</summary>
    private static double HandMarginalLogDensity(GaussianMixtureModel model, ReadOnlySpan<double> row)
    {
        var x = row.ToArray();
        var observed = Enumerable.Range(0, x.Length).Where(a => !double.IsNaN(x[a])).ToArray();
        int o = observed.Length;
        var means = model.Means;
        double total = 0;
        for (int j = 0; j < model.ComponentCount; j++)
        {
            var sigma = model.GetCovarianceMatrix(j);
            var a = new double[o, o + 1];
            for (int u = 0; u < o; u++)
            {
                for (int v = 0; v < o; v++)
                    a[u, v] = sigma[observed[u], observed[v]];
                a[u, o] = x[observed[u]] - means[j, observed[u]];
            }
            var diff = Enumerable.Range(0, o).Select(u => a[u, o]).ToArray();
            double logDet = 0;
            for (int p = 0; p < o; p++)
            {
                logDet += Math.Log(a[p, p]);
                for (int r = p + 1; r < o; r++)
                {
                    double f = a[r, p] / a[p, p];
                    for (int c = p; c <= o; c++)
                        a[r, c] -= f * a[p, c];
                }
            }
            var solution = new double[o];
            for (int u = o - 1; u >= 0; u--)
            {
                double s = a[u, o];
                for (int v = u + 1; v < o; v++)
                    s -= a[u, v] * solution[v];
                solution[u] = s / a[u, u];
            }
            double q = 0;
            for (int u = 0; u < o; u++)
                q += diff[u] * solution[u];
            total += model.Weights[j] * Math.Exp((-0.5 * o * Math.Log(2 * Math.PI)) - (0.5 * logDet) - (0.5 * q));
        }
        return Math.Log(total);
    }

    /// <summary>Root mean square distance between two models' means, components matched by the best permutation.</summary>
    internal static double MeansError(GaussianMixtureModel reference, GaussianMixtureModel model)
    {
        int k = reference.ComponentCount, d = reference.FeatureCount;
        var a = reference.Means;
        var b = model.Means;
        double best = double.PositiveInfinity;
        foreach (var permutation in Permutations(Enumerable.Range(0, k).ToArray()))
        {
            double sum = 0;
            for (int j = 0; j < k; j++)
                for (int c = 0; c < d; c++)
                    sum += Math.Pow(a[j, c] - b[permutation[j], c], 2);
            best = Math.Min(best, sum);
        }
        return Math.Sqrt(best / (k * d));
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }
        for (int i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, t) => t != i).ToArray();
            foreach (var tail in Permutations(rest))
                yield return [items[i], .. tail];
        }
    }

    internal static double[] ObservedColumnMeans(DataSet data)
    {
        int d = data.FeatureCount;
        var sum = new double[d];
        var count = new int[d];
        for (int cell = 0; cell < data.Values.Length; cell++)
        {
            if (double.IsNaN(data.Values[cell]))
                continue;
            sum[cell % d] += data.Values[cell];
            count[cell % d]++;
        }
        return Enumerable.Range(0, d).Select(a => sum[a] / count[a]).ToArray();
    }
}
