using System.Globalization;
using System.Reflection;
using System.Text;
using Emix.Data;
using Emix.Selection;

namespace Emix.Plots;

/// <summary>
/// A model search written up as one self-contained HTML page: the data summary, the search's BIC and ICL
/// tables (every structure and k), the chosen model's summary, and its pictures as inline SVG (BIC curves,
/// classification, uncertainty and, for one or two features, density), each with a sentence on what it
/// shows. The page loads nothing: no script, stylesheet, font or image comes from outside it.
/// </summary>
/// <example>
/// <code>
/// var result = new ModelSelection(new ModelSelectionOptions { ComponentCounts = [1, 2, 3] }).Run(data);
/// MixtureReport.Create(data, result).Save("report.html");
/// </code>
/// </example>
public sealed class MixtureReport
{
    /// <summary>Features up to which classification and uncertainty are drawn as a pairs grid of the features themselves; above, on principal components.</summary>
    public const int MaxPairsFeatures = 6;

    /// <summary>Principal components drawn for data of more than <see cref="MaxPairsFeatures"/> features.</summary>
    public const int ProjectedComponents = 3;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly DataSet _data;
    private readonly ModelSelectionResult _selection;
    private readonly ReportOptions _options;

    private MixtureReport(DataSet data, ModelSelectionResult selection, ReportOptions options, IReadOnlyList<ReportPicture> pictures, string? pictureNote)
    {
        _data = data;
        _selection = selection;
        _options = options;
        Pictures = pictures;
        PictureNote = pictureNote;
        Title = options.Title ?? $"Emix report: {Path.GetFileName(data.Source)}";
    }

    /// <summary>The page's title.</summary>
    public string Title { get; }

    /// <summary>The pictures, in the order of the page.</summary>
    public IReadOnlyList<ReportPicture> Pictures { get; }

    /// <summary>Why some pictures are not drawn (e.g. a family that is not Gaussian), or <see langword="null"/>.</summary>
    public string? PictureNote { get; }

    /// <summary>
    /// Draws the pictures of the best model of <paramref name="selection"/> on <paramref name="data"/>
    /// (the rows it was fitted on). Data pictures are drawn for Gaussian fits (a variational fit's
    /// posterior-mean mixture); the criterion curves for every family with covariance structures.
    /// </summary>
    /// <exception cref="ArgumentException">The selection has no successful fit, or its models have other columns than the data.</exception>
    public static MixtureReport Create(DataSet data, ModelSelectionResult selection, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(selection);
        var o = options ?? ReportOptions.Default;
        o.Validate();
        if (selection.Best is not { } best)
            throw new ArgumentException("The selection has no successful fit to report.", nameof(selection));
        if (best.FittedModel!.FeatureCount != data.FeatureCount)
            throw new ArgumentException(string.Create(Inv,
                $"{data.Source}: {data.FeatureCount} columns, but the models were fitted on {best.FittedModel.FeatureCount}."), nameof(data));

        var pictures = new List<ReportPicture>();
        string? note = null;
        bool structures = best.Family is "gaussian" or "gaussian-variational" or "student-t";
        if (structures)
        {
            pictures.Add(new ReportPicture("bic", "BIC curves",
                "The BIC of every fit against the number of components k, one line per covariance structure: lower is better (scikit-learn's sign), and the ring marks the lowest.",
                MixturePlot.Criterion(CriterionValues(selection, SelectionCriterion.Bic), "BIC", SingleSize)));
            if (selection.Criterion != SelectionCriterion.Bic)
            {
                string name = selection.Criterion.ToDisplayName();
                pictures.Add(new ReportPicture("criterion", $"{name} curves",
                    $"The {name} of every fit, the criterion this search ranks by, against k, one line per covariance structure: lower is better, and the ring marks the chosen model.",
                    MixturePlot.Criterion(CriterionValues(selection, selection.Criterion), name, SingleSize)));
            }
        }
        else
        {
            note = $"The criterion curves and data pictures draw models with covariance structures; a {best.Family} mixture has none, and its criteria are in the tables above.";
        }

        var gaussian = best.FittedModel switch
        {
            GaussianMixtureModel g => g,
            VariationalGaussianMixtureModel v => v.PosteriorMeanMixture,
            _ => null,
        };
        if (gaussian is not null)
            pictures.AddRange(DataPictures(data, gaussian, best.Family == "gaussian-variational", o));
        else if (structures)
            note = $"The data pictures draw Gaussian mixtures; the {best.Description} model is drawn in the tables only.";
        return new MixtureReport(data, selection, o, pictures, note);
    }

