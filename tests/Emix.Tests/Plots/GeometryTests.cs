using Emix.Plots;

namespace Emix.Tests.Plots;

/// <summary>The shapes drawn: contour lines, covariance ellipses and marginal mixtures.</summary>
public class GeometryTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Marching_squares_traces_a_circle_as_one_closed_line()
    {
        var x = Enumerable.Range(0, 81).Select(i => -2 + (i * 0.05)).ToArray();
        var y = Enumerable.Range(0, 61).Select(i => -1.5 + (i * 0.05)).ToArray();
        var z = new double[x.Length, y.Length];
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < y.Length; j++)
                z[i, j] = -((x[i] * x[i]) + (y[j] * y[j]));
        var lines = MarchingSquares.Contours(x, y, z, -1); // the unit circle
        var line = Assert.Single(lines);
        Assert.Equal(line.X[0], line.X[^1]);
        Assert.Equal(line.Y[0], line.Y[^1]);
        Assert.True(line.X.Length > 60);
        for (int p = 0; p < line.X.Length; p++)
            Assert.InRange(Math.Sqrt((line.X[p] * line.X[p]) + (line.Y[p] * line.Y[p])), 0.995, 1.005);
    }

    [Fact]
    public void Marching_squares_gives_open_lines_at_the_grid_edge_and_separate_lines_for_separate_hills()
    {
        var x = Enumerable.Range(0, 101).Select(i => i * 0.1).ToArray();
        var y = Enumerable.Range(0, 21).Select(i => i * 0.1).ToArray();
        var z = new double[x.Length, y.Length];
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < y.Length; j++)
                z[i, j] = Math.Exp(-Math.Pow(x[i] - 2, 2) - Math.Pow(y[j] - 1, 2)) + Math.Exp(-Math.Pow(x[i] - 8, 2) - Math.Pow(y[j] - 1, 2));
        Assert.Equal(2, MarchingSquares.Contours(x, y, z, 0.5).Count);
        // A straight level line across the grid: z = x, level 5.05 is crossed once per row of cells.
        var ramp = new double[x.Length, y.Length];
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < y.Length; j++)
                ramp[i, j] = x[i];
        var line = Assert.Single(MarchingSquares.Contours(x, y, ramp, 5.05));
        Assert.Equal(y.Length, line.X.Length);
        Assert.All(line.X, v => Assert.Equal(5.05, v, Tolerance));
    }

    [Fact]
    public void Ellipse_points_lie_at_the_requested_mahalanobis_distance()
    {
        double sxx = 4, sxy = 1.5, syy = 1;
        double det = (sxx * syy) - (sxy * sxy);
        foreach (double r in new[] { 1.0, 2.0 })
        {
            var (ex, ey) = Geometry.Ellipse(3, -1, sxx, sxy, syy, r);
            for (int p = 0; p < ex.Length; p++)
            {
                double dx = ex[p] - 3, dy = ey[p] + 1;
                double m2 = ((syy * dx * dx) - (2 * sxy * dx * dy) + (sxx * dy * dy)) / det;
                Assert.Equal(r, Math.Sqrt(m2), 1e-9);
            }
        }
    }

    [Fact]
    public void The_marginal_mixture_keeps_weights_and_takes_the_blocks_of_the_chosen_columns()
    {
        var data = Fixtures.Data("iris");
        foreach (var type in TestData.AllTypes)
        {
            var model = new GaussianMixture(new() { ComponentCount = 2, CovarianceType = type }).Fit(data);
            var marginal = Geometry.Marginal(model, [3, 1]);
            Assert.Equal(model.Weights, marginal.Weights);
            Assert.Equal(["petal_width", "sepal_width"], marginal.FeatureNames);
            for (int j = 0; j < 2; j++)
            {
                var full = model.GetCovarianceMatrix(j);
                var block = marginal.GetCovarianceMatrix(j);
                Assert.Equal(full[3, 3], block[0, 0]);
                Assert.Equal(full[3, 1], block[0, 1]);
                Assert.Equal(full[1, 1], block[1, 1]);
                Assert.Equal(model.Means[j, 3], marginal.Means[j, 0]);
            }
        }
    }

    [Fact]
    public void Freedman_diaconis_bins_stay_in_range()
    {
        var sorted = Enumerable.Range(0, 10_000).Select(i => (double)i).ToArray();
        Assert.InRange(Geometry.FreedmanDiaconisBins(sorted), 15, 100);
        Assert.Equal(15, Geometry.FreedmanDiaconisBins([1, 1, 1]));
    }
}
