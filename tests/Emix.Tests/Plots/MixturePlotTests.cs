using Emix.Plots;
using SkiaSharp;

namespace Emix.Tests.Plots;

/// <summary>
/// Every view renders a PNG of the requested size with ink on it, for the iris and Old Faithful data
/// and the tutorial's one-column data; text is drawn (the fonts are installed and found).
/// </summary>
public class MixturePlotTests
{
    private static readonly Lazy<(DataSet Data, GaussianMixtureModel Model)> s_iris = new(() =>
    {
        var data = Fixtures.Data("iris");
        return (data, new GaussianMixture(new() { ComponentCount = 3 }).Fit(data));
    });

    private static readonly Lazy<(DataSet Data, GaussianMixtureModel Model)> s_faithful = new(() =>
    {
        var data = Fixtures.Data("faithful");
        return (data, new GaussianMixture(new() { ComponentCount = 2 }).Fit(data));
    });

    public static TheoryData<string, PlotKind, int[]?> Views()
    {
        var views = new TheoryData<string, PlotKind, int[]?>();
        foreach (var kind in Enum.GetValues<PlotKind>())
        {
            views.Add("iris", kind, null);        // pairs grid
            views.Add("iris", kind, [2, 3]);      // one panel of two columns of a 4-column model
            views.Add("faithful", kind, null);    // two columns
            views.Add("faithful", kind, [1]);     // one column
        }
        return views;
    }

    [Theory]
    [MemberData(nameof(Views))]
    public void Every_view_renders_a_png_of_the_requested_size_with_ink(string name, PlotKind kind, int[]? columns)
    {
        var (data, model) = name == "iris" ? s_iris.Value : s_faithful.Value;
        var png = MixturePlot.Draw(kind, data, model, new PlotOptions { Columns = columns }).ToPng();
        Assert.Equal((800, 600), Png.Size(png));
        int inked = Png.Inked(png);
        Assert.True(inked > 800 * 600 / 50, $"only {inked} non-background pixels");
    }

    [Fact]
    public void The_requested_size_is_the_size_written()
    {
        var (data, model) = s_faithful.Value;
        var png = MixturePlot.Classification(data, model, new PlotOptions { Width = 1200, Height = 500 }).ToPng();
        Assert.Equal((1200, 500), Png.Size(png));
    }