    private static PlotOptions SingleSize => new() { Width = 800, Height = 560 };

    private static IEnumerable<CriterionValue> CriterionValues(ModelSelectionResult selection, SelectionCriterion criterion) =>
        selection.Entries.Select(e => new CriterionValue(e.ComponentCount, e.CovarianceType, e.Succeeded ? e.Value(criterion) : double.NaN));

    /// <summary>Classification, uncertainty and (one or two features) density of the model on the data.</summary>
    private static List<ReportPicture> DataPictures(DataSet data, GaussianMixtureModel model, bool posteriorMean, ReportOptions o)
    {
        var complete = CompleteRows(data, out int incomplete);
        var result = new List<ReportPicture>();
        if (complete.RowCount == 0)
            return result;
        string modelText = string.Create(Inv, $"{model.ModelCode} ({model.CovarianceType.ToScikitName()}), k = {model.ComponentCount}{(posteriorMean ? ", posterior mean" : "")}");
        string rowsNote = incomplete == 0 ? "" : string.Create(Inv, $" The {incomplete} row{(incomplete == 1 ? "" : "s")} with a missing cell {(incomplete == 1 ? "is" : "are")} left out.");

        // The drawn space: the features (a pairs grid up to six), or the leading principal components.
        var drawnData = complete;
        var drawnModel = model;
        var names = data.FeatureNames;
        string where = data.FeatureCount == 2 ? $" ({names[1]} against {names[0]})" : ", for every pair of features,";
        if (data.FeatureCount > MaxPairsFeatures)
        {
            var pcs = PrincipalComponents.Of(complete, ProjectedComponents);
            drawnData = pcs.Project(complete);
            drawnModel = pcs.Project(model);
            where = string.Create(Inv,
                $", on the first {pcs.Count} principal components of the standardised features ({pcs.ExplainedShare.Sum() * 100:0.#}% of their variance; the model's components are projected onto them exactly),");
        }
        int d = drawnData.FeatureCount;
        var size = d > 2 ? new PlotOptions { Width = 900, Height = 900 } : SingleSize;
        int panels = d > 2 ? d * (d - 1) : 1;
        var (thinned, sampled) = Sample(drawnData, o.MaxPointsPerPicture / panels);
        string drawn = sampled ? string.Create(Inv, $" A fixed sample of {thinned.RowCount:N0} of the {drawnData.RowCount:N0} rows is drawn") : "";
        string sizesNote = sampled ? "; the legend's component sizes count the drawn rows." : "";
        string TitleOf(string what) => string.Create(Inv,
            $"{what}: {modelText}, {thinned.RowCount:N0}{(sampled ? $" of {drawnData.RowCount:N0}" : "")} rows{(d != data.FeatureCount ? ", principal components" : "")}");

        string classification = data.FeatureCount == 1
            ? $"Each row's value of {names[0]}, on one line per component it most probably belongs to, with each component's mean (+) and ± 1σ (thick) and 2σ (thin) intervals: how the chosen model splits the data."
            : $"Each row coloured by the component it most probably belongs to{where} with each component's mean (+) and its 1σ and 2σ ellipses: how the chosen model splits the data.";
        result.Add(new ReportPicture("classification", "Classification", classification + drawn + sizesNote + rowsNote,
            MixturePlot.Classification(thinned, drawnModel, size with { Title = TitleOf("Classification") })));
        string uncertainty = data.FeatureCount == 1
            ? $"The uncertainty of each row's assignment (1 − its largest membership probability) against its value of {names[0]}, coloured by component: the high points are rows the model cannot place with confidence."
            : $"Each row drawn larger and darker the less sure its assignment is (1 − its largest membership probability){where} with the components' 1σ ellipses: the dark points are where the components overlap.";
        result.Add(new ReportPicture("uncertainty", "Uncertainty", uncertainty + (sampled ? drawn + "." : "") + rowsNote,
            MixturePlot.Uncertainty(thinned, drawnModel, size with { Title = TitleOf("Uncertainty") })));
        if (data.FeatureCount == 1)
        {
            // A histogram draws no points: every row counts in it.
            result.Add(new ReportPicture("density", "Density",
                $"The histogram of {names[0]} scaled to a density, with the fitted mixture density (solid) and each weighted component (dashed): how closely the model's density follows the data.{rowsNote}",
                MixturePlot.Density(complete, model, SingleSize)));
        }
        else if (data.FeatureCount == 2)
        {
            result.Add(new ReportPicture("density", "Density",
                $"The rows{where} with the contours of the fitted mixture density that enclose the densest 25, 50, 75 and 95% of them: where the model puts its mass.{(sampled ? drawn + "." : "")}{rowsNote}",
                MixturePlot.Density(thinned, model, SingleSize with { Title = TitleOf("Density") })));
        }
        return result;
    }

