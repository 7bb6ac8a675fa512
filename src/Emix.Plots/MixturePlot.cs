using System.Globalization;
using ScottPlot;

namespace Emix.Plots;

/// <summary>
/// Pictures of a Gaussian mixture and its data, after mclust's <c>plot(what = …)</c>: density,
/// classification, uncertainty, and a criterion (BIC) against the number of components.
/// </summary>
/// <example>
/// <code>
/// var model = new GaussianMixture(new() { ComponentCount = 2 }).Fit(data);
/// MixturePlot.Density(data, model).Save("density.png");
/// MixturePlot.Classification(data, model, new PlotOptions { Columns = [0, 2] }).Save("classes.svg");
/// </code>
/// </example>
public static class MixturePlot
{
    /// <summary>Rows drawn as points at most; larger data sets are thinned by a fixed stride (histograms and levels use every row).</summary>
    public const int MaxDrawnPoints = 20_000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The contour levels of 2-D density panels: the regions of highest density that hold these shares of the rows.</summary>
    private static readonly double[] s_coverages = [0.25, 0.5, 0.75, 0.95];

    /// <summary>Draws one of the views of <see cref="PlotKind"/>.</summary>
    public static MixtureFigure Draw(PlotKind kind, DataSet data, GaussianMixtureModel model, PlotOptions? options = null) => kind switch
    {
        PlotKind.Density => Density(data, model, options),
        PlotKind.Classification => Classification(data, model, options),
        PlotKind.Uncertainty => Uncertainty(data, model, options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// The data and the fitted density. One column: a histogram scaled to a density, with the mixture
    /// density and each weighted component drawn over it. Two: the points and contours of the mixture
    /// density (the smallest regions holding 25, 50, 75 and 95% of the rows). More: a pairs grid of the
    /// two-column view. With more columns in the model than drawn, the density drawn is the marginal one.
    /// </summary>
    /// <exception cref="ArgumentException">The data and model do not have the same columns, or a column index is out of range.</exception>
    public static MixtureFigure Density(DataSet data, GaussianMixtureModel model, PlotOptions? options = null)
    {
        var (o, columns) = Check(data, model, options);
        string? title = TitleOf(o, $"Density: {Describe(model)}, {Count(data.RowCount, "row")}");
        if (columns.Length == 1)
        {
            var plot = Style.NewPanel(o.Scale);
            var marginal = Geometry.Marginal(model, columns);
            DensityPanel(plot, Geometry.Column(data, columns[0]), marginal, o.Bins, o.Scale, legend: true);
            plot.XLabel(data.FeatureNames[columns[0]]);
            plot.YLabel("density");
            return Single(title, plot, o);
        }
        var limits = Limits(data, columns, null);
        return Panels(title, data, columns, limits, o, (plot, x, y, compact) =>
            ContourPanel(plot, data, model, [columns[x], columns[y]], o.Scale, compact),
            legend: s_coverages.Select((c, i) => Line(ContourColor(i), string.Create(Inv, $"{c * 100:0}%")))
                .Prepend(new LegendEntry("density contours enclosing, of the rows:"))
                .Prepend(Points(Color.FromHex("#7f7f7f"), PointsText(data.RowCount))));
    }

    /// <summary>
    /// Points coloured by their predicted component, with each component's 1σ (solid) and 2σ (dashed)
    /// ellipses from its covariance block of the drawn columns, and its mean marked. One column: the points
    /// spread by component, with mean ± 1σ and 2σ intervals. More than two: a pairs grid.
    /// </summary>
    /// <exception cref="ArgumentException">The data and model do not have the same columns, or a column index is out of range.</exception>
    public static MixtureFigure Classification(DataSet data, GaussianMixtureModel model, PlotOptions? options = null)
    {
        var (o, columns) = Check(data, model, options);
        var labels = model.Predict(data);
        var sizes = new int[model.ComponentCount];
        foreach (int label in labels)
            sizes[label]++;
        string? title = TitleOf(o, $"Classification: {Describe(model)}, {Count(data.RowCount, "row")}");
        var legend = Enumerable.Range(0, model.ComponentCount)
            .Select(j => Points(Style.Component(j), string.Create(Inv, $"component {j} ({sizes[j]})")))
            .Append(Line(Style.Ink, "1σ"))
            .Append(Line(Style.Ink, "2σ ellipse", dashed: true))
            .Append(new LegendEntry("+ mean"));
        if (columns.Length == 1)
        {
            var plot = Style.NewPanel(o.Scale);
            StripPanel(plot, Geometry.Column(data, columns[0]), labels, Geometry.Marginal(model, columns), o.Scale);
            plot.XLabel(data.FeatureNames[columns[0]]);
            plot.YLabel("predicted component");
            plot.ShowLegend(legend.SkipLast(3).Append(Line(Style.Ink, "+ mean, ± 1σ (thick), ± 2σ (thin)")).Select(e => ToItem(e, o.Scale)), Alignment.UpperRight);
            return Single(title, plot, o);
        }
        var limits = Limits(data, columns, model);
        return Panels(title, data, columns, limits, o, (plot, x, y, compact) =>
        {
            int[] pair = [columns[x], columns[y]];
            var marginal = Geometry.Marginal(model, pair);
            int stride = Stride(data.RowCount);
            for (int j = 0; j < model.ComponentCount; j++)
            {
                var (xs, ys) = PointsOf(data, pair, labels, j, stride);
                plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, (compact ? 3.5f : 5f) * o.Scale, Style.Component(j).WithAlpha(0.75));
            }
            Ellipses(plot, marginal, o.Scale, 1f);
        }, legend);
    }

    /// <summary>
    /// Points sized and shaded by their uncertainty 1 − max<sub>j</sub> p(j | x): the larger and darker,
    /// the less sure the assignment, with the components' 1σ ellipses for reference. One column: the
    /// uncertainty of each row against its value, coloured by predicted component. More than two: a pairs grid.
    /// </summary>
    /// <exception cref="ArgumentException">The data and model do not have the same columns, or a column index is out of range.</exception>
    public static MixtureFigure Uncertainty(DataSet data, GaussianMixtureModel model, PlotOptions? options = null)
    {
        var (o, columns) = Check(data, model, options);
        var probabilities = model.PredictProbabilities(data);
        int n = data.RowCount, k = model.ComponentCount;
        var uncertainty = new double[n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 1; j < k; j++)
                if (probabilities[i, j] > probabilities[i, best])
                    best = j;
            labels[i] = best;
            uncertainty[i] = 1 - probabilities[i, best];
        }
        // The largest possible uncertainty is 1 − 1/k (all components equally likely).
        double ceiling = Math.Max(1 - (1.0 / k), 1e-12);
        string? title = TitleOf(o, $"Uncertainty: {Describe(model)}, {Count(n, "row")}");
        if (columns.Length == 1)
        {
            var plot = Style.NewPanel(o.Scale);
            var values = Geometry.Column(data, columns[0]);
            int stride = Stride(n);
            for (int j = 0; j < k; j++)
            {
                var idx = Enumerable.Range(0, n).Where(i => i % stride == 0 && labels[i] == j).ToArray();
                var m = plot.Add.Markers(idx.Select(i => values[i]).ToArray(), idx.Select(i => uncertainty[i]).ToArray(),
                    MarkerShape.FilledCircle, 5 * o.Scale, Style.Component(j).WithAlpha(0.8));
                m.LegendText = string.Create(Inv, $"component {j}");
            }
            plot.Axes.SetLimitsY(-0.02 * ceiling, ceiling * 1.05);
            plot.XLabel(data.FeatureNames[columns[0]]);
            plot.YLabel("uncertainty: 1 − max responsibility");
            plot.ShowLegend(Alignment.UpperRight);
            return Single(title, plot, o);
        }
        var tiers = UncertaintyTiers();
        var legend = new List<LegendEntry> { new("u = 1 − max responsibility:") };
        foreach (var (low, high, size, color) in tiers)
            legend.Add(new LegendEntry(double.IsFinite(high)
                ? string.Create(Inv, $"{Style.Format(low)} ≤ u < {Style.Format(high)}")
                : string.Create(Inv, $"u ≥ {Style.Format(low)} (at most {ceiling:0.###})"), Marker: color, MarkerSize: size));
        legend.Add(Line(Style.Ink, "1σ ellipses, + mean"));
        var limits = Limits(data, columns, null);
        return Panels(title, data, columns, limits, o, (plot, x, y, compact) =>
        {
            int[] pair = [columns[x], columns[y]];
            int stride = Stride(n);
            float shrink = compact ? 0.7f : 1f;
            foreach (var tier in tiers)
            {
                var idx = Enumerable.Range(0, n)
                    .Where(i => i % stride == 0 && uncertainty[i] >= tier.Low && (uncertainty[i] < tier.High || tier == tiers[^1])).ToArray();
                if (idx.Length == 0)
                    continue;
                plot.Add.Markers(idx.Select(i => data[i, pair[0]]).ToArray(), idx.Select(i => data[i, pair[1]]).ToArray(),
                    MarkerShape.FilledCircle, tier.Size * o.Scale * shrink, tier.Color);
            }
            Ellipses(plot, Geometry.Marginal(model, pair), o.Scale, 1f, twoSigma: false, alpha: 0.6);
        }, legend);
    }

