using Emix.Engine;
using Emix.Families.Gaussian;
using Emix.Families.Gaussian.Kernels;
using Emix.Statistics;

namespace Emix.Tests;

/// <summary>
/// Sufficient statistics as one value: gathered around one centre and re-centred, they equal those
/// gathered around the other (to rounding); halves add up to the whole; scaling scales everything.
/// </summary>
public sealed class StatisticsTests
{
    private static (GaussianParameters P, GaussianFamily Family, DataSet Data) Setup(CovarianceType type, double shift)
    {
        var data = TestData.Blobs(2_000, d: 3);
        var model = new GaussianMixture(new() { ComponentCount = 3, CovarianceType = type, MaxIterations = 2, Tolerance = 0 }).Fit(data);
        var p = model.Parameters;
        var moved = p.Means.Select(m => m + shift).ToArray();
        var q = GaussianParameters.Create(p.Structure, 3, 3, p.Weights, moved, p.Covariances);
        return (q, GaussianFamily.For(KernelSelector.Create(KernelVariant.Scalar), data), data);
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Re_centred_statistics_equal_those_gathered_around_the_new_centres(CovarianceType type)
    {
        var (p, family, data) = Setup(type, 0.37);
        var around = Passes.EStep(family, data, p, 1024, 1, default);
        // The kernels gather around the E-step's means only; around other centres, the same
        // responsibilities go through the scalar accumulation of given responsibilities.
        var resp = Responsibilities(family, data, p);
        var layout = (GaussianStatisticsLayout)family.Layout(p);
        var centres = p.Means.Select((m, i) => m - (0.5 * (i + 1))).ToArray();
        var direct = Gather(p.Structure, layout, data, resp, centres);
        var fromMeans = Gather(p.Structure, layout, data, resp, p.Means);
        Close.All(around.Values.Skip(1).ToArray(), fromMeans.Values.Skip(1).ToArray(), 1e-9, "kernel vs scalar accumulation");

        fromMeans.RecentreTo(centres);
        Assert.Equal(centres, fromMeans.Centres);
        for (int i = 1; i < direct.Values.Length; i++)
            Close.One(direct.Values[i], fromMeans.Values[i], 1e-10 * Math.Max(1, Math.Abs(direct.Values[i])), $"statistic {i}");
    }

    [Theory]
    [MemberData(nameof(TestData.Types), MemberType = typeof(TestData))]
    public void Halves_around_different_centres_add_up_to_the_whole_and_scale(CovarianceType type)
    {
        var (p, family, data) = Setup(type, 0);
        var resp = Responsibilities(family, data, p);
        var layout = (GaussianStatisticsLayout)family.Layout(p);
        int half = data.RowCount / 2, k = 3, d = 3;
        var first = DataSet.FromRowMajor(data.Values[..(half * d)], d);
        var second = DataSet.FromRowMajor(data.Values[(half * d)..], d);
        var other = p.Means.Select(m => m * 1.5).ToArray();
        var whole = Gather(p.Structure, layout, data, resp, p.Means);
        var a = Gather(p.Structure, layout, first, resp[..(half * k)], p.Means);
        var b = Gather(p.Structure, layout, second, resp[(half * k)..], other);
        a.Add(b);
        for (int i = 1; i < whole.Values.Length; i++)
            Close.One(whole.Values[i], a.Values[i], 1e-10 * Math.Max(1, Math.Abs(whole.Values[i])), $"statistic {i}");

        var scaled = whole.Copy();
        scaled.Scale(0.25);
        for (int i = 0; i < whole.Values.Length; i++)
            Assert.Equal(whole.Values[i] * 0.25, scaled.Values[i]);
        var zero = MixtureStatistics.Zero(layout, p.Means);
        zero.Add(whole);
        Assert.Equal(whole.Values, zero.Values);
    }

    [Fact]
    public void Statistics_of_different_layouts_do_not_add()
    {
        var full = new GaussianStatisticsLayout(CovarianceStructure.For(CovarianceType.Full), 2, 2);
        var diag = new GaussianStatisticsLayout(CovarianceStructure.For(CovarianceType.Diagonal), 2, 2);
        var a = MixtureStatistics.Zero(full, new double[4]);
        Assert.Throws<ArgumentException>(() => a.Add(MixtureStatistics.Zero(diag, new double[4])));
        Assert.Throws<ArgumentException>(() => MixtureStatistics.Zero(full, new double[3]));
    }

    private static double[] Responsibilities(GaussianFamily family, DataSet data, GaussianParameters p)
    {
        var resp = new double[data.RowCount * 3];
        Passes.Evaluate(family, data, p, 1, (start, n, logResp, _) =>
        {
            for (int i = 0; i < n * 3; i++)
                resp[(start * 3) + i] = Math.Exp(logResp[i]);
        });
        return resp;
    }

    private static MixtureStatistics Gather(CovarianceStructure structure, GaussianStatisticsLayout layout, DataSet data, double[] resp, double[] centres)
    {
        var statistics = MixtureStatistics.Zero(layout, centres);
        GaussianEm.AccumulateChunk(structure, layout, data.Values, data.RowCount, resp, centres, statistics.Values, new double[data.FeatureCount]);
        return statistics;
    }
}