    /// <summary>The rows without a missing cell (all of them, as the same object, when none has one).</summary>
    private static DataSet CompleteRows(DataSet data, out int incomplete)
    {
        incomplete = 0;
        if (!data.HasMissing)
            return data;
        int d = data.FeatureCount;
        var kept = new List<double>();
        for (int i = 0; i < data.RowCount; i++)
        {
            var row = data.Row(i);
            bool complete = true;
            foreach (double x in row)
                complete &= !double.IsNaN(x);
            if (complete)
                kept.AddRange(row.ToArray());
            else
                incomplete++;
        }
        return DataSet.Wrap([.. kept], d, data.FeatureNames, data.Source);
    }

    /// <summary>
    /// At most <paramref name="maxRows"/> rows, in their order: all of them, or a sample drawn by Knuth's selection
    /// sampling with a fixed seed (the same data draw the same picture). A stride would alias with data stored in
    /// a periodic order (every third row from the same cluster), a sample does not.
    /// </summary>
    private static (DataSet Rows, bool Sampled) Sample(DataSet data, int maxRows)
    {
        maxRows = Math.Max(maxRows, 50);
        int n = data.RowCount, d = data.FeatureCount;
        if (n <= maxRows)
            return (data, false);
        var values = new double[maxRows * d];
        ulong state = 0x9E3779B97F4A7C15UL; // xorshift64*: a fixed stream of its own, whatever System.Random does
        int taken = 0;
        for (int i = 0; i < n && taken < maxRows; i++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            double u = ((state * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / (1UL << 53));
            // Row i is taken with probability (rows still needed) / (rows left): exactly maxRows in all.
            if (u * (n - i) < maxRows - taken)
                data.Row(i).CopyTo(values.AsSpan(taken++ * d, d));
        }
        return (DataSet.Wrap(values, d, data.FeatureNames, data.Source), true);
    }

    /// <summary>Writes the page to <paramref name="path"/> atomically (a temporary file renamed at the end: never a partial page).</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string html = ToHtml();
        AtomicFile.WriteText(path, w => w.Write(html));
    }

    /// <summary>The page: one HTML document, UTF-8, with everything it shows inside it.</summary>
    public string ToHtml()
    {
        var s = new StringBuilder(256 * 1024);
        var best = _selection.Best!;
        string criterion = _selection.Criterion.ToDisplayName();
        s.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        s.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        s.Append("<meta name=\"generator\" content=\"").Append(Html.Escape(Generator)).Append("\">\n");
        s.Append("<title>").Append(Html.Escape(Title)).Append("</title>\n<style>\n").Append(Stylesheet).Append("</style>\n</head>\n<body>\n<main>\n");

        s.Append("<header>\n<h1>").Append(Html.Escape(Title)).Append("</h1>\n");
        s.Append(Inv, $"<p class=\"lead\">{Count(_data.RowCount, "row")} × {Count(_data.FeatureCount, "feature")} from <code>{Html.Escape(_data.Source)}</code>; ")
            .Append(Inv, $"{Count(_selection.Entries.Count, "fit")} ({_selection.Ranking.Count} succeeded); best by {Html.Escape(criterion)}: ")
            .Append(Inv, $"<strong>{Html.Escape(best.Description)}, k = {best.FittedModel!.ComponentCount}</strong>.</p>\n");
        if (_options.CommandLine is { } command)
            s.Append("<p class=\"command\"><code>").Append(Html.Escape(command)).Append("</code></p>\n");
        s.Append("<nav><a href=\"#data\">Data</a> · <a href=\"#search\">Model search</a> · <a href=\"#model\">Chosen model</a> · <a href=\"#pictures\">Pictures</a></nav>\n</header>\n");

        AppendData(s);
        AppendSearch(s);
        AppendModel(s);
        AppendPictures(s);

        s.Append("<footer>\n<p id=\"picture-check\" class=\"note\"></p>\n<p class=\"note\">Made by ").Append(Html.Escape(Generator))
            .Append(". All criteria have scikit-learn's sign: lower is better (mclust prints BIC and ICL negated).</p>\n</footer>\n</main>\n");
        s.Append("<script>\n").Append(CheckScript).Append("</script>\n</body>\n</html>\n");
        return s.ToString();
    }

