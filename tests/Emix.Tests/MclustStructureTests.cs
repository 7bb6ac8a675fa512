using System.Text.Json;
using Emix.Data;
using Emix.Families.Gaussian;

namespace Emix.Tests;

/// <summary>
/// The fourteen covariance structures (and E / V in one dimension) against mclust 6.0.0's <c>me()</c>
/// (tests/fixtures/mclust, see its README): the same hard start, the same number of M-steps, reg_covar 0.
/// mclust's 20 iterations are 20 M-steps, each followed by an E-step; Emix's MaxIterations = N makes N + 1
/// M-steps from InitialLabels, so N = mclust's iterations − 1, and mclust's loglik is that of the returned
/// parameters (its last E-step), here <see cref="MixtureModel.LogLikelihood"/> of the fitted model.
/// </summary>
public sealed class MclustStructureTests
{
    /// <summary>(data set, start, structure) for every me() fit, and whether it is a tight-inner run.</summary>
    private static IEnumerable<(string Data, int Case, string Code, bool Tight)> Cells()
    {
        foreach (var data in MclustFixtures.DataSets)
        {
            var cases = MclustFixtures.Json("me", data).GetProperty("cases");
            for (int c = 0; c < cases.GetArrayLength(); c++)
            {
                foreach (var fit in cases[c].GetProperty("fits").EnumerateObject())
                    yield return (data, c, fit.Name, false);
                if (cases[c].TryGetProperty("fits_tight_inner", out var tight) && tight.ValueKind == JsonValueKind.Object)
                    foreach (var fit in tight.EnumerateObject())
                        yield return (data, c, fit.Name, true);
            }
        }
    }

    public static TheoryData<string, int, string> PlainCells()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (d, c, code, tight) in Cells())
            if (!tight)
                data.Add(d, c, code);
        return data;
    }

    public static TheoryData<string, int, string> TightCells()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (d, c, code, tight) in Cells())
            if (tight)
                data.Add(d, c, code);
        return data;
    }

    [Theory]
    [MemberData(nameof(PlainCells))]
    public void MatchesMclustMe(string data, int start, string code) => Check(data, start, code, tight: false);

    [Theory]
    [MemberData(nameof(TightCells))]
    public void MatchesMclustMeWithTightInnerTolerance(string data, int start, string code) => Check(data, start, code, tight: true);

    /// <summary>The relative loglik difference and the largest parameter difference (relative above 1) of one cell.</summary>
    internal static (double LogLikelihood, double Parameters) Differences(string data, int start, string code, bool tight)
    {
        var (expected, model, set) = Run(data, start, code, tight);
        double ll = Math.Abs(model.LogLikelihood(set) - expected.GetProperty("loglik").GetDouble()) / Math.Abs(expected.GetProperty("loglik").GetDouble());
        double worst = 0;
        void Compare(double[] e, double[] a)
        {
            for (int i = 0; i < e.Length; i++)
                worst = Math.Max(worst, Math.Abs(e[i] - a[i]) / Math.Max(1, Math.Abs(e[i])));
        }
        Compare(Fixtures.Flat(expected.GetProperty("pro")), model.Weights);
        Compare(Fixtures.Flat(expected.GetProperty("mean")), Fixtures.Flatten(model.Means));
        Compare(Fixtures.Flat(expected.GetProperty("sigma")), Sigmas(model));
        return (ll, worst);
    }

    private static (JsonElement Expected, GaussianMixtureModel Model, DataSet Data) Run(string data, int start, string code, bool tight)
    {
        var fixture = MclustFixtures.Json("me", data);
        var @case = fixture.GetProperty("cases")[start];
        var expected = @case.GetProperty(tight ? "fits_tight_inner" : "fits").GetProperty(code);
        var control = fixture.GetProperty(tight ? "control_tight_inner" : "control");
        Assert.True(MixtureNames.TryParseCovarianceType(code, out var type), code);
        var labels = Fixtures.Ints(@case.GetProperty("labels")).Select(l => l - 1).ToArray();
        int k = @case.GetProperty("k").GetInt32();
        int iterations = expected.GetProperty("iterations").GetInt32();
        var set = MclustFixtures.Data(data);
        var model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = k,
            CovarianceType = type,
            InitialLabels = labels,
            MaxIterations = iterations - 1,
            Tolerance = 0,
            RegCovar = 0,
            InnerTolerance = control.GetProperty("tol")[1].GetDouble(),
        }).Fit(set);
        return (expected, model, set);
    }

    private static void Check(string data, int start, string code, bool tight)
    {
        var (expected, model, set) = Run(data, start, code, tight);
        int k = model.ComponentCount, d = model.FeatureCount;
        Assert.Equal(code.Length == 1 ? code : model.ModelCode, code);
        Assert.Equal(expected.GetProperty("nVarParams").GetInt64(), model.FreeParameterCount - ((long)k * d) - (k - 1));
        Close.Relative(expected.GetProperty("loglik").GetDouble(), model.LogLikelihood(set), MclustFixtures.LogLikelihoodTolerance, $"{data}/{start}/{code} loglik");
        Close.All(Fixtures.Flat(expected.GetProperty("pro")), model.Weights, MclustFixtures.ParameterTolerance, $"{data}/{start}/{code} pro");
        Close.All(Fixtures.Flat(expected.GetProperty("mean")), Fixtures.Flatten(model.Means), MclustFixtures.ParameterTolerance, $"{data}/{start}/{code} mean");
        Close.All(Fixtures.Flat(expected.GetProperty("sigma")), Sigmas(model), MclustFixtures.ParameterTolerance, $"{data}/{start}/{code} sigma");
        if (model.Parameters.Decomposition is { } decomposition)
            CheckDecomposition(expected.GetProperty("decomposition"), decomposition, $"{data}/{start}/{code}");
    }

    /// <summary>
    /// mclust's scale and shape (one value or array for the parts a structure holds equal, else one per
    /// component) against the decomposition the M-step left; orientations have arbitrary signs and are
    /// covered by sigma.
    /// </summary>
    private static void CheckDecomposition(JsonElement expected, CovarianceDecomposition actual, string what)
    {
        int k = actual.ComponentCount, d = actual.FeatureCount;
        var scale = Fixtures.Flat(expected.GetProperty("scale"));
        Close.All(scale.Length == 1 ? Enumerable.Repeat(scale[0], k).ToArray() : scale, actual.Scale, MclustFixtures.ParameterTolerance, what + " scale");
        if (!expected.TryGetProperty("shape", out var shapeElement))
            return;
        var shape = Fixtures.Flat(shapeElement);
        Close.All(shape.Length == d ? Enumerable.Range(0, k).SelectMany(_ => shape).ToArray() : shape, actual.Shape, MclustFixtures.ParameterTolerance, what + " shape");
    }

    private static double[] Sigmas(GaussianMixtureModel model) =>
        Enumerable.Range(0, model.ComponentCount).SelectMany(j => Fixtures.Flatten(model.GetCovarianceMatrix(j))).ToArray();
}
