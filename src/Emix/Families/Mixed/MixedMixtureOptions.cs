using System.Globalization;

namespace Emix;

/// <summary>The family of one column of a mixed-type mixture.</summary>
public enum FeatureFamily
{
    /// <summary>Normal, with a mean and a variance per component.</summary>
    Gaussian,

    /// <summary>Counts (non-negative integers), with a rate per component.</summary>
    Poisson,

    /// <summary>0/1 values, with a probability of 1 per component.</summary>
    Bernoulli,

    /// <summary>Integer codes, with a probability per level (the column's distinct values) and component.</summary>
    Categorical,
}

/// <summary>One column's family: the column by name or 1-based index, as <c>--families</c> writes it.</summary>
/// <param name="Column">A feature name, or a 1-based column index.</param>
/// <param name="Family">Its family.</param>
public sealed record ColumnFamily(string Column, FeatureFamily Family)
{
    /// <summary>The names of the families as the CLI and the model file write them.</summary>
    public static string NameOf(FeatureFamily family) => family switch
    {
        FeatureFamily.Gaussian => "gaussian",
        FeatureFamily.Poisson => "poisson",
        FeatureFamily.Bernoulli => "bernoulli",
        FeatureFamily.Categorical => "categorical",
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>The family called <paramref name="name"/> (case-insensitive); false when there is none.</summary>
    public static bool TryParseFamily(string name, out FeatureFamily family)
    {
        foreach (var candidate in Enum.GetValues<FeatureFamily>())
        {
            if (string.Equals(NameOf(candidate), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                family = candidate;
                return true;
            }
        }
        family = default;
        return false;
    }

    /// <summary>
    /// Reads "age:gaussian,visits:poisson,3:bernoulli": comma-separated COLUMN:FAMILY pairs, COLUMN a
    /// feature name or a 1-based index (a name containing ':' or ',' must be given by index).
    /// </summary>
    /// <exception cref="FormatException">A pair without ':', an empty column or an unknown family (the message names it).</exception>
    public static IReadOnlyList<ColumnFamily> ParseList(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = new List<ColumnFamily>();
        foreach (string raw in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = raw.LastIndexOf(':');
            if (colon <= 0)
                throw new FormatException($"'{raw}': expected COLUMN:FAMILY (a feature name or 1-based index, then gaussian, poisson, bernoulli or categorical).");
            string column = raw[..colon].Trim(), family = raw[(colon + 1)..];
            if (!TryParseFamily(family, out var parsed))
                throw new FormatException($"'{raw}': unknown family '{family}'; expected gaussian, poisson, bernoulli or categorical.");
            result.Add(new ColumnFamily(column, parsed));
        }
        if (result.Count == 0)
            throw new FormatException("no COLUMN:FAMILY pair given.");
        return result;
    }

    /// <summary>
    /// Each of the <paramref name="featureNames"/>' family: as listed (a name first, then a 1-based
    /// index), gaussian when not listed.
    /// </summary>
    /// <exception cref="ArgumentException">A listed column is not in the data, or a column is listed twice.</exception>
    public static FeatureFamily[] Resolve(IReadOnlyList<ColumnFamily> families, IReadOnlyList<string> featureNames, string source)
    {
        var result = new FeatureFamily[featureNames.Count];
        var listed = new bool[featureNames.Count];
        foreach (var entry in families)
        {
            int column = -1;
            for (int a = 0; a < featureNames.Count && column < 0; a++)
                if (featureNames[a] == entry.Column)
                    column = a;
            if (column < 0 && int.TryParse(entry.Column, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index >= 1 && index <= featureNames.Count)
                column = index - 1;
            if (column < 0)
                throw new ArgumentException($"{source}: no column '{entry.Column}' (by name or 1-based index) among {featureNames.Count}: {string.Join(", ", featureNames)}.");
            if (listed[column])
                throw new ArgumentException($"{source}: column {column + 1} ('{featureNames[column]}') is given a family twice.");
            listed[column] = true;
            result[column] = entry.Family;
        }
        return result;
    }
}

/// <summary>
/// Options of a mixed-type mixture fit (local independence: inside a component every column is
/// independent, each with its own family): those of every family, the columns' families (unlisted
/// columns are Gaussian), and the variance floor of Gaussian columns.
/// </summary>
public sealed record MixedMixtureOptions : MixtureOptions
{
    /// <summary>Families of the listed columns; every other column is Gaussian.</summary>
    public IReadOnlyList<ColumnFamily> Families { get; init; } = [];

    /// <summary>Non-negative value added to every Gaussian column's variance in the M-step (as the Gaussian family's reg_covar).</summary>
    public double RegCovar { get; init; } = Defaults.RegCovar;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        ArgumentNullException.ThrowIfNull(Families, nameof(Families));
        if (!(RegCovar >= 0) || double.IsPositiveInfinity(RegCovar))
            Fail(nameof(RegCovar), RegCovar, "must be a finite number >= 0.");
        foreach (var entry in Families)
        {
            if (entry is null || string.IsNullOrWhiteSpace(entry.Column) || !Enum.IsDefined(entry.Family))
                Fail(nameof(Families), entry, "every entry needs a column and a known family.");
        }
    }
}
