using System.Globalization;
using System.Text.Json;
using Emix.Cli;
using Emix.Data;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Tests;

/// <summary>
/// The Student-t family (ECM of Peel and McLachlan 2000) against an independent NumPy/SciPy
/// implementation of the same algorithm (tests/fixtures/student_t, written by
/// make_student_t_fixtures.py), its robustness to gross outliers, bits, refusals and the CLI.
/// </summary>
public sealed class StudentTMixtureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-student-t-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static int[] Labels(string name) =>
        File.ReadLines(Fixtures.Path_($"student_t/{name}_labels.txt")).Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    private static DataSet Data(string name) =>
        CsvReader.Read(name == "faithful" ? Fixtures.Path_("data/faithful.csv") : Fixtures.Path_($"student_t/{name}.csv"));

    public static TheoryData<string> ReferenceRuns()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Fixtures.Path_("student_t"), "*_K*.json").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(path));
        return data;
    }

    /// <summary>The fit of <paramref name="fixture"/>'s run: its data, start labels, M-steps, structure and ν, reg_covar 0.</summary>
    private static StudentTMixtureModel FitAsFixture(string name, JsonElement fixture, KernelVariant kernel = KernelVariant.Auto)
    {
        var labels = Labels(name);
        var type = fixture.GetProperty("covariance_type").GetString() == "full" ? CovarianceType.Full : CovarianceType.Diagonal;
        double? fixedNu = fixture.GetProperty("fixed_df").ValueKind == JsonValueKind.Null ? null : fixture.GetProperty("fixed_df").GetDouble();
        var options = new StudentTMixtureOptions
        {
            ComponentCount = labels.Max() + 1, InitialLabels = labels, MaxIterations = fixture.GetProperty("m_steps").GetInt32() - 1, Tolerance = 0,
            CovarianceType = type, RegCovar = 0, DegreesOfFreedom = fixedNu, Kernel = kernel,
        };
        return new StudentTMixture(options).Fit(Data(name));
    }

    [Theory]
    [MemberData(nameof(ReferenceRuns))]
    public void From_the_same_labels_the_ecm_agrees_with_an_independent_implementation(string run)
    {
        var fixture = Fixtures.Json($"student_t/{run}.json");
        string name = run[..run.IndexOf('_', StringComparison.Ordinal)];
        var model = FitAsFixture(name, fixture);
        Close.All(Fixtures.Flat(fixture.GetProperty("weights")), model.Weights, 1e-7, $"{run}: weights");
        Close.All(Fixtures.Flat(fixture.GetProperty("means")), Fixtures.Flatten(model.Means), 1e-7, $"{run}: means");
        Close.All(Fixtures.Flat(fixture.GetProperty("scales")), model.Scales, 1e-7, $"{run}: scales");
        Close.All(Fixtures.Flat(fixture.GetProperty("degrees_of_freedom")), model.DegreesOfFreedom, 1e-6, $"{run}: degrees of freedom");
        Close.Relative(fixture.GetProperty("log_likelihood").GetDouble(), model.TrainingLogLikelihood!.Value, 1e-9, $"{run}: log-likelihood");
        if (fixture.TryGetProperty("u_final", out var u))
            Close.All(Fixtures.Flat(u), Fixtures.Flatten(model.TailWeights(Data(name))), 1e-7, $"{run}: u");
        if (fixture.GetProperty("m_steps").GetInt32() > 1)
        {
            // The lower bound of each iteration is the mean log-likelihood of the E-step before its CM-step.
            var history = Fixtures.Flat(fixture.GetProperty("log_likelihood_history")).Select(v => v / Data(name).RowCount).ToArray();
            Close.All(history, model.LowerBoundHistory.ToArray(), 1e-9, $"{run}: lower bound history");
        }
    }

    [Fact]
    public void A_component_whose_rows_look_gaussian_runs_to_the_upper_bound_of_nu_and_the_summary_says_so()
    {
        // The reference meets its 1e-10 rule at M-step 7837; near the end the log-likelihood changes by a factor 0.9986 a
        // step, so a different order of summation stops a few steps apart: compare the bound and the parameters loosely.
        var fixture = Fixtures.Json("student_t/outliers_full_converged_max10000.json");
        var model = FitAsFixture("outliers", fixture);
        Assert.Equal(1000, model.DegreesOfFreedom[1]);
        Close.All(Fixtures.Flat(fixture.GetProperty("means")), Fixtures.Flatten(model.Means), 1e-5, "means");
        Close.All(Fixtures.Flat(fixture.GetProperty("degrees_of_freedom")), model.DegreesOfFreedom, 1e-4, "degrees of freedom");
        Assert.Contains("Component 1: ν at the bound 1000", model.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void With_five_percent_gross_outliers_the_t_means_are_closer_to_the_truth_than_the_gaussian_ones_and_the_outliers_get_the_lowest_u()
    {
        var truth = Fixtures.Json("student_t/outliers_truth.json");
        var trueMeans = Fixtures.Flat(truth.GetProperty("true_means"));
        var isOutlier = Fixtures.Ints(truth.GetProperty("outlier"));
        var data = Data("outliers");
        var labels = Labels("outliers");
        var t = new StudentTMixture(new() { ComponentCount = 3, InitialLabels = labels, Tolerance = 1e-8, MaxIterations = 2000 }).Fit(data);
        var gaussian = new GaussianMixture(new() { ComponentCount = 3, InitialLabels = labels, Tolerance = 1e-8, MaxIterations = 2000 }).Fit(data);
        double tError = MeanError(Fixtures.Flatten(t.Means), trueMeans), gaussianError = MeanError(Fixtures.Flatten(gaussian.Means), trueMeans);
        Assert.True(tError < gaussianError / 2, $"largest distance of a fitted mean from its true mean: student-t {tError:G4}, gaussian {gaussianError:G4}");

        var scores = t.OutlierScores(data);
        int outliers = isOutlier.Sum();
        var lowest = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).Take(outliers).ToArray();
        int caught = lowest.Count(i => isOutlier[i] == 1);
        // A few of the uniform outliers fall inside a cluster, where they are not outliers at all.
        Assert.True(caught >= 0.8 * outliers, $"{caught} of the {outliers} lowest outlier scores are the planted outliers");
        double cleanMedian = Median(scores.Where((_, i) => isOutlier[i] == 0)), outlierMedian = Median(scores.Where((_, i) => isOutlier[i] == 1));
        Assert.True(outlierMedian < cleanMedian / 3, $"median score: outliers {outlierMedian:G4}, clean rows {cleanMedian:G4}");
    }

    /// <summary>The largest distance between a true mean and the fitted mean nearest to it (2-D).</summary>
    private static double MeanError(double[] fitted, double[] truth)
    {
        double worst = 0;
        for (int t = 0; t < truth.Length / 2; t++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < fitted.Length / 2; j++)
                best = Math.Min(best, Math.Sqrt(Math.Pow(fitted[2 * j] - truth[2 * t], 2) + Math.Pow(fitted[(2 * j) + 1] - truth[(2 * t) + 1], 2)));
            worst = Math.Max(worst, best);
        }
        return worst;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    [Theory]
    [InlineData("outliers_full_K21")]
    [InlineData("crabs_diag_K21")]
    public void Every_kernel_variant_agrees_with_the_scalar_reference(string run)
    {
        var fixture = Fixtures.Json($"student_t/{run}.json");
        string name = run[..run.IndexOf('_', StringComparison.Ordinal)];
        var scalar = FitAsFixture(name, fixture, KernelVariant.Scalar);
        foreach (var variant in KernelSelector.Supported)
        {
            var model = FitAsFixture(name, fixture, variant);
            Close.All(scalar.Scales, model.Scales, 1e-10, $"{variant}: scales");
            Close.All(scalar.DegreesOfFreedom, model.DegreesOfFreedom, 1e-9, $"{variant}: degrees of freedom");
            Close.Relative(scalar.TrainingLogLikelihood!.Value, model.TrainingLogLikelihood!.Value, 1e-12, $"{variant}: log-likelihood");
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void The_bits_do_not_depend_on_threads_or_streaming_and_the_model_file_round_trips(CovarianceType type)
    {
        var data = StudentTMixtureModel.Create(type, [0.5, 0.5], new double[,] { { 0, 0, 0 }, { 4, 1, -2 } },
            type == CovarianceType.Full ? [1, 0.3, 0, 0.3, 1, 0.2, 0, 0.2, 2, 2, 0, 0, 0, 1, 0, 0, 0, 1] : [1, 1, 2, 2, 1, 1], [3, 8]).Sample(30_000, seed: 4).Data;
        string path = Path.Combine(_folder, "t.npy");
        NpyWriter.Write(path, data);
        var options = new StudentTMixtureOptions { ComponentCount = 2, CovarianceType = type, Seed = 3, Tolerance = 0, MaxIterations = 12, MaxDegreeOfParallelism = 1 };
        var one = new StudentTMixture(options).Fit(data);
        Assert.Equal(TestData.Bits(one), TestData.Bits(new StudentTMixture(options with { MaxDegreeOfParallelism = 2 }).Fit(data)));
        using (var streamed = NpyFileRows.Open(path))
            Assert.Equal(TestData.Bits(one), TestData.Bits(new StudentTMixture(options).Fit(streamed)));
        string file = Path.Combine(_folder, "model.json");
        one.Save(file);
        var loaded = Assert.IsType<StudentTMixtureModel>(MixtureModel.LoadAny(file));
        Assert.Equal(TestData.Bits(one), TestData.Bits(loaded));
        Assert.Equal(one.DegreesOfFreedom, loaded.DegreesOfFreedom);
        Assert.Equal(one.ScoreSamples(data), loaded.ScoreSamples(data));
        Assert.Contains("\"format\": \"emix-student-t-mixture\"", File.ReadAllText(file), StringComparison.Ordinal);
        // Converged, the fitted ν lands near the ν the rows were drawn with.
        var converged = new StudentTMixture(options with { Tolerance = 1e-9, MaxIterations = 1000, MaxDegreeOfParallelism = null }).Fit(data);
        Assert.True(converged.Converged);
        var sorted = converged.DegreesOfFreedom.Order().ToArray();
        Assert.InRange(sorted[0], 2.2, 4.2);
        Assert.InRange(sorted[1], 5, 13);
    }

    [Fact]
    public void Densities_are_multivariate_t_densities_and_fixed_nu_is_not_a_free_parameter()
    {
        var model = StudentTMixtureModel.Create(CovarianceType.Full, [0.3, 0.7], new double[,] { { 0, 1 }, { 2, -1 } }, [2, 0.5, 0.5, 1, 1, 0, 0, 3], [2.5, 7]);
        var data = DataSet.FromRows([[0.3, 0.2], [5, 5], [-1, 2]]);
        var scores = model.ScoreSamples(data);
        for (int i = 0; i < 3; i++)
        {
            double p = 0.3 * T(data[i, 0], data[i, 1], 0, 1, 2, 0.5, 1, 2.5) + (0.7 * T(data[i, 0], data[i, 1], 2, -1, 1, 0, 3, 7));
            Close.Relative(Math.Log(p), scores[i], 1e-13, $"log p(x_{i})");
        }
        Assert.Equal(13, model.FreeParameterCount);
        var fixedNu = StudentTMixtureModel.Create(CovarianceType.Diagonal, [1], new double[,] { { 0, 0 } }, [1, 1], [4], degreesOfFreedomFixed: true);
        Assert.Equal(4, fixedNu.FreeParameterCount);

        // The bivariate t density with scale [[a, b], [b, c]], written out.
        static double T(double x, double y, double mx, double my, double a, double b, double c, double nu)
        {
            double det = (a * c) - (b * b), dx = x - mx, dy = y - my;
            double delta = ((c * dx * dx) - (2 * b * dx * dy) + (a * dy * dy)) / det;
            return Math.Exp(Internals.SpecialFunctions.LogGamma((nu + 2) / 2) - Internals.SpecialFunctions.LogGamma(nu / 2))
                / (nu * Math.PI * Math.Sqrt(det)) * Math.Pow(1 + (delta / nu), -(nu + 2) / 2);
        }
    }

    [Fact]
    public void A_constant_column_without_regularisation_is_refused_with_file_column_and_value()
    {
        string path = Path.Combine(_folder, "constant.csv");
        File.WriteAllLines(path, ["a,b", .. Enumerable.Range(0, 20).Select(i => $"{i * 0.37},2.5")]);
        string model = Path.Combine(_folder, "m.json");
        var stderr = new StringWriter();
        int code = EmixApp.Run(["fit", path, "-k", "2", "--family", "student-t", "--reg-covar", "0", "-o", model], new StringWriter(), stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{path}: column 2 ('b') is 2.5 in every one of its 20 rows", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(model));
        // With the default regularisation the column is a tiny scale, not an error.
        Assert.Equal(0, EmixApp.Run(["fit", path, "-k", "2", "--family", "student-t", "-o", model], new StringWriter(), new StringWriter()));
    }

    [Fact]
    public void The_cli_fits_with_fixed_or_estimated_nu_and_predicts_infos_and_samples()
    {
        string data = Fixtures.Path_("data/faithful.csv");
        string model = Path.Combine(_folder, "t.json");
        var stdout = new StringWriter();
        Assert.Equal(0, EmixApp.Run(["fit", data, "-k", "2", "--family", "student-t", "--df", "4", "-o", model, "--json"], stdout, new StringWriter()));
        Assert.Contains("\"family\":\"student-t\"", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"n_parameters\":11", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal([4.0, 4.0], StudentTMixtureModel.Load(model).DegreesOfFreedom);
        stdout = new StringWriter();
        Assert.Equal(0, EmixApp.Run(["fit", data, "-k", "2", "--family", "student-t", "--covariance", "diag", "--df-init", "10", "--max-iter", "0", "-o", model], stdout, new StringWriter()));
        Assert.Equal([10.0, 10.0], StudentTMixtureModel.Load(model).DegreesOfFreedom);
        foreach (var args in new[] { new[] { "info", model }, ["predict", model, data], ["predict", model, data, "--proba"], ["sample", model, "-n", "4"] })
            Assert.True(EmixApp.Run(args, new StringWriter(), new StringWriter()) == 0, string.Join(' ', args));
        foreach (var (args, message) in new[]
        {
            (new[] { "fit", data, "--family", "student-t", "--covariance", "tied" }, "full or diag"),
            (["fit", data, "--df", "4"], "--df applies to the student-t family only"),
            (["fit", data, "--family", "student-t", "--online"], "not available for --family student-t"),
        })
        {
            var stderr = new StringWriter();
            Assert.NotEqual(0, EmixApp.Run(args, new StringWriter(), stderr));
            Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
        }
    }
}
