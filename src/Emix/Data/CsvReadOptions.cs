namespace Emix.Data;

/// <summary>Whether the first non-comment line of a delimited text file holds column names.</summary>
public enum HeaderMode
{
    /// <summary>
    /// The first non-comment line is a header when any of its non-empty cells is not a number
    /// (missing-value markers such as <c>NA</c> and <c>NaN</c> count as numbers here, so a first data
    /// row with a gap is still reported as a data row).
    /// </summary>
    Detect,

    /// <summary>The first non-comment line is always a header.</summary>
    Present,

    /// <summary>There is no header: the first non-comment line is data.</summary>
    Absent,
}

/// <summary>How <see cref="CsvReader"/> reads a delimited text file.</summary>
public sealed record CsvReadOptions
{
    /// <summary>
    /// The cell separator. <see langword="null"/> (the default) picks ',' for <c>.csv</c> files,
    /// a tab for <c>.tsv</c> and <c>.tab</c> files, and otherwise looks at the first non-comment line:
    /// a tab when it contains one, else ','.
    /// </summary>
    public char? Delimiter { get; init; }

    /// <summary>Whether the first non-comment line is a header; <see cref="HeaderMode.Detect"/> by default.</summary>
    public HeaderMode Header { get; init; } = HeaderMode.Detect;

    /// <summary>
    /// The columns to read, in the order given; <see langword="null"/> reads all of them. Each entry is a
    /// column name from the header, or a 1-based column index such as <c>"3"</c>. Without a header the
    /// default names <c>x1</c>, <c>x2</c>, … also select columns. An unknown name or an index out of range
    /// is a <see cref="DataFormatException"/> that lists the available columns.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>
    /// Whether missing cells are allowed: an empty cell, <c>NA</c>, <c>N/A</c>, <c>NaN</c>, <c>null</c>,
    /// <c>none</c> or <c>?</c> (any case) is read as NaN and the data set counts it in
    /// <see cref="RowSource.MissingCount"/>. False by default: such a cell is an error naming its row
    /// and column. Infinities are refused either way.
    /// </summary>
    public bool AllowMissing { get; init; }
}
