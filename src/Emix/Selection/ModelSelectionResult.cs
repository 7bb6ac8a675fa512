using System.Globalization;
using System.Text;

namespace Emix.Selection;

/// <summary>
/// The outcome of a <see cref="ModelSelection"/>: every cell of the grid (fitted or failed), the
/// fitted ones ranked by the criterion, and the best.
/// </summary>
public sealed class ModelSelectionResult
{
    /// <summary>Builds the result of <paramref name="entries"/> (in grid order) ranked by <paramref name="criterion"/>.</summary>
    public ModelSelectionResult(IEnumerable<SelectionEntry> entries, SelectionCriterion criterion)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (!Enum.IsDefined(criterion))
            throw new ArgumentOutOfRangeException(nameof(criterion), criterion, null);
        Entries = entries.ToArray();
        Criterion = criterion;
        // A stable sort: equal values keep the grid order (smaller k first, then VII, VVI, EEE, VVV).
        Ranking = Entries.Where(e => e.Succeeded && !double.IsNaN(e.Value(criterion)))
            .OrderBy(e => e.Value(criterion))
            .ToArray();
    }

    /// <summary>The criterion the fits are ranked by.</summary>
    public SelectionCriterion Criterion { get; }

    /// <summary>Every cell, in grid order: k ascending, then VII, VVI, EEE, VVV.</summary>
    public IReadOnlyList<SelectionEntry> Entries { get; }

    /// <summary>The fitted cells, best (lowest criterion) first.</summary>
    public IReadOnlyList<SelectionEntry> Ranking { get; }

    /// <summary>The best fitted cell, or null when every fit failed.</summary>
    public SelectionEntry? Best => Ranking.Count > 0 ? Ranking[0] : null;

    /// <summary>The component counts of the grid, ascending.</summary>
    public IReadOnlyList<int> ComponentCounts => Entries.Select(e => e.ComponentCount).Distinct().Order().ToArray();

    /// <summary>The covariance types of the grid, in mclust's order (EII, VII, EEI, VEI, EVI, VVI, EEE, …, VVV).</summary>
    public IReadOnlyList<CovarianceType> CovarianceTypes =>
        MixtureNames.AllCovarianceTypes.Where(t => Entries.Any(e => e.CovarianceType == t)).ToArray();

    /// <summary>The cell (k, type), or null when it is not in the grid.</summary>
    public SelectionEntry? Find(int componentCount, CovarianceType covarianceType) =>
        Entries.FirstOrDefault(e => e.ComponentCount == componentCount && e.CovarianceType == covarianceType);

    /// <summary>How much worse <paramref name="entry"/> is than the best: its criterion minus the best's (≥ 0; NaN when failed).</summary>
    public double DifferenceFromBest(SelectionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Best is { } best ? entry.Value(Criterion) - best.Value(Criterion) : double.NaN;
    }

    /// <summary>The number of best models <see cref="Summary"/> lists, as mclust's summary of a BIC table.</summary>
    public const int SummaryTopCount = 3;

    /// <summary>
    /// An mclust-like table: one row per k, one column per structure ("spherical (VII)" … "full (VVV)"),
    /// the criterion in each cell ("—" and a numbered footnote with the reason for a failed fit), then
    /// the best <see cref="SummaryTopCount"/> models and their differences from the best.
    /// </summary>
    public string Summary()
    {
        var inv = CultureInfo.InvariantCulture;
        string name = Criterion.ToDisplayName();
        var s = new StringBuilder();
        int rows = Entries.Count > 0 ? Entries[0].RowCount : 0;
        s.AppendLine(inv, $"Model selection by {name}: {Entries.Count} fit{(Entries.Count == 1 ? "" : "s")} ({Ranking.Count} succeeded) on {rows} rows");
        s.AppendLine(Criterion == SelectionCriterion.Bound
            ? "(−bound: scikit-learn's variational lower bound negated, so lower is better; it compares fits of the same data and priors, and is not a log-likelihood.)"
            : string.Create(inv, $"({name} as scikit-learn: lower is better; {(Criterion == SelectionCriterion.Aic ? "R's AIC() has the same sign" : $"mclust prints {name} with the opposite sign")}.)"));
        s.AppendLine();

        // Failure reasons, numbered once each in order of first appearance.
        var reasons = new List<string>();
        var cellsOfReason = new List<List<string>>();
        var types = CovarianceTypes;
        string[] header = ["k", .. types.Select(t => Entries.First(e => e.CovarianceType == t).Description)];
        var table = new List<string[]>();
        foreach (int k in ComponentCounts)
        {
            var row = new string[types.Count + 1];
            row[0] = k.ToString(inv);
            for (int c = 0; c < types.Count; c++)
            {
                var entry = Find(k, types[c]);
                if (entry is null)
                {
                    row[c + 1] = "";
                }
                else if (entry.Succeeded)
                {
                    row[c + 1] = entry.Value(Criterion).ToString("F3", inv);
                }
                else
                {
                    int note = reasons.IndexOf(entry.Failure ?? "");
                    if (note < 0)
                    {
                        reasons.Add(entry.Failure ?? "");
                        cellsOfReason.Add([]);
                        note = reasons.Count - 1;
                    }
                    cellsOfReason[note].Add($"k={k} {entry.ShortDescription}");
                    row[c + 1] = $"— [{note + 1}]";
                }
            }
            table.Add(row);
        }
        AppendTable(s, header, table);

        if (Ranking.Count > 0)
        {
            s.AppendLine();
            int top = Math.Min(SummaryTopCount, Ranking.Count);
            s.AppendLine(inv, $"Best {(top == 1 ? "model" : $"{top} models")} by {name}:");
            var best = new List<string[]>();
            for (int r = 0; r < top; r++)
            {
                var e = Ranking[r];
                best.Add([
                    (r + 1).ToString(inv), e.Description,
                    e.FittedModel!.ComponentCount == e.ComponentCount ? e.ComponentCount.ToString(inv) : $"{e.ComponentCount}→{e.FittedModel.ComponentCount}",
                    e.Value(Criterion).ToString("F3", inv), DifferenceFromBest(e).ToString("F3", inv)]);
            }
            AppendTable(s, ["rank", "model", "k", name, "difference"], best);
        }
        var notConverged = Entries.Where(e => e.Succeeded && !e.FittedModel!.Converged).ToArray();
        if (notConverged.Length > 0)
        {
            s.AppendLine();
            s.AppendLine(inv, $"Not converged within max_iter (the value is that of the last iteration): {string.Join(", ", notConverged.Select(e => $"k={e.ComponentCount} {e.ShortDescription}"))}.");
        }
        var collapsed = Entries.Where(e => e.Succeeded && e.FittedModel!.Fit is { Collapses.Count: > 0 }).ToArray();
        if (collapsed.Length > 0)
        {
            // A dropped component leaves the cell's model with fewer components than its row says.
            static string Events(SelectionEntry e)
            {
                var events = e.FittedModel!.Fit!.Collapses;
                int reseeded = events.Count(c => c.Action == CollapsePolicy.Reseed), dropped = events.Count - reseeded;
                var parts = new List<string>();
                if (reseeded > 0)
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"{reseeded} reseeded"));
                if (dropped > 0)
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"{dropped} dropped, {e.FittedModel.ComponentCount} components left"));
                return string.Create(CultureInfo.InvariantCulture, $"k={e.ComponentCount} {e.ShortDescription} ({string.Join(", ", parts)})");
            }
            s.AppendLine();
            s.AppendLine(inv, $"Collapsed components: {string.Join("; ", collapsed.Select(Events))}.");
        }
        if (reasons.Count > 0)
        {
            s.AppendLine();
            for (int i = 0; i < reasons.Count; i++)
                s.AppendLine(inv, $"[{i + 1}] {string.Join(", ", cellsOfReason[i])}: {reasons[i]}");
        }
        return s.ToString();
    }

    private static void AppendTable(StringBuilder s, string[] header, List<string[]> rows)
    {
        var widths = new int[header.Length];
        for (int c = 0; c < header.Length; c++)
            widths[c] = Math.Max(header[c].Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length));
        // Text columns (the model names) left-aligned, numbers right-aligned.
        bool Left(int c, string value) => c > 0 && value.Length > 0 && char.IsLetter(value[0]);
        string Line(string[] cells) => string.Join("  ", cells.Select((v, c) => Left(c, v) ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))).TrimEnd();
        // A header is aligned like its column's first value.
        s.AppendLine(string.Join("  ", header.Select((h, c) => rows.Count > 0 && Left(c, rows[0][c]) ? h.PadRight(widths[c]) : h.PadLeft(widths[c]))).TrimEnd());
        foreach (var row in rows)
            s.AppendLine(Line(row));
    }
}
