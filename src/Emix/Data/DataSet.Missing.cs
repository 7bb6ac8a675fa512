namespace Emix;

/// <summary>Missing cells of a data set: how many, which rows are complete, and dropping the others.</summary>
public sealed partial class DataSet
{
    private readonly long _missingCount;

    /// <inheritdoc/>
    public override long MissingCount => _missingCount;

    /// <summary>
    /// Takes ownership of a row-major buffer (no copy) in which NaN marks a missing cell. Infinities
    /// are still refused, naming their row and column. A fit on such data is EM for data missing at
    /// random (see docs/missing-values.md); <see cref="DropIncompleteRows"/> gives the complete rows instead.
    /// </summary>
    /// <exception cref="DataFormatException">A value is infinite, or the buffer does not make whole rows.</exception>
    public static DataSet WrapWithMissing(double[] values, int featureCount, IReadOnlyList<string>? featureNames = null, string source = "array") =>
        WrapChecked(values, featureCount, featureNames, source, allowMissing: true);

    /// <summary>Whether row <paramref name="index"/> has no missing cell.</summary>
    public bool IsRowComplete(int index)
    {
        foreach (double v in Row(index))
            if (double.IsNaN(v))
                return false;
        return true;
    }

    /// <summary>
    /// The rows without a missing cell (copied, in order, with their sample weights), as listwise
    /// deletion (<c>--missing drop</c>) does. Returns this data set when nothing is missing.
    /// </summary>
    /// <exception cref="DataFormatException">Every row has a missing cell.</exception>
    public DataSet DropIncompleteRows()
    {
        if (!HasMissing)
            return this;
        int d = FeatureCount;
        var kept = new List<int>();
        for (int i = 0; i < RowCount; i++)
            if (IsRowComplete(i))
                kept.Add(i);
        if (kept.Count == 0)
            throw new DataFormatException($"{Source}: every one of the {RowCount} rows has a missing cell; nothing is left after dropping them. Use --missing em.");
        var values = new double[kept.Count * d];
        for (int r = 0; r < kept.Count; r++)
            Row(kept[r]).CopyTo(values.AsSpan(r * d, d));
        var result = Create(values, kept.Count, d, FeatureNames, Source);
        if (!IsWeighted)
            return result;
        var weights = new double[kept.Count];
        for (int r = 0; r < kept.Count; r++)
            weights[r] = Weights[kept[r]];
        return result.WithWeights(weights);
    }
}