    private void AppendData(StringBuilder s)
    {
        int n = _data.RowCount, d = _data.FeatureCount;
        var stats = new (double Mean, double Sd, double Min, double Max, int Missing)[d];
        for (int a = 0; a < d; a++)
        {
            double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
            int observed = 0;
            for (int i = 0; i < n; i++)
            {
                double x = _data[i, a];
                if (double.IsNaN(x))
                    continue;
                observed++;
                sum += x;
                min = Math.Min(min, x);
                max = Math.Max(max, x);
            }
            double mean = observed > 0 ? sum / observed : double.NaN, squares = 0;
            for (int i = 0; i < n; i++)
            {
                double x = _data[i, a];
                if (!double.IsNaN(x))
                    squares += (x - mean) * (x - mean);
            }
            stats[a] = (mean, observed > 1 ? Math.Sqrt(squares / (observed - 1)) : double.NaN, min, max, n - observed);
        }
        bool missing = stats.Any(t => t.Missing > 0);
        s.Append("<section id=\"data\">\n<h2>Data</h2>\n");
        s.Append(Inv, $"<p><code>{Html.Escape(_data.Source)}</code>: {Count(n, "row")}, {Count(d, "feature")}");
        if (missing)
            s.Append(Inv, $", {stats.Sum(t => (long)t.Missing):N0} missing cell{(stats.Sum(t => t.Missing) == 1 ? "" : "s")}");
        if (_data.IsWeighted)
            s.Append(Inv, $"; sample weights totalling {_data.TotalWeight:G6}");
        s.Append(".</p>\n<table class=\"numbers\">\n<thead><tr><th>feature</th><th>mean</th><th>sd</th><th>min</th><th>max</th>");
        if (missing)
            s.Append("<th>missing</th>");
        s.Append("</tr></thead>\n<tbody>\n");
        for (int a = 0; a < d; a++)
        {
            var t = stats[a];
            s.Append("<tr><th>").Append(Html.Escape(_data.FeatureNames[a])).Append("</th>")
                .Append(Cell(t.Mean)).Append(Cell(t.Sd)).Append(Cell(t.Min)).Append(Cell(t.Max));
            if (missing)
                s.Append(Inv, $"<td>{t.Missing:N0}</td>");
            s.Append("</tr>\n");
        }
        s.Append("</tbody>\n</table>\n<p class=\"note\">sd: the sample standard deviation (n − 1)")
            .Append(_data.IsWeighted ? "; mean and sd of the rows, without their weights" : "")
            .Append(".</p>\n</section>\n");

        static string Cell(double value) => double.IsFinite(value) ? $"<td>{value.ToString("G6", Inv)}</td>" : "<td>—</td>";
    }

