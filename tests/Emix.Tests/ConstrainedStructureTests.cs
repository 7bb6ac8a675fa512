using System.Text.Json;
using Emix.Cli;
using Emix.Data;
using Emix.Serialization;

namespace Emix.Tests;

/// <summary>The ten constrained structures beyond mclust agreement: model files, names, the CLI and options.</summary>
public sealed class ConstrainedStructureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-structures-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static string Iris => Fixtures.Path_("data/iris.csv");

    private static readonly string[] NewCodes = ["EII", "EEI", "VEI", "EVI", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV"];

    public static TheoryData<string> Codes() => new(NewCodes);

    private static GaussianMixtureModel FitIris(string code, DataSet data) =>
        new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 3,
            CovarianceType = Parse(code),
            Seed = 3,
            MaxIterations = 30,
        }).Fit(data);

    private static CovarianceType Parse(string code)
    {
        Assert.True(MixtureNames.TryParseCovarianceType(code, out var type), code);
        return type;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void ModelFileStoresTheCodeFullMatricesAndDecompositionAndPredictsTheSameBits(string code)
    {
        var data = CsvReader.Read(Iris);
        var model = FitIris(code, data);
        string path = Path.Combine(_folder, code + ".json");
        model.Save(path);

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Assert.Equal(code, root.GetProperty("covariance_type").GetString());
        var covariances = root.GetProperty("covariances");
        Assert.Equal(3, covariances.GetArrayLength());
        Assert.All(covariances.EnumerateArray(), m => Assert.Equal(4, m.GetArrayLength()));
        Assert.All(covariances.EnumerateArray(), m => Assert.All(m.EnumerateArray(), row => Assert.Equal(4, row.GetArrayLength())));
        var decomposition = root.GetProperty("decomposition");
        var scale = Fixtures.Flat(decomposition.GetProperty("scale"));
        var shape = Fixtures.Flat(decomposition.GetProperty("shape"));
        Assert.Equal(3, scale.Length);
        Assert.Equal(12, shape.Length);
        bool ellipsoidal = code[2] != 'I';
        Assert.Equal(ellipsoidal, decomposition.TryGetProperty("orientation", out var orientation));
        // Σ_j = λ_j·D_j·diag(a_j)·D_jᵀ reproduces the stored matrices, and the parts the code holds equal are equal.
        var o = ellipsoidal ? Fixtures.Flat(orientation) : null;
        for (int j = 0; j < 3; j++)
        {
            var sigma = model.GetCovarianceMatrix(j);
            for (int a = 0; a < 4; a++)
            {
                for (int b = 0; b < 4; b++)
                {
                    double expected = 0;
                    for (int i = 0; i < 4; i++)
                        expected += (o is null ? (a == i ? 1 : 0) * (b == i ? 1 : 0) : o[(j * 16) + (a * 4) + i] * o[(j * 16) + (b * 4) + i]) * shape[(j * 4) + i];
                    Assert.Equal(scale[j] * expected, sigma[a, b], 1e-12 * Math.Max(1, Math.Abs(sigma[a, a])));
                }
            }
            Assert.Equal(1, shape.Skip(j * 4).Take(4).Aggregate(1.0, (p, v) => p * v), 1e-12);
            if (code[0] == 'E')
                Assert.Equal(scale[0], scale[j], 1e-14 * scale[0]);
            if (code[1] == 'E' || code[1] == 'I')
                for (int a = 0; a < 4; a++)
                    Assert.Equal(shape[a], shape[(j * 4) + a], 1e-12);
        }

        var loaded = ModelFile.Load(path);
        Assert.Equal(Parse(code), loaded.CovarianceType);
        Assert.Equal(code, loaded.ModelCode);
        Assert.Equal(model.Covariances, loaded.Covariances);
        Assert.Equal(model.ScoreSamples(data), loaded.ScoreSamples(data));
        Assert.Equal(model.PredictProbabilities(data).Cast<double>(), loaded.PredictProbabilities(data).Cast<double>());
        // Saved again, the file is the same bytes.
        string again = Path.Combine(_folder, code + "-again.json");
        loaded.Save(again);
        Assert.Equal(File.ReadAllText(path), File.ReadAllText(again));
    }

    [Fact]
    public void WarmStartFromALoadedModelContinuesAsTheUninterruptedFit()
    {
        // The decomposition in the file is where the inner iterations carry on: 5 + 5 iterations equal 10.
        var data = CsvReader.Read(Iris);
        var labels = Enumerable.Range(0, 150).Select(i => i / 50).ToArray();
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = CovarianceType.EllipsoidalEqualShape, InitialLabels = labels, Tolerance = 0, RegCovar = 0, MaxIterations = 9 };
        var whole = new GaussianMixture(options).Fit(data);
        var half = new GaussianMixture(options with { MaxIterations = 4 }).Fit(data);
        string path = Path.Combine(_folder, "half.json");
        half.Save(path);
        var resumed = new GaussianMixture(options with { MaxIterations = 5, InitialLabels = null }).Fit(data, ModelFile.Load(path));
        Assert.Equal(whole.Covariances, resumed.Covariances);
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void LowerBoundRisesExceptForVveUpToTheInnerTolerance(string code)
    {
        // VVE's mclust M-step orients without the volumes, so its bound may fall (docs/covariance-structures.md).
        var data = TestData.Blobs();
        var model = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = Parse(code), Init = InitMethod.Random, Seed = 11, Tolerance = 0, MaxIterations = 40 }).Fit(data);
        var history = model.LowerBoundHistory;
        Assert.Equal(40, history.Count);
        if (code == "VVE")
            return;
        for (int i = 1; i < history.Count; i++)
            Assert.True(history[i] >= history[i - 1] - 1e-9, $"{code} iteration {i + 1}: {history[i - 1]:R} to {history[i]:R}");
    }

    [Fact]
    public void NamesAreWholeWordsWithTheCodeBeside()
    {
        Assert.Equal(14, MixtureNames.AllCovarianceTypes.Count);
        Assert.Equal(["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"],
            MixtureNames.AllCovarianceTypes.Select(t => t.ToMclustCode()));
        Assert.Equal(CovarianceType.EllipsoidalEqualShape, Parse("vev"));
        Assert.Equal(CovarianceType.DiagonalVariableVolume, Parse(" Vei "));
        Assert.Equal(CovarianceType.Full, Parse("V"));
        Assert.Equal(CovarianceType.Tied, Parse("e"));
        Assert.False(MixtureNames.TryParseCovarianceType("VVX", out _));
        // The four of round one keep their names and model-selection defaults.
        Assert.Equal([CovarianceType.Spherical, CovarianceType.Diagonal, CovarianceType.Tied, CovarianceType.Full], MixtureNames.CovarianceTypes);
        Assert.Equal("diag", CovarianceType.Diagonal.ToScikitName());
        Assert.Equal("EVV", CovarianceType.EllipsoidalEqualVolume.ToScikitName());
    }

    [Fact]
    public void TighterInnerToleranceIteratesMoreAndStaysClose()
    {
        var data = CsvReader.Read(Iris);
        var labels = Enumerable.Range(0, 150).Select(i => i / 50).ToArray();
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = CovarianceType.EllipsoidalVariableShape, InitialLabels = labels, Tolerance = 0, RegCovar = 0, MaxIterations = 5 };
        var loose = new GaussianMixture(options with { InnerTolerance = 1e-3 }).Fit(data);
        var tight = new GaussianMixture(options with { InnerTolerance = 1e-13 }).Fit(data);
        var plain = new GaussianMixture(options).Fit(data);
        var one = new GaussianMixture(options with { MaxInnerIterations = 1 }).Fit(data);
        Assert.NotEqual(loose.Covariances, tight.Covariances);
        Assert.NotEqual(one.Covariances, tight.Covariances);
        // The default √ε lies between: closer to the tight fit than 1e-3 is.
        double tightLogLikelihood = tight.LogLikelihood(data);
        Assert.True(Math.Abs(plain.LogLikelihood(data) - tightLogLikelihood) < Math.Abs(loose.LogLikelihood(data) - tightLogLikelihood) / 100);
        Assert.Throws<ArgumentException>(() => new GaussianMixture(options with { InnerTolerance = -1 }).Fit(data));
        Assert.Throws<ArgumentException>(() => new GaussianMixture(options with { MaxInnerIterations = -1 }).Fit(data));
    }

    [Fact]
    public void ThreadCountDoesNotChangeTheBits()
    {
        var data = CsvReader.Read(Iris);
        var options = new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = CovarianceType.EllipsoidalEqualOrientation, Seed = 5, ChunkRows = 16 };
        var one = new GaussianMixture(options with { MaxDegreeOfParallelism = 1 }).Fit(data);
        var four = new GaussianMixture(options with { MaxDegreeOfParallelism = 4 }).Fit(data);
        Assert.Equal(one.Covariances, four.Covariances);
        Assert.Equal(one.LowerBound, four.LowerBound);
    }

    [Fact]
    public void VariationalAndFrozenCovariancesRefuseTheConstrainedStructures()
    {
        var data = CsvReader.Read(Iris);
        Assert.Throws<ArgumentException>(() => new VariationalGaussianMixture(new VariationalGaussianMixtureOptions { ComponentCount = 2, CovarianceType = CovarianceType.EllipsoidalEqualShape }).Fit(data));
        var e = Assert.Throws<ArgumentException>(() => new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = CovarianceType.DiagonalEqual,
            InitialParameters = new InitialParameters { Covariances = new double[8] },
            Frozen = FrozenParameters.All(ParameterKinds.Covariances),
        }.Validate());
        Assert.Contains("frozen covariances", e.Message);
    }

    private sealed record Outcome(int ExitCode, string Out, string Error);

    private static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void CliFitsVevCaseInsensitivelyAndWritesTheCode()
    {
        string model = Path.Combine(_folder, "vev.json");
        var fit = Run("fit", Iris, "-k", "2", "--covariance", "vev", "--inner-tol", "1e-10", "-o", model);
        Assert.Equal(ExitCodes.Success, fit.ExitCode);
        Assert.Contains("VEV", fit.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(model));
        Assert.Equal("VEV", doc.RootElement.GetProperty("covariance_type").GetString());
        Assert.Equal(1e-10, doc.RootElement.GetProperty("fit").GetProperty("options").GetProperty("inner_tolerance").GetDouble());
        var predict = Run("predict", model, Iris);
        Assert.Equal(ExitCodes.Success, predict.ExitCode);
    }

    [Fact]
    public void CliStartsFromAConstrainedModelFileAsInitialParameters()
    {
        string model = Path.Combine(_folder, "eei.json");
        Assert.Equal(ExitCodes.Success, Run("fit", Iris, "-k", "3", "--covariance", "EEI", "-o", model).ExitCode);
        string again = Path.Combine(_folder, "eei-again.json");
        var fit = Run("fit", Iris, "-k", "3", "--covariance", "eei", "--init-params", model, "-o", again);
        Assert.Equal(ExitCodes.Success, fit.ExitCode);
        Assert.Equal("EEI", ModelFile.Load(again).ModelCode);
        // Off-diagonal values are refused for a diagonal structure, naming the cell (exit 3).
        string bad = File.ReadAllText(model).Replace("\"covariances\": [[[", "\"covariances\": [[[", StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(bad);
        var covariances = doc.RootElement.GetProperty("covariances").EnumerateArray().Select(m => m.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray()).ToArray();
        covariances[0][0][1] = 0.01;
        covariances[0][1][0] = 0.01;
        string badPath = Path.Combine(_folder, "bad.json");
        File.WriteAllText(badPath, JsonSerializer.Serialize(new { weights = new[] { 0.3, 0.3, 0.4 }, covariances }));
        var refused = Run("fit", Iris, "-k", "3", "--covariance", "EEI", "--init-params", badPath);
        Assert.Equal(ExitCodes.BadInput, refused.ExitCode);
        Assert.Contains("covariances[0][0][1]", refused.Error);
    }

    [Fact]
    public void CliSelectFitsTheGivenCodesInMclustsOrder()
    {
        string table = Path.Combine(_folder, "table.csv");
        var select = Run("select", Iris, "-k", "1..2", "--covariance", "vev,full,EII", "--table", table, "-q");
        Assert.Equal(ExitCodes.Success, select.ExitCode);
        var models = File.ReadAllLines(table).Skip(1).Select(line => line.Split(',')[2]).ToArray();
        Assert.Equal(["EII", "VEV", "VVV", "EII", "VEV", "VVV"], models);
        // iris, k = 2, VEV: 2 + 3 + 2·6 covariance parameters, 8 means, 1 weight.
        var vev2 = File.ReadAllLines(table).Single(line => line.StartsWith("2,", StringComparison.Ordinal) && line.Contains(",VEV,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("26", vev2[7]);
    }

    [Fact]
    public void CliRefusesAnUnknownCodeListingTheValidOnes()
    {
        var fit = Run("fit", Iris, "-k", "2", "--covariance", "VVX");
        Assert.Equal(ExitCodes.Usage, fit.ExitCode);
        foreach (var name in MixtureNames.CovarianceTypeNames)
            Assert.Contains(name, fit.Error);
        Assert.Equal("", fit.Out);
    }

    [Fact]
    public void CliRefusesABadInnerTolerance()
    {
        var fit = Run("fit", Iris, "-k", "2", "--covariance", "EVE", "--inner-tol", "-1");
        Assert.Equal(ExitCodes.Usage, fit.ExitCode);
        Assert.Contains("--inner-tol", fit.Error);
    }
}