    /// <summary>
    /// A plain `dotnet test` on a machine without fonts skips the text checks (SkiaSharp would draw
    /// no text and report no error); .ci/run installs fonts-dejavu-core, and there they must pass.
    /// </summary>
    private static void SkipWithoutFonts()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("EMIX_PACKAGES") is not null;
        bool fonts = Directory.Exists("/usr/share/fonts") && Directory.EnumerateFiles("/usr/share/fonts", "DejaVuSans*.ttf", SearchOption.AllDirectories).Any();
        Skip.If(!fonts && !ci, "no DejaVu fonts installed (apt-get install fonts-dejavu-core; .ci/run does)");
    }

    [SkippableFact]
    public void The_sans_serif_font_is_installed_and_found()
    {
        SkipWithoutFonts();
        // Without fonts SkiaSharp draws no text and reports no error (see FACTS.md): CI installs fonts-dejavu-core.
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans");
        Assert.Equal("DejaVu Sans", typeface.FamilyName);
    }

    [SkippableFact]
    public void The_title_is_drawn_as_text()
    {
        SkipWithoutFonts();
        var (data, model) = s_faithful.Value;
        var band = new SKRectI(0, 0, 800, 36); // the title band of an 800×600 figure
        var titled = MixturePlot.Density(data, model, new PlotOptions { Columns = [0], Title = "Old Faithful eruptions" }).ToPng();
        var untitled = MixturePlot.Density(data, model, new PlotOptions { Columns = [0], Title = "" }).ToPng();
        Assert.True(Png.Dark(titled, band) > 200, $"title band has {Png.Dark(titled, band)} dark pixels");
        // Without a title the panel moves up into the band, but no text is drawn in its middle.
        Assert.Equal(0, Png.Dark(untitled, new SKRectI(250, 0, 550, 10)));
        Assert.True(Png.Dark(titled, new SKRectI(250, 0, 550, 36)) > Png.Dark(untitled, new SKRectI(250, 0, 550, 36)));
    }

    [SkippableFact]
    public void Axis_labels_and_ticks_are_drawn_as_text()
    {
        SkipWithoutFonts();
        var (data, model) = s_faithful.Value;
        var png = MixturePlot.Density(data, model, new PlotOptions { Columns = [0], Title = "" }).ToPng();
        // Below the x axis: tick labels and the axis name "eruptions".
        Assert.True(Png.Dark(png, new SKRectI(100, 560, 700, 600)) > 300);
    }

    [SkippableFact]
    public void Svg_keeps_text_as_dejavu_sans_text()
    {
        SkipWithoutFonts();
        var (data, model) = s_iris.Value;
        string svg = MixturePlot.Classification(data, model).ToSvg();
        Assert.StartsWith("<?xml", svg);
        Assert.Contains("<svg", svg);
        Assert.Contains("font-family=\"DejaVu Sans\"", svg);
        Assert.Contains("petal_length", svg);
    }

    [Fact]
    public void The_criterion_plot_rings_the_lowest_value_and_names_the_sign()
    {
        var table = new List<CriterionValue>();
        foreach (var type in new[] { CovarianceType.Full, CovarianceType.Diagonal })
            for (int k = 1; k <= 4; k++)
                table.Add(new(k, type, (k - 2.6) * (k - 2.6) + (type == CovarianceType.Full ? 0 : 1)));
        table.Add(new(5, CovarianceType.Full, double.NaN)); // a failed fit is left out
        var figure = MixturePlot.Criterion(table);
        Assert.Contains("best VVV (full), k = 3", figure.Title);
        Assert.Contains("lower is better", figure.Panels[0].Axes.Left.Label.Text);
        Assert.Equal((800, 600), Png.Size(figure.ToPng()));
        Assert.Throws<ArgumentException>(() => MixturePlot.Criterion([new(1, CovarianceType.Full, double.NaN)]));
    }

    [Fact]
    public void The_weights_plot_counts_the_components_a_variational_fit_left_switched_on()
    {
        var data = TestData.Blobs(900, d: 2, seed: 11);
        var model = new VariationalGaussianMixture(new() { ComponentCount = 8, Seed = 3, MaxIterations = 300 }).Fit(data);
        int used = model.EffectiveComponentCount();
        var figure = MixturePlot.Weights(model, VariationalGaussianMixtureModel.UsedWeight);
        Assert.Equal($"Mixing weights: {used} of 8 components in use", figure.Title);
        var png = figure.ToPng();
        Assert.Equal((800, 600), Png.Size(png));
        Assert.True(Png.Inked(png) > 800 * 600 / 50);
        // Any family's weights, without a line.
        var bernoulli = new BernoulliMixture(new() { ComponentCount = 3 }).Fit(BernoulliMixtureTests.Draws(300));
        Assert.Equal("Mixing weights: 3 of 3 components", MixturePlot.Weights(bernoulli).Title);
    }

    [Fact]
    public void A_pairs_grid_has_one_panel_per_pair_of_columns()
    {
        var (data, model) = s_iris.Value;
        Assert.Equal(16, MixturePlot.Classification(data, model).Panels.Count);
        Assert.Equal(9, MixturePlot.Density(data, model, new PlotOptions { Columns = [0, 1, 3] }).Panels.Count);
        Assert.Single(MixturePlot.Uncertainty(data, model, new PlotOptions { Columns = [3, 0] }).Panels);
    }

    [Fact]
    public void Bad_columns_and_sizes_are_argument_errors()
    {
        var (data, model) = s_iris.Value;
        Assert.Throws<ArgumentException>(() => MixturePlot.Density(data, model, new PlotOptions { Columns = [4] }));
        Assert.Throws<ArgumentException>(() => MixturePlot.Density(data, model, new PlotOptions { Columns = [1, 1] }));
        Assert.Throws<ArgumentException>(() => MixturePlot.Density(data, model, new PlotOptions { Columns = [] }));
        Assert.Throws<ArgumentException>(() => MixturePlot.Density(Fixtures.Data("faithful"), model));
        Assert.Throws<ArgumentOutOfRangeException>(() => MixturePlot.Density(data, model, new PlotOptions { Width = 10 }));
        Assert.Throws<ArgumentException>(() => MixtureFigure.FormatOf("picture.jpg"));
    }

    [Fact]
    public void Save_picks_the_format_by_extension_and_writes_atomically()
    {
        var (data, model) = s_faithful.Value;
        var folder = Directory.CreateTempSubdirectory("emix-plot-").FullName;
        try
        {
            var figure = MixturePlot.Density(data, model);
            figure.Save(Path.Combine(folder, "a.png"));
            figure.Save(Path.Combine(folder, "a.SVG"));
            Assert.Equal((800, 600), Png.Size(File.ReadAllBytes(Path.Combine(folder, "a.png"))));
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(folder, "a.SVG")));
            Assert.Equal(2, Directory.GetFiles(folder).Length); // no temporary files left
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
