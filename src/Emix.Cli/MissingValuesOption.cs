using System.CommandLine;
using System.Globalization;

namespace Emix.Cli;

/// <summary>What a fit does with missing cells (<c>--missing</c>).</summary>
internal enum MissingValuePolicy
{
    /// <summary>A missing cell is an error naming its row and column (the default).</summary>
    Error,

    /// <summary>Rows with a missing cell are left out (listwise deletion).</summary>
    Drop,

    /// <summary>Every row is kept: EM for data missing at random on the observed cells.</summary>
    Em,
}

/// <summary>The <c>--missing</c> option and the note a fit prints about what it did with missing cells.</summary>
internal static class MissingValuesOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--missing")
        {
            Description = "Missing cells (empty, NA, NaN in text; NaN in .npy): error (stop at the first), drop (leave out rows with one) or em (EM for data missing at random on the observed cells; data are read into memory).",
            DefaultValueFactory = _ => "error",
        };
        option.AcceptOnlyFromAmong("error", "drop", "em");
        return option;
    }

    /// <summary><c>--missing</c> of the commands that evaluate a model on rows (predict, score): no dropping, rows stay aligned.</summary>
    public static Option<string> CreateForEvaluation()
    {
        var option = new Option<string>("--missing")
        {
            Description = "Missing cells (empty, NA, NaN in text; NaN in .npy): error (stop at the first) or em (use the marginal density of each row's observed cells).",
            DefaultValueFactory = _ => "error",
        };
        option.AcceptOnlyFromAmong("error", "em");
        return option;
    }

    /// <summary>Reads DATA for predict or score: missing cells allowed with <c>--missing em</c>.</summary>
    public static DataSet ReadForEvaluation(System.CommandLine.ParseResult parse, Option<string> missing, CommonOptions.DataOptions dataOptions, string path) =>
        Parse(parse.GetValue(missing)) == MissingValuePolicy.Em
            ? CommonOptions.ReadData(path, dataOptions.ReadOptions(parse) with { AllowMissing = true })
            : dataOptions.Read(parse, path);

    public static MissingValuePolicy Parse(string? text) => text switch
    {
        "drop" => MissingValuePolicy.Drop,
        "em" => MissingValuePolicy.Em,
        _ => MissingValuePolicy.Error,
    };

    /// <summary>Applies the policy to data read with missing cells allowed; <paramref name="note"/> says what was done (null when nothing was missing).</summary>
    public static DataSet Apply(DataSet data, MissingValuePolicy policy, out string? note)
    {
        note = null;
        if (!data.HasMissing)
            return data;
        var inv = CultureInfo.InvariantCulture;
        int incomplete = 0;
        for (int i = 0; i < data.RowCount; i++)
            incomplete += data.IsRowComplete(i) ? 0 : 1;
        if (policy == MissingValuePolicy.Drop)
        {
            var kept = data.DropIncompleteRows();
            note = string.Create(inv, $"{data.Source}: dropped {incomplete} of {data.RowCount} rows with a missing cell (--missing drop); {kept.RowCount} rows left.");
            return kept;
        }
        note = string.Create(inv, $"{data.Source}: {data.MissingCount} missing cell{(data.MissingCount == 1 ? "" : "s")} in {incomplete} of {data.RowCount} rows, fitted by EM for data missing at random (--missing em).");
        return data;
    }
}
