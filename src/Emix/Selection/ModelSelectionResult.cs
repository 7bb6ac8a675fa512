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

    /// <summary>The covariance types of the grid, in mclust's order (VII, VVI, EEE, VVV).</summary>
    public IReadOnlyList<CovarianceType> CovarianceTypes =>
        ModelSelectionOptions.Defaults.CovarianceTypes.Where(t => Entries.Any(e => e.CovarianceType == t)).ToArray();

    /// <summary>The cell (k, type), or null when it is not in the grid.</summary>
    public SelectionEntry? Find(int componentCount, CovarianceType covarianceType) =>
        Entries.FirstOrDefault(e => e.ComponentCount == componentCount && e.CovarianceType == covarianceType);

    /// <summary>How much worse <paramref name="entry"/> is than the best: its criterion minus the best's (≥ 0; NaN when failed).</summary>
    public double DifferenceFromBest(SelectionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Best is { } best ? entry.Value(Criterion) - best.Value(Criterion) : double.NaN;
    }
}