    /// <summary>
    /// A criterion against the number of components, one line per covariance structure, the best
    /// (smallest) value ringed. Values follow scikit-learn's sign, where lower is better (mclust plots
    /// the negative, where higher is better); the axis says so.
    /// </summary>
    /// <param name="values">The table: (k, covariance type, value); non-finite values (failed fits) are left out.</param>
    /// <param name="criterion">The criterion's name for the axis and the title, e.g. "BIC" or "AIC".</param>
    /// <param name="options">Size and title; <see cref="PlotOptions.Columns"/> and <see cref="PlotOptions.Bins"/> do not apply.</param>
    /// <exception cref="ArgumentException">The table has no finite value.</exception>
    public static MixtureFigure Criterion(IEnumerable<CriterionValue> values, string criterion = "BIC", PlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(criterion);
        var o = options ?? PlotOptions.Default;
        o.Validate();
        var table = values.Where(v => double.IsFinite(v.Value)).ToArray();
        if (table.Length == 0)
            throw new ArgumentException($"The {criterion} table has no finite value.", nameof(values));
        var best = table.MinBy(v => v.Value);
        var plot = Style.NewPanel(o.Scale);
        foreach (var type in MixtureNames.AllCovarianceTypes)
        {
            var line = table.Where(v => v.CovarianceType == type).OrderBy(v => v.ComponentCount).ToArray();
            if (line.Length == 0)
                continue;
            var color = Style.Component((int)type);
            var scatter = plot.Add.Scatter(line.Select(v => (double)v.ComponentCount).ToArray(), line.Select(v => v.Value).ToArray(), color);
            scatter.LineWidth = 2 * o.Scale;
            scatter.MarkerSize = 8 * o.Scale;
            scatter.MarkerShape = MarkerOf(type);
            scatter.LegendText = type.IsScikitType() ? $"{type.ToScikitName()} ({CodeOf(type)})" : CodeOf(type);
        }
        var ring = plot.Add.Marker(best.ComponentCount, best.Value, MarkerShape.OpenCircle, 24 * o.Scale, Style.Ink);
        ring.MarkerLineWidth = 2.5f * o.Scale;
        ring.LegendText = $"best: {best.CovarianceType.ToScikitName()}, k = {best.ComponentCount}";
        int kMin = table.Min(v => v.ComponentCount), kMax = table.Max(v => v.ComponentCount);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, (kMax - kMin + 1) / 12));
        plot.Axes.SetLimitsX(kMin - 0.5, kMax + 0.5);
        plot.XLabel("number of components k");
        plot.YLabel($"{criterion} (scikit-learn's sign: lower is better)");
        plot.ShowLegend(Alignment.UpperRight);
        string? title = TitleOf(o, string.Create(Inv,
            $"{criterion} by number of components: best {CodeOf(best.CovarianceType)} ({best.CovarianceType.ToScikitName()}), k = {best.ComponentCount}"));
        return Single(title, plot, o);
    }

    /// <summary>
    /// The mixing weights as bars by component (any family), with a dashed line at <paramref name="usedWeight"/>
    /// when given: for a variational fit, the components below it are those the prior switched off (grey).
    /// </summary>
    /// <param name="model">A fitted mixture of any family.</param>
    /// <param name="usedWeight">The weight below which a component counts as switched off, or null for no line.</param>
    /// <param name="options">Size and title; <see cref="PlotOptions.Columns"/> and <see cref="PlotOptions.Bins"/> do not apply.</param>
    public static MixtureFigure Weights(MixtureModel model, double? usedWeight = null, PlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? PlotOptions.Default;
        o.Validate();
        var weights = model.Weights;
        var plot = Style.NewPanel(o.Scale);
        var bars = new Bar[weights.Length];
        for (int j = 0; j < weights.Length; j++)
        {
            bool off = usedWeight is { } t && weights[j] < t;
            bars[j] = new Bar { Position = j, Value = weights[j], Size = 0.7, FillColor = off ? Style.Histogram : Style.Component(j), LineColor = Colors.White };
        }
        plot.Add.Bars(bars);
        int used = weights.Count(w => usedWeight is not { } t || w >= t);
        if (usedWeight is { } threshold)
        {
            var line = plot.Add.HorizontalLine(threshold, 1.5f * o.Scale, Style.Ink, LinePattern.Dashed);
            line.LegendText = string.Create(Inv, $"weight {threshold:G} ({used} of {weights.Length} components above)");
            plot.ShowLegend(Alignment.UpperRight);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, weights.Length / 12));
        plot.Axes.SetLimitsX(-0.6, weights.Length - 0.4);
        plot.Axes.SetLimitsY(0, Math.Max(weights.Max() * 1.1, usedWeight ?? 0));
        plot.XLabel("component (0-based, as predict)");
        plot.YLabel("mixing weight");
        string? title = TitleOf(o, string.Create(Inv, $"Mixing weights: {used} of {weights.Length} components{(usedWeight is null ? "" : " in use")}"));
        return Single(title, plot, o);
    }

    // ---- panels -------------------------------------------------------------------------------

    /// <summary>Histogram scaled to a density, the mixture density (solid) and each weighted component (dashed).</summary>
    internal static void DensityPanel(Plot plot, double[] values, GaussianMixtureModel marginal, int? bins, float scale, bool legend)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int binCount = bins ?? Geometry.FreedmanDiaconisBins(sorted);
        double min = sorted[0], max = sorted[^1];
        double width = max > min ? (max - min) / binCount : 1;
        var counts = new int[binCount];
        foreach (double v in values)
            counts[Math.Min(binCount - 1, (int)((v - min) / width))]++;
        var bars = new Bar[binCount];
        for (int b = 0; b < binCount; b++)
        {
            bars[b] = new Bar
            {
                Position = min + ((b + 0.5) * width),
                Value = counts[b] / (values.Length * width),
                Size = width,
                FillColor = Style.Histogram,
                LineColor = Colors.White,
                LineWidth = 0.5f * scale,
            };
        }
        plot.Add.Bars(bars).LegendText = string.Create(Inv, $"histogram ({values.Length} rows, {binCount} bins)");

        int k = marginal.ComponentCount;
        var weights = marginal.Weights;
        var means = marginal.Means;
        var sd = Enumerable.Range(0, k).Select(j => Math.Sqrt(marginal.GetCovarianceMatrix(j)[0, 0])).ToArray();
        double lo = Math.Min(min, Enumerable.Range(0, k).Min(j => means[j, 0] - (3 * sd[j])));
        double hi = Math.Max(max, Enumerable.Range(0, k).Max(j => means[j, 0] + (3 * sd[j])));
        lo = Math.Max(lo, min - ((max - min) * 0.25));
        hi = Math.Min(hi, max + ((max - min) * 0.25));
        const int steps = 400;
        var xs = new double[steps + 1];
        var total = new double[steps + 1];
        var each = new double[k][];
        for (int j = 0; j < k; j++)
            each[j] = new double[steps + 1];
        for (int s = 0; s <= steps; s++)
        {
            double x = lo + ((hi - lo) * s / steps);
            xs[s] = x;
            for (int j = 0; j < k; j++)
            {
                each[j][s] = weights[j] * Geometry.Normal(x, means[j, 0], sd[j]);
                total[s] += each[j][s];
            }
        }
        // The mixture first: where components do not overlap it equals one of them, and the dashed
        // component curves drawn over it stay visible.
        var mixture = plot.Add.ScatterLine(xs, total, Style.Ink.WithAlpha(0.85));
        mixture.LineWidth = 3f * scale;
        if (legend)
            mixture.LegendText = "mixture density";
        for (int j = 0; j < k; j++)
        {
            var line = plot.Add.ScatterLine(xs, each[j], Style.Component(j));
            line.LineWidth = 2 * scale;
            line.LinePattern = LinePattern.Dashed;
            if (legend)
                line.LegendText = string.Create(Inv, $"component {j}: weight {weights[j]:0.000}, μ {Style.Format(means[j, 0])}, σ {Style.Format(sd[j])}");
        }
        double top = Math.Max(total.Max(), bars.Max(b => b.Value));
        // Head room for the legend above the tallest bar: about 21 px per entry of a ~480 px high data area.
        double legendShare = legend ? Math.Min(0.5, (k + 2) * 21.0 / 480) : 0;
        plot.Axes.SetLimits(lo, hi, 0, top * 1.04 / (1 - legendShare));
        if (legend)
        {
            plot.ShowLegend(Alignment.UpperRight);
            plot.Legend.SymbolWidth = 34 * scale;
        }
    }

    /// <summary>The points (grey) and contours of the marginal density of two columns.</summary>
    private static void ContourPanel(Plot plot, DataSet data, GaussianMixtureModel model, int[] pair, float scale, bool compact)
    {
        var marginal = Geometry.Marginal(model, pair);
        var drawn = Geometry.Columns(data, pair);
        int stride = Stride(data.RowCount);
        var (xs, ys) = PointsOf(data, pair, null, 0, stride);
        plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, (compact ? 2.5f : 3.5f) * scale, Color.FromHex("#7f7f7f").WithAlpha(0.6));

        // Levels: the density at the rows' quantiles, so that the region above a level holds that share of the rows.
        var densities = marginal.ScoreSamples(drawn).Select(Math.Exp).ToArray();
        Array.Sort(densities);
        var (xMin, xMax) = Geometry.Range(Geometry.Column(drawn, 0));
        var (yMin, yMax) = Geometry.Range(Geometry.Column(drawn, 1));
        double padX = (xMax - xMin) * 0.15, padY = (yMax - yMin) * 0.15;
        const int steps = 120;
        var gx = Enumerable.Range(0, steps).Select(i => xMin - padX + ((xMax - xMin + (2 * padX)) * i / (steps - 1))).ToArray();
        var gy = Enumerable.Range(0, steps).Select(i => yMin - padY + ((yMax - yMin + (2 * padY)) * i / (steps - 1))).ToArray();
        var grid = new double[steps * steps * 2];
        for (int i = 0; i < steps; i++)
            for (int j = 0; j < steps; j++)
            {
                grid[(((i * steps) + j) * 2) + 0] = gx[i];
                grid[(((i * steps) + j) * 2) + 1] = gy[j];
            }
        var logDensity = marginal.ScoreSamples(DataSet.Wrap(grid, 2));
        var z = new double[steps, steps];
        for (int i = 0; i < steps; i++)
            for (int j = 0; j < steps; j++)
                z[i, j] = Math.Exp(logDensity[(i * steps) + j]);
        for (int level = 0; level < s_coverages.Length; level++)
        {
            double threshold = Geometry.Quantile(densities, 1 - s_coverages[level]);
            foreach (var (cx, cy) in MarchingSquares.Contours(gx, gy, z, threshold))
            {
                var line = plot.Add.ScatterLine(cx, cy, ContourColor(level));
                line.LineWidth = (compact ? 1.4f : 2f) * scale;
            }
        }
        MeanMarkers(plot, marginal, scale, compact ? 0.7f : 1f);
    }

    /// <summary>One-column classification: each component's points on its own row, with mean ± 1σ (thick) and 2σ (thin).</summary>
    private static void StripPanel(Plot plot, double[] values, int[] labels, GaussianMixtureModel marginal, float scale)
    {
        int k = marginal.ComponentCount;
        var means = marginal.Means;
        int stride = Stride(values.Length);
        for (int j = 0; j < k; j++)
        {
            var idx = Enumerable.Range(0, values.Length).Where(i => i % stride == 0 && labels[i] == j).ToArray();
            // A fixed spread by row index (no random numbers): the same data draw the same picture.
            var ys = idx.Select(i => j + (0.28 * (((i * 0.6180339887) % 1.0) - 0.5))).ToArray();
            plot.Add.Markers(idx.Select(i => values[i]).ToArray(), ys, MarkerShape.FilledCircle, 4 * scale, Style.Component(j).WithAlpha(0.6));
            double sd = Math.Sqrt(marginal.GetCovarianceMatrix(j)[0, 0]);
            double y = j - 0.3;
            var two = plot.Add.Line(means[j, 0] - (2 * sd), y, means[j, 0] + (2 * sd), y);
            two.LineColor = Style.Component(j);
            two.LineWidth = 1.5f * scale;
            var one = plot.Add.Line(means[j, 0] - sd, y, means[j, 0] + sd, y);
            one.LineColor = Style.Component(j);
            one.LineWidth = 5 * scale;
            plot.Add.Marker(means[j, 0], y, MarkerShape.Cross, 16 * scale, Style.Ink).MarkerLineWidth = 2.5f * scale;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, k).Select(j => (double)j).ToArray(), Enumerable.Range(0, k).Select(j => j.ToString(Inv)).ToArray());
        plot.Axes.SetLimitsY(-0.6, k - 0.4 + (0.25 * k));
    }

    /// <summary>Each component's 1σ (solid) and 2σ (dashed) ellipse and its mean.</summary>
    private static void Ellipses(Plot plot, GaussianMixtureModel marginal, float scale, float size, bool twoSigma = true, double alpha = 1)
    {
        var means = marginal.Means;
        for (int j = 0; j < marginal.ComponentCount; j++)
        {
            var s = marginal.GetCovarianceMatrix(j);
            for (int r = 1; r <= (twoSigma ? 2 : 1); r++)
            {
                var (ex, ey) = Geometry.Ellipse(means[j, 0], means[j, 1], s[0, 0], s[0, 1], s[1, 1], r);
                var line = plot.Add.ScatterLine(ex, ey, Style.Component(j).WithAlpha(alpha));
                line.LineWidth = (r == 1 ? 2.2f : 1.5f) * scale * size;
                line.LinePattern = r == 1 ? LinePattern.Solid : LinePattern.Dashed;
            }
        }
        MeanMarkers(plot, marginal, scale, size);
    }

    private static void MeanMarkers(Plot plot, GaussianMixtureModel marginal, float scale, float size)
    {
        var means = marginal.Means;
        for (int j = 0; j < marginal.ComponentCount; j++)
        {
            var m = plot.Add.Marker(means[j, 0], means[j, 1], MarkerShape.Cross, 16 * scale * size, Style.Ink);
            m.MarkerLineWidth = 3 * scale * size;
        }
    }

    // ---- layout -------------------------------------------------------------------------------

    private static MixtureFigure Single(string? title, Plot plot, PlotOptions o) =>
        new(title, [plot], PanelLayout.Single(), o);

    /// <summary>
    /// Two columns: one panel. More: a pairs grid, row r and column c showing column c (x) against
    /// column r (y), the names on the diagonal; axes shared along rows and columns.
    /// </summary>
    private static MixtureFigure Panels(string? title, DataSet data, int[] columns, (double Min, double Max)[] limits, PlotOptions o,
        Action<Plot, int, int, bool> draw, IEnumerable<LegendEntry> legend)
    {
        var names = columns.Select(c => data.FeatureNames[c]).ToArray();
        if (columns.Length == 2)
        {
            var plot = Style.NewPanel(o.Scale);
            draw(plot, 0, 1, false);
            plot.Axes.SetLimits(limits[0].Min, limits[0].Max, limits[1].Min, limits[1].Max);
            plot.XLabel(names[0]);
            plot.YLabel(names[1]);
            return new MixtureFigure(title, [plot], PanelLayout.Single(), o, new LegendBand(legend.ToArray(), o.Scale));
        }
        int c = columns.Length;
        var layout = PanelLayout.Grid(c, c, o.Scale);
        var panels = new List<Plot>(c * c);
        for (int row = 0; row < c; row++)
        {
            for (int column = 0; column < c; column++)
            {
                var plot = Style.NewPanel(o.Scale, compact: true);
                layout.Apply(plot, row, column);
                var (xMin, xMax) = limits[column];
                var (yMin, yMax) = limits[row];
                if (row == column)
                {
                    var text = plot.Add.Text(names[row], (xMin + xMax) / 2, (yMin + yMax) / 2);
                    text.LabelFontName = Style.FontName;
                    text.LabelFontSize = 15 * o.Scale;
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontColor = Style.Ink;
                    plot.Grid.IsVisible = false;
                }
                else
                {
                    draw(plot, column, row, true);
                }
                plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
                if (column == 0)
                    plot.YLabel(names[row]);
                else
                    Style.HideTicks(plot.Axes.Left);
                if (row == c - 1)
                    plot.XLabel(names[column]);
                else
                    Style.HideTicks(plot.Axes.Bottom);
                panels.Add(plot);
            }
        }
        return new MixtureFigure(title, panels, layout, o, new LegendBand(legend.ToArray(), o.Scale));
    }

    /// <summary>Axis limits per drawn column: the data's range (and the components' 2σ extent when a model is given), padded by 5%.</summary>
    private static (double Min, double Max)[] Limits(DataSet data, int[] columns, GaussianMixtureModel? model)
    {
        var result = new (double, double)[columns.Length];
        for (int a = 0; a < columns.Length; a++)
        {
            var (min, max) = Geometry.Range(Geometry.Column(data, columns[a]));
            if (model is not null)
            {
                var means = model.Means;
                for (int j = 0; j < model.ComponentCount; j++)
                {
                    double sd = Math.Sqrt(model.GetCovarianceMatrix(j)[columns[a], columns[a]]);
                    min = Math.Min(min, means[j, columns[a]] - (2 * sd));
                    max = Math.Max(max, means[j, columns[a]] + (2 * sd));
                }
            }
            double pad = max > min ? (max - min) * 0.05 : 0.5;
            result[a] = (min - pad, max + pad);
        }
        return result;
    }

    // ---- small pieces -------------------------------------------------------------------------

    private static (PlotOptions Options, int[] Columns) Check(DataSet data, GaussianMixtureModel model, PlotOptions? options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? PlotOptions.Default;
        o.Validate();
        if (data.FeatureCount != model.FeatureCount)
            throw new ArgumentException(string.Create(Inv,
                $"{data.Source}: {data.FeatureCount} columns, but the model was fitted on {model.FeatureCount}."), nameof(data));
        int[] columns = o.Columns?.ToArray() ?? Enumerable.Range(0, model.FeatureCount).ToArray();
        if (columns.Length == 0)
            throw new ArgumentException("Columns is empty; pass null to draw all columns.", nameof(options));
        foreach (int c in columns)
            if (c < 0 || c >= model.FeatureCount)
                throw new ArgumentException(string.Create(Inv, $"Column {c} is out of range: the model has {model.FeatureCount} (0-based indices)."), nameof(options));
        if (columns.Distinct().Count() != columns.Length)
            throw new ArgumentException("A column is listed twice.", nameof(options));
        return (o, columns);
    }

    private static string? TitleOf(PlotOptions o, string automatic) => o.Title switch
    {
        null => automatic,
        "" => null,
        var t => t,
    };

    private static string Describe(GaussianMixtureModel model) =>
        string.Create(Inv, $"{model.ModelCode} ({model.CovarianceType.ToScikitName()}), {Count(model.ComponentCount, "component")}");

    private static string Count(int n, string noun) => string.Create(Inv, $"{n:N0} {noun}{(n == 1 ? "" : "s")}");

    private static string PointsText(int n)
    {
        int stride = Stride(n);
        return stride == 1 ? "rows" : string.Create(Inv, $"every {stride}th row");
    }

    private static int Stride(int n) => Math.Max(1, (n + MaxDrawnPoints - 1) / MaxDrawnPoints);

    private static (double[] X, double[] Y) PointsOf(DataSet data, int[] pair, int[]? labels, int component, int stride)
    {
        var x = new List<double>();
        var y = new List<double>();
        for (int i = 0; i < data.RowCount; i += stride)
        {
            if (labels is not null && labels[i] != component)
                continue;
            x.Add(data[i, pair[0]]);
            y.Add(data[i, pair[1]]);
        }
        return (x.ToArray(), y.ToArray());
    }

    private static Color ContourColor(int level)
    {
        // Darker for the inner (denser) regions.
        string[] shades = ["#08306b", "#2171b5", "#6baed6", "#9ecae1"];
        return Color.FromHex(shades[Math.Min(level, shades.Length - 1)]);
    }

    /// <summary>Uncertainty classes drawn larger and darker as the assignment gets less sure.</summary>
    private static (double Low, double High, float Size, Color Color)[] UncertaintyTiers() =>
    [
        (0, 0.01, 3f, Color.FromHex("#c8c8c8")),
        (0.01, 0.05, 6f, Color.FromHex("#8c8c8c")),
        (0.05, 0.2, 9f, Color.FromHex("#4a4a4a")),
        (0.2, double.PositiveInfinity, 12f, Color.FromHex("#000000")),
    ];

    private static LegendEntry Points(Color color, string text) => new(text, Marker: color, MarkerSize: 8);

    private static LegendEntry Line(Color color, string text, bool dashed = false) => new(text, Line: color, Dashed: dashed);

    /// <summary>A legend entry as a ScottPlot legend item (for legends inside a single 1-D panel).</summary>
    private static LegendItem ToItem(LegendEntry entry, float scale) => new()
    {
        LabelText = entry.Text,
        MarkerStyle = entry.Marker is { } m ? new MarkerStyle(MarkerShape.FilledCircle, entry.MarkerSize * scale, m) : MarkerStyle.None,
        LineColor = entry.Line ?? Colors.Transparent,
        LineWidth = entry.Line is null ? 0 : 2 * scale,
    };

    /// <summary>Markers of the structures, in the order of <see cref="MixtureNames.CovarianceTypes"/> (VII, VVI, EEE, VVV), repeated beyond.</summary>
    private static readonly MarkerShape[] StructureMarkers =
        [MarkerShape.FilledDiamond, MarkerShape.FilledTriangleUp, MarkerShape.FilledSquare, MarkerShape.FilledCircle];

    private static MarkerShape MarkerOf(CovarianceType type)
    {
        int index = Math.Max(0, MixtureNames.CovarianceTypes.ToList().IndexOf(type));
        return StructureMarkers[index % StructureMarkers.Length];
    }

    private static string CodeOf(CovarianceType type) => type.ToMclustCode();
}