    private void AppendSearch(StringBuilder s)
    {
        var criteria = new List<SelectionCriterion> { SelectionCriterion.Bic, SelectionCriterion.Icl };
        if (!criteria.Contains(_selection.Criterion))
            criteria.Add(_selection.Criterion);
        var best = _selection.Best!;
        s.Append("<section id=\"search\">\n<h2>Model search</h2>\n");
        s.Append(Inv, $"<p>{Count(_selection.Entries.Count, "fit")} ({_selection.Ranking.Count} succeeded), ranked by {Html.Escape(_selection.Criterion.ToDisplayName())}: ")
            .Append("the chosen model's cell is <span class=\"chosen-key\">outlined</span>, the lowest value of each table <span class=\"best-key\">shaded</span>.</p>\n");

        // Failure reasons, numbered once each in order of first appearance (as the select table's footnotes).
        var reasons = new List<string>();
        foreach (var e in _selection.Entries.Where(e => !e.Succeeded))
            if (!reasons.Contains(e.Failure ?? ""))
                reasons.Add(e.Failure ?? "");
        var columns = Columns();
        foreach (var criterion in criteria)
        {
            string name = criterion.ToDisplayName();
            var lowest = _selection.Entries.Where(e => e.Succeeded && double.IsFinite(e.Value(criterion))).MinBy(e => e.Value(criterion));
            s.Append(Inv, $"<h3>{Html.Escape(name)}</h3>\n<table class=\"numbers grid\" data-criterion=\"{Html.Escape(name)}\">\n<thead><tr><th>k</th>");
            foreach (var (_, heading) in columns)
                s.Append("<th>").Append(Html.Escape(heading)).Append("</th>");
            s.Append("</tr></thead>\n<tbody>\n");
            foreach (int k in _selection.ComponentCounts)
            {
                s.Append(Inv, $"<tr><th>{k}</th>");
                foreach (var (type, _) in columns)
                {
                    var e = _selection.Entries.FirstOrDefault(x => x.ComponentCount == k && x.CovarianceType == type);
                    if (e is null)
                    {
                        s.Append("<td></td>");
                        continue;
                    }
                    var classes = new List<string>();
                    if (ReferenceEquals(e, best))
                        classes.Add("chosen");
                    if (ReferenceEquals(e, lowest))
                        classes.Add("best");
                    string cls = classes.Count > 0 ? $" class=\"{string.Join(' ', classes)}\"" : "";
                    if (e.Succeeded)
                        s.Append(Inv, $"<td{cls}>{Criterion(e.Value(criterion))}</td>");
                    else
                        s.Append(Inv, $"<td{cls} title=\"{Html.Escape(e.Failure)}\">— <sup>[{reasons.IndexOf(e.Failure ?? "") + 1}]</sup></td>");
                }
                s.Append("</tr>\n");
            }
            s.Append("</tbody>\n</table>\n");
        }
        if (reasons.Count > 0)
        {
            s.Append("<ol class=\"notes\">\n");
            foreach (string reason in reasons)
            {
                var cells = _selection.Entries.Where(e => !e.Succeeded && (e.Failure ?? "") == reason).Select(e => $"k={e.ComponentCount} {e.ShortDescription}");
                s.Append("<li>").Append(Html.Escape(string.Join(", ", cells))).Append(": ").Append(Html.Escape(reason)).Append("</li>\n");
            }
            s.Append("</ol>\n");
        }

        int top = Math.Min(ModelSelectionResult.SummaryTopCount, _selection.Ranking.Count);
        string ranked = _selection.Criterion.ToDisplayName();
        s.Append(Inv, $"<h3>Best {(top == 1 ? "model" : $"{top} models")} by {Html.Escape(ranked)}</h3>\n");
        s.Append(Inv, $"<table class=\"numbers\">\n<thead><tr><th>rank</th><th>model</th><th>k</th><th>{Html.Escape(ranked)}</th><th>difference</th></tr></thead>\n<tbody>\n");
        for (int r = 0; r < top; r++)
        {
            var e = _selection.Ranking[r];
            string k = e.FittedModel!.ComponentCount == e.ComponentCount
                ? e.ComponentCount.ToString(Inv)
                : string.Create(Inv, $"{e.ComponentCount}→{e.FittedModel.ComponentCount}");
            s.Append(Inv, $"<tr><td>{r + 1}</td><td class=\"text\">{Html.Escape(e.Description)}</td><td>{k}</td><td>{Criterion(e.Value(_selection.Criterion))}</td><td>{Criterion(_selection.DifferenceFromBest(e))}</td></tr>\n");
        }
        s.Append("</tbody>\n</table>\n");
        var notConverged = _selection.Entries.Where(e => e.Succeeded && !e.FittedModel!.Converged).ToArray();
        if (notConverged.Length > 0)
            s.Append("<p class=\"note\">Not converged within max_iter (the value is that of the last iteration): ")
                .Append(Html.Escape(string.Join(", ", notConverged.Select(e => $"k={e.ComponentCount} {e.ShortDescription}")))).Append(".</p>\n");
        s.Append("</section>\n");
    }

