using System.Globalization;
using System.Text.RegularExpressions;
using Emix.Cli;
using Emix.Data;
using Emix.Plots;
using Emix.Selection;

namespace Emix.Tests;

/// <summary>
/// <c>emix report</c>, run in-process: one self-contained HTML page with the search table of <c>emix select</c>,
/// the chosen model and its pictures; bad input refused as select refuses it, and no partial file.
/// </summary>
public class ReportTests : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-report-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    internal sealed record Outcome(int ExitCode, string Out, string Error);

    internal static Outcome Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmixApp.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    private string In(string name) => Path.Combine(_folder, name);

    internal static string Faithful => Fixtures.Path_("data/faithful.csv");

    internal static string Iris => Fixtures.Path_("data/iris.csv");

    /// <summary>The HTML report of DATA with select's default grid, its path and the command's outcome.</summary>
    private (string Html, Outcome Outcome) Report(string data, params string[] more)
    {
        string path = In(Path.GetFileNameWithoutExtension(data) + ".html");
        var outcome = Run(["report", data, "-o", path, "-q", .. more]);
        Assert.True(outcome.ExitCode == 0, outcome.Error);
        return (File.ReadAllText(path), outcome);
    }

    [Fact]
    public void The_faithful_report_is_one_self_contained_page_with_four_drawn_pictures()
    {
        var (html, outcome) = Report(Faithful);
        Assert.Equal("", outcome.Error);
        Assert.Contains("Best by BIC: full (VVV) with 2 components, BIC 2322.192.", outcome.Out);
        Assert.Contains("Report written to", outcome.Out);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.True(new FileInfo(In("faithful.html")).Length < 2 * 1024 * 1024, "the report is 2 MB or more");
        AssertSelfContained(html);
        Assert.Equal(["bic", "classification", "uncertainty", "density"], PictureNames(html));
        foreach (var (name, svg) in Pictures(html))
        {
            // Drawn: the shapes of the picture are there (the BIC curves have the fewest).
            int shapes = Regex.Count(svg, "<(path|circle|ellipse|rect)\\b");
            Assert.True(shapes > 20, $"{name}: only {shapes} shapes");
            Assert.Matches("^<svg viewBox=\"0 0 \\d+ \\d+\"", svg);
        }
        // Every row is a point of the classification (272, in one group per component), and each picture has its sentence.
        Assert.Equal(272, Regex.Count(Pictures(html)["classification"], "<circle ") - LegendMarkers(Pictures(html)["classification"]));
        Assert.Equal(4, Regex.Count(html, "<figcaption>[^<]{40,}</figcaption>"));
    }

    /// <summary>The legend band's markers (circles too): those at the legend's height, above the panels.</summary>
    private static int LegendMarkers(string svg) =>
        Regex.Matches(svg, "<circle cx=\"[^\"]+\" cy=\"([^\"]+)\"").Count(m => double.Parse(m.Groups[1].Value, Inv) < 70);

    [Fact]
    public void The_search_tables_have_every_cell_that_select_computes()
    {
        var (html, _) = Report(Faithful, "-k", "1..4");
        string table = In("cells.csv");
        var select = Run("select", Faithful, "-k", "1..4", "--table", table, "-q");
        Assert.Equal(0, select.ExitCode);
        var lines = File.ReadAllLines(table);
        var header = lines[0].Split(',');
        int kAt = Array.IndexOf(header, "k"), typeAt = Array.IndexOf(header, "covariance");
        var structures = new[] { "spherical", "diag", "tied", "full" };
        foreach (string criterion in new[] { "BIC", "ICL" })
        {
            var cells = GridCells(html, criterion);
            Assert.Equal(16, cells.Count);
            int at = Array.IndexOf(header, criterion.ToLowerInvariant());
            foreach (var line in lines.Skip(1))
            {
                var f = line.Split(',');
                int k = int.Parse(f[kAt], Inv);
                int column = Array.IndexOf(structures, f[typeAt]);
                Assert.Equal(double.Parse(f[at], Inv).ToString("F3", Inv), cells[(k, column)]);
            }
        }
        // The chosen cell is outlined in both tables, and the lowest of each shaded.
        Assert.Contains("<td class=\"chosen best\">2322.192</td>", GridTable(html, "BIC"));
        Assert.Contains("<td class=\"chosen best\">2322.698</td>", GridTable(html, "ICL"));
        Assert.Equal(2, Regex.Count(html, "<td class=\"chosen"));
    }

    /// <summary>The cells of the grid table of one criterion: (k, structure column) → text.</summary>
    private static Dictionary<(int K, int Column), string> GridCells(string html, string criterion)
    {
        var cells = new Dictionary<(int, int), string>();
        foreach (Match row in Regex.Matches(GridTable(html, criterion), "<tr><th>(\\d+)</th>(.*?)</tr>"))
        {
            int k = int.Parse(row.Groups[1].Value, Inv);
            var values = Regex.Matches(row.Groups[2].Value, "<td[^>]*>([^<]*)").Select(m => m.Groups[1].Value).ToArray();
            for (int c = 0; c < values.Length; c++)
                cells[(k, c)] = values[c];
        }
        return cells;
    }

    /// <summary>The grid table of one criterion (BIC, ICL …), as HTML.</summary>
    private static string GridTable(string html, string criterion)
    {
        var table = Regex.Match(html, $"<table class=\"numbers grid\" data-criterion=\"{criterion}\">(.*?)</table>", RegexOptions.Singleline);
        Assert.True(table.Success, $"no {criterion} table");
        return table.Groups[1].Value;
    }

    [Fact]
    public void The_data_summary_and_the_chosen_model_are_those_of_the_data_and_the_best_fit()
    {
        var (html, _) = Report(Iris, "-k", "1..3");
        var data = Fixtures.Data("iris");
        var data2 = Regex.Match(html, "<section id=\"data\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("150 rows, 4 features", data2);
        for (int a = 0; a < 4; a++)
        {
            var column = Enumerable.Range(0, 150).Select(i => data[i, a]).ToArray();
            double mean = column.Average();
            double sd = Math.Sqrt(column.Sum(x => (x - mean) * (x - mean)) / 149);
            string row = $"<tr><th>{data.FeatureNames[a]}</th><td>{mean.ToString("G6", Inv)}</td><td>{sd.ToString("G6", Inv)}</td><td>{column.Min().ToString("G6", Inv)}</td><td>{column.Max().ToString("G6", Inv)}</td></tr>";
            Assert.Contains(row, data2);
        }
        Assert.DoesNotContain("missing", data2);

        // The chosen model: select's best (full, k = 2 on iris), its criteria, sizes, weights and means.
        var best = new ModelSelection(new ModelSelectionOptions { ComponentCounts = [1, 2, 3] }).Run(data).Best!;
        var model = Regex.Match(html, "<section id=\"model\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<tr><th>model</th><td>full (VVV)</td></tr>", model);
        Assert.Contains("<tr><th>components k</th><td>2</td></tr>", model);
        Assert.Contains($"<tr><th>log-likelihood</th><td>{best.LogLikelihood.ToString("F4", Inv)}</td></tr>", model);
        Assert.Contains("<tr><th>n</th><td>150</td></tr>", model);
        Assert.Contains($"<tr><th>free parameters</th><td>{best.ParameterCount}</td></tr>", model);
        Assert.Contains($"<tr><th>BIC</th><td>{best.Bic.ToString("F3", Inv)}</td></tr>", model);
        Assert.Contains($"<tr><th>ICL</th><td>{best.Icl.ToString("F3", Inv)}</td></tr>", model);
        var sizes = best.Model!.Predict(data).GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Contains("<tr><th>rows (cluster size)</th>" + string.Concat(sizes.Select(s => $"<td>{s}</td>")) + "</tr>", model);
        Assert.Contains("<tr><th>weight</th>" + string.Concat(best.Model.Weights.Select(w => $"<td>{w.ToString("F4", Inv)}</td>")) + "</tr>", model);
        Assert.Contains($"<tr><th>mean of petal_length</th><td>{best.Model.Means[0, 2].ToString("G6", Inv)}</td>", model);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(best.Model.Summary()).Split('\n')[0], model);

        // Four features: pairs grids of the features themselves, and no density picture.
        Assert.Equal(["bic", "classification", "uncertainty"], PictureNames(html));
        Assert.Contains(">petal_width</text>", Pictures(html)["classification"]);
        Assert.True(new FileInfo(In("iris.html")).Length < 2 * 1024 * 1024);
    }

    [Fact]
    public void Text_from_the_data_file_is_escaped()
    {
        string csv = In("names.csv");
        var random = new Random(4);
        var lines = new List<string> { "\"<script>alert(1)</script>\",\"a&b \"\"q\"\"\"" };
        for (int i = 0; i < 60; i++)
            lines.Add(string.Create(Inv, $"{random.NextDouble() + (i % 2 * 4)},{random.NextDouble()}"));
        File.WriteAllLines(csv, lines);
        var (html, _) = Report(csv, "-k", "1..2", "--title", "<b>mine</b> & 'yours'");
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<b>mine", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("a&amp;b &quot;q&quot;", html);
        Assert.Contains("<title>&lt;b&gt;mine&lt;/b&gt; &amp; &#39;yours&#39;</title>", html);
        Assert.Single(Regex.Matches(html, "<script\\b"));
        AssertSelfContained(html);
    }

    [Fact]
    public void More_than_six_features_are_drawn_on_the_first_three_principal_components()
    {
        string csv = In("wide.csv");
        var random = new Random(7);
        var lines = new List<string> { string.Join(',', Enumerable.Range(0, 8).Select(j => $"x{j}")) };
        for (int i = 0; i < 300; i++)
            lines.Add(string.Join(',', Enumerable.Range(0, 8).Select(j => (random.NextDouble() + (i % 2 * 3 * (j % 2))).ToString("R", Inv))));
        File.WriteAllLines(csv, lines);
        var (html, _) = Report(csv, "-k", "1..2", "--covariance", "full,diag");
        Assert.Equal(["bic", "classification", "uncertainty"], PictureNames(html));
        var classification = Pictures(html)["classification"];
        Assert.Contains(">PC3</text>", classification);
        Assert.DoesNotContain(">x7</text>", classification);
        Assert.Contains("on the first 3 principal components of the standardised features", html);
    }

    [Fact]
    public void Principal_components_carry_the_model_exactly()
    {
        var data = Fixtures.Data("iris");
        var pcs = PrincipalComponents.Of(data, 3);
        // One full component fitted on the data has the data's mean and (n-denominator) covariance: on the
        // components of the correlation matrix it is centred at 0 with the eigenvalues on the diagonal.
        var one = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 1, RegCovar = 0 }).Fit(data);
        var projected = pcs.Project(one);
        var c = projected.GetCovarianceMatrix(0);
        for (int p = 0; p < 3; p++)
        {
            Assert.True(Math.Abs(projected.Means[0, p]) < 1e-9, $"mean of PC{p + 1}");
            Close.Relative(pcs.ExplainedShare[p] * 4 * 149 / 150, c[p, p], 1e-9, $"variance of PC{p + 1}");
            for (int q = 0; q < p; q++)
                Assert.True(Math.Abs(c[p, q]) < 1e-9, $"covariance of PC{p + 1}, PC{q + 1}");
        }
        Assert.True(pcs.ExplainedShare[0] > pcs.ExplainedShare[1] && pcs.ExplainedShare[1] > pcs.ExplainedShare[2]);
        Close.Relative(0.7296, pcs.ExplainedShare[0], 1e-3, "iris PC1 share (R's prcomp(scale = TRUE): 72.96%)");

        // The rows on the components: the same map as the model (mean 0, variance the eigenvalue).
        var rows = pcs.Project(data);
        var first = Enumerable.Range(0, 150).Select(i => rows[i, 0]).ToArray();
        Assert.True(Math.Abs(first.Average()) < 1e-9);
        Close.Relative(pcs.ExplainedShare[0] * 4, first.Sum(x => x * x) / 149, 1e-9, "variance of the rows on PC1");
    }

    [Fact]
    public void The_eigen_decomposition_reconstructs_the_matrix()
    {
        double[,] m = { { 4, 1, -2, 0.5 }, { 1, 3, 0, 1 }, { -2, 0, 5, -1 }, { 0.5, 1, -1, 2 } };
        var (values, vectors) = PrincipalComponents.SymmetricEigen(m);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double s = 0;
                for (int e = 0; e < 4; e++)
                    s += vectors[i, e] * values[e] * vectors[j, e];
                Assert.True(Math.Abs(s - m[i, j]) < 1e-12, $"V Λ Vᵀ [{i},{j}] = {s}, not {m[i, j]}");
            }
        Close.Relative(14, values.Sum(), 1e-12, "trace");
    }

    [Fact]
    public void Large_data_draw_a_sample_of_the_rows_and_say_so()
    {
        var random = new Random(3);
        var rows = new double[3000 * 2];
        for (int i = 0; i < 3000; i++)
        {
            rows[2 * i] = random.NextDouble() + (i % 3 * 2); // clusters in a periodic order: a stride would alias
            rows[(2 * i) + 1] = random.NextDouble();
        }
        var data = DataSet.Wrap(rows, 2, ["a", "b"], "periodic");
        var selection = new ModelSelection(new ModelSelectionOptions { ComponentCounts = [3], CovarianceTypes = [CovarianceType.Full] }).Run(data);
        var report = MixtureReport.Create(data, selection, new ReportOptions { MaxPointsPerPicture = 600 });
        var classification = report.Pictures.Single(p => p.Name == "classification");
        Assert.Contains("A fixed sample of 600 of the 3,000 rows is drawn", classification.Caption);
        string html = report.ToHtml();
        string svg = Pictures(html)["classification"];
        Assert.Equal(600, Regex.Count(svg, "<circle ") - LegendMarkers(svg));
        // Every cluster is in the sample, in about its share.
        foreach (Match legend in Regex.Matches(svg, ">component \\d \\((\\d+)\\)</text>"))
            Assert.InRange(int.Parse(legend.Groups[1].Value, Inv), 150, 250);
        Assert.Equal(html, report.ToHtml()); // the same data and model draw the same page
    }

    [Fact]
    public void Ids_are_unique_in_the_page_and_every_reference_finds_its_id()
    {
        var (html, _) = Report(Faithful, "-k", "1..2");
        var ids = Regex.Matches(html, " id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var references = Regex.Matches(html, "url\\(#([^)]+)\\)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.Contains(r, ids));
        Assert.All(Regex.Matches(html, " href=\"#([^\"]+)\"").Select(m => m.Groups[1].Value), r => Assert.Contains(r, ids));
    }

    public static TheoryData<string[]> BadInput => new()
    {
        new[] { "{folder}/missing.csv" },
        new[] { "{data}", "-k", "0..3" },
        new[] { "{data}", "-k", "3..1" },
        new[] { "{data}", "-k", "1..2", "--covariance", "round" },
        new[] { "{data}", "-k", "1..2", "--criterion", "bound" },
        new[] { "{data}", "-k", "300" },
        new[] { "{data}", "-k", "1..2", "--n-init", "0" },
        new[] { "{data}", "-k", "1..2", "--columns", "nosuch" },
        new[] { "{data}", "-k", "1..2", "--family", "poisson", "--covariance", "full" },
        new[] { "{bad}", "-k", "1..2" },
        new[] { "{data}", "-k", "1..2", "--criterion", "best" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_gets_selects_message_and_exit_code_and_no_file(string[] args)
    {
        string bad = In("bad.csv");
        File.WriteAllText(bad, "a,b\n1,2\n3,x\n");
        var expanded = args.Select(a => a.Replace("{data}", Faithful, StringComparison.Ordinal).Replace("{bad}", bad, StringComparison.Ordinal)
            .Replace("{folder}", _folder, StringComparison.Ordinal)).ToArray();
        var select = Run(["select", .. expanded, "-q"]);
        string path = In("out.html");
        var report = Run(["report", .. expanded, "-o", path, "-q"]);
        Assert.NotEqual(0, select.ExitCode);
        Assert.Equal(select.ExitCode, report.ExitCode);
        Assert.Equal(select.Error.Replace("'emix select --help'", "'emix report --help'", StringComparison.Ordinal), report.Error);
        Assert.Single(report.Error.TrimEnd('\n').Split('\n'));
        Assert.Equal("", report.Out);
        Assert.Equal(["bad.csv"], Directory.GetFiles(_folder).Select(f => Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void Every_fit_failing_is_selects_numerical_failure()
    {
        // One distinct row, without regularisation: every component's covariance is singular.
        string csv = In("same.csv");
        File.WriteAllText(csv, "a,b\n1,2\n1,2\n1,2\n1,2\n1,2\n");
        var select = Run("select", csv, "-k", "2", "--covariance", "full", "--reg-covar", "0", "-q");
        var report = Run("report", csv, "-k", "2", "--covariance", "full", "--reg-covar", "0", "-o", In("r.html"), "-q");
        Assert.Equal(ExitCodes.Numerical, select.ExitCode);
        Assert.Equal(select.ExitCode, report.ExitCode);
        Assert.Equal(select.Error, report.Error);
        Assert.False(File.Exists(In("r.html")));
    }

    [Fact]
    public void The_report_needs_an_html_file_name_and_writes_nothing_it_cannot_finish()
    {
        var noOutput = Run("report", Faithful, "-k", "1");
        Assert.Equal(ExitCodes.Usage, noOutput.ExitCode);
        Assert.Contains("--output", noOutput.Error);

        var wrong = Run("report", Faithful, "-k", "1", "-o", In("report.txt"));
        Assert.Equal(ExitCodes.Usage, wrong.ExitCode);
        Assert.Equal($"emix: -o {In("report.txt")}: the report's file name must end in .html or .htm.\n", wrong.Error.Replace("\r", "", StringComparison.Ordinal));

        string unwritable = Path.Combine(_folder, "no", "such", "folder", "r.html");
        var failed = Run("report", Faithful, "-k", "1", "-o", unwritable, "-q");
        Assert.Equal(ExitCodes.OutputFailed, failed.ExitCode);
        Assert.StartsWith($"emix: {unwritable}: cannot write the report", failed.Error, StringComparison.Ordinal);

        // An existing report is replaced whole, or left as it was.
        string existing = In("old.html");
        File.WriteAllText(existing, "old");
        Assert.Equal(ExitCodes.Usage, Run("report", Faithful, "-k", "0", "-o", existing, "-q").ExitCode);
        Assert.Equal("old", File.ReadAllText(existing));
        Assert.Equal(0, Run("report", Faithful, "-k", "1", "-o", existing, "-q").ExitCode);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(existing), StringComparison.Ordinal);
        Assert.Equal(["old.html"], Directory.GetFiles(_folder).Select(f => Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void Data_too_large_to_read_into_memory_are_refused_before_any_fit()
    {
        // select streams them from disk (out of core); the report draws rows and needs them in memory.
        Assert.Equal(0, Run("select", Faithful, "-k", "1", "--memory-limit", "1k", "-q").ExitCode);
        var report = Run("report", Faithful, "-k", "1", "--memory-limit", "1k", "-o", In("r.html"), "-q");
        Assert.Equal(ExitCodes.Usage, report.ExitCode);
        Assert.Contains("too large to read into memory", report.Error);
        Assert.False(File.Exists(In("r.html")));
    }

    [Fact]
    public void Other_families_are_reported_with_their_tables()
    {
        string csv = In("counts.csv");
        var random = new Random(5);
        File.WriteAllLines(csv, new[] { "a,b" }.Concat(Enumerable.Range(0, 80).Select(i => $"{random.Next(0, 3) + (i % 2 * 8)},{random.Next(0, 4)}")));
        var (html, _) = Report(csv, "-k", "1..2", "--family", "poisson");
        Assert.Empty(PictureNames(html));
        Assert.Contains("a poisson mixture has none", html);
        Assert.Equal(2, GridCells(html, "BIC").Count);
        AssertSelfContained(html);
    }

    /// <summary>Nothing is fetched: no src, no href but in-page anchors, no stylesheet link, import, font or url() but in-page ones.</summary>
    internal static void AssertSelfContained(string html)
    {
        Assert.DoesNotMatch("\\ssrc\\s*=", html);
        Assert.DoesNotMatch("\\shref\\s*=\\s*\"[^#]", html);
        Assert.DoesNotMatch("(?i)<link\\b|@import|@font-face|<iframe|<img|<object|<embed", html);
        Assert.DoesNotMatch("url\\((?!#)", html);
        Assert.DoesNotMatch("(?i)https?:|//[a-z]", html.Replace("</", "", StringComparison.Ordinal));
    }

    internal static List<string> PictureNames(string html) =>
        Regex.Matches(html, "<figure class=\"picture\" id=\"picture-([a-z]+)\">").Select(m => m.Groups[1].Value).ToList();

    internal static Dictionary<string, string> Pictures(string html) =>
        Regex.Matches(html, "<figure class=\"picture\" id=\"picture-([a-z]+)\">.*?(<svg\\b.*?</svg>)", RegexOptions.Singleline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
}