    /// <summary>The tables' columns: each covariance structure of the grid, or the family alone when it has none.</summary>
    private List<(CovarianceType Type, string Heading)> Columns() =>
        _selection.CovarianceTypes.Select(t => (t, _selection.Entries.First(e => e.CovarianceType == t).Description)).ToList();

    private void AppendModel(StringBuilder s)
    {
        var best = _selection.Best!;
        var model = best.FittedModel!;
        int k = model.ComponentCount;
        s.Append("<section id=\"model\">\n<h2>Chosen model</h2>\n<table class=\"facts\">\n<tbody>\n");
        void Fact(string name, string value) => s.Append("<tr><th>").Append(Html.Escape(name)).Append("</th><td>").Append(Html.Escape(value)).Append("</td></tr>\n");
        Fact("model", best.Description);
        Fact("components k", k == best.ComponentCount ? k.ToString(Inv) : string.Create(Inv, $"{k} (k = {best.ComponentCount} fitted, collapsed components dropped)"));
        Fact("log-likelihood", best.LogLikelihood.ToString("F4", Inv));
        Fact("n", best.SampleSize.ToString("G", Inv));
        Fact("free parameters", best.ParameterCount.ToString(Inv));
        Fact("BIC", best.Bic.ToString("F3", Inv));
        Fact("ICL", best.Icl.ToString("F3", Inv));
        Fact("AIC", best.Aic.ToString("F3", Inv));
        if (_selection.Criterion == SelectionCriterion.Bound)
            Fact("−bound", best.Value(SelectionCriterion.Bound).ToString("F3", Inv));
        if (model.Fit is { } fit)
            Fact("EM", string.Create(Inv, $"{fit.Iterations} iteration{(fit.Iterations == 1 ? "" : "s")}, {(fit.Converged ? "converged" : "not converged")}"));
        s.Append("</tbody>\n</table>\n");

        var sizes = ClusterSizes(model);
        double[,]? means = model switch
        {
            GaussianMixtureModel g => g.Means,
            VariationalGaussianMixtureModel v => v.Means,
            StudentTMixtureModel t => t.Means,
            _ => null,
        };
        s.Append("<h3>Components</h3>\n<table class=\"numbers\">\n<thead><tr><th></th>");
        for (int j = 0; j < k; j++)
            s.Append(Inv, $"<th>{j}</th>");
        s.Append("</tr></thead>\n<tbody>\n");
        if (sizes is not null)
        {
            s.Append("<tr><th>rows (cluster size)</th>");
            foreach (int size in sizes)
                s.Append(Inv, $"<td>{size:N0}</td>");
            s.Append("</tr>\n");
        }
        s.Append("<tr><th>weight</th>");
        foreach (double w in model.Weights)
            s.Append(Inv, $"<td>{w:F4}</td>");
        s.Append("</tr>\n");
        if (means is not null)
        {
            for (int a = 0; a < model.FeatureCount; a++)
            {
                s.Append("<tr><th>mean of ").Append(Html.Escape(model.FeatureNames[a])).Append("</th>");
                for (int j = 0; j < k; j++)
                    s.Append("<td>").Append(means[j, a].ToString("G6", Inv)).Append("</td>");
                s.Append("</tr>\n");
            }
        }
        s.Append("</tbody>\n</table>\n<p class=\"note\">Components are numbered from 0, as <code>emix predict</code> labels rows; a row counts in the component of its largest membership probability.</p>\n");
        s.Append("<details>\n<summary>The summary as <code>emix info</code> prints it</summary>\n<pre>")
            .Append(Html.Escape(model.Summary())).Append("</pre>\n</details>\n</section>\n");
    }

    /// <summary>Rows per component: as recorded at the fit, else by predicting the data; null when neither can be had.</summary>
    private int[]? ClusterSizes(MixtureModel model)
    {
        if (model.TrainingClusterSizes is { } recorded && recorded.Count == model.ComponentCount)
            return [.. recorded];
        if (_data.HasMissing)
            return null;
        var sizes = new int[model.ComponentCount];
        foreach (int label in model.Predict(_data))
            sizes[label]++;
        return sizes;
    }

    private void AppendPictures(StringBuilder s)
    {
        s.Append("<section id=\"pictures\">\n<h2>Pictures</h2>\n");
        if (PictureNote is { } note)
            s.Append("<p class=\"note\">").Append(Html.Escape(note)).Append("</p>\n");
        for (int p = 0; p < Pictures.Count; p++)
        {
            var picture = Pictures[p];
            string id = $"picture-{picture.Name}";
            s.Append(Inv, $"<figure class=\"picture\" id=\"{Html.Escape(id)}\">\n<h3>{Html.Escape(picture.Heading)}</h3>\n");
            s.Append(InlineSvg.Prepare(picture.Figure.ToSvg(), string.Create(Inv, $"p{p + 1}"), picture.Figure.Title ?? picture.Heading));
            s.Append("\n<figcaption>").Append(Html.Escape(picture.Caption)).Append("</figcaption>\n</figure>\n");
        }
        s.Append("</section>\n");
    }

    private static string Criterion(double value) => double.IsFinite(value) ? value.ToString("F3", Inv) : "—";

    private static string Count(int n, string noun) => string.Create(Inv, $"{n:N0} {noun}{(n == 1 ? "" : "s")}");

    private static string Generator =>
        $"Emix {typeof(MixtureReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?"}";

    private const string Stylesheet = """
        :root { color-scheme: light; }
        body { margin: 0; background: #f6f7f9; color: #1d1f23; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
        main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 40px; background: #fff; }
        h1 { font-size: 26px; margin: 0 0 6px; }
        h2 { font-size: 21px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d9dce1; }
        h3 { font-size: 16px; margin: 20px 0 6px; }
        code, pre { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        pre { overflow-x: auto; background: #f3f4f6; padding: 10px; }
        nav a, a { color: #1f5fa8; }
        .lead { font-size: 16px; }
        .command code { background: #f3f4f6; padding: 2px 6px; }
        .note { color: #555b66; font-size: 13px; }
        table { border-collapse: collapse; margin: 6px 0 10px; }
        th, td { padding: 3px 10px; border-bottom: 1px solid #e5e7eb; }
        thead th { border-bottom: 2px solid #c5c9d0; }
        th { text-align: left; font-weight: 600; }
        table.numbers td { text-align: right; font-variant-numeric: tabular-nums; }
        table.numbers td.text { text-align: left; }
        table.numbers thead th:not(:first-child) { text-align: right; }
        table.grid thead th, table.grid tbody th { text-align: right; }
        td.best, .best-key { background: #dbe9f7; font-weight: 600; }
        td.chosen, .chosen-key { outline: 2px solid #1f5fa8; outline-offset: -2px; }
        .best-key, .chosen-key { padding: 0 4px; }
        figure.picture { margin: 24px 0; }
        figure.picture svg { display: block; max-width: 100%; height: auto; border: 1px solid #e5e7eb; }
        figcaption { margin-top: 6px; max-width: 800px; }
        footer { margin-top: 36px; border-top: 1px solid #d9dce1; }

        """;

    /// <summary>
    /// Counts the pictures the browser has laid out with something in them, marks each figure, and says so in
    /// the footer (a reader sees at once if one is missing; the tests read the marks). Plain ES5, no errors thrown.
    /// </summary>
    private const string CheckScript = """
        (function () {
          var figures = document.querySelectorAll("figure.picture");
          var drawn = 0;
          for (var i = 0; i < figures.length; i++) {
            var figure = figures[i];
            var svg = figure.querySelector("svg");
            var shapes = svg ? svg.querySelectorAll("path, ellipse, rect, text").length : 0;
            var box = svg ? svg.getBoundingClientRect() : null;
            var ok = !!box && box.width > 0 && box.height > 0 && shapes > 10;
            figure.setAttribute("data-drawn", ok ? "yes" : "no");
            if (box) {
              figure.setAttribute("data-box", [Math.round(box.left + window.scrollX), Math.round(box.top + window.scrollY), Math.round(box.width), Math.round(box.height)].join(","));
            }
            if (ok) drawn++;
          }
          document.body.setAttribute("data-pictures", drawn + "/" + figures.length);
          var main = document.querySelector("main");
          if (main) document.body.setAttribute("data-page-height", String(Math.ceil(main.getBoundingClientRect().bottom + window.scrollY)));
          var check = document.getElementById("picture-check");
          if (check) check.textContent = drawn === figures.length ? "All " + figures.length + " pictures drawn." : drawn + " of " + figures.length + " pictures drawn.";
        })();

        """;
}
