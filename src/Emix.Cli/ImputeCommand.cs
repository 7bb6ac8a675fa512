using System.CommandLine;
using System.Globalization;
using Emix.Parquet;

namespace Emix.Cli;

/// <summary><c>emix impute MODEL DATA</c>: fills the missing cells of DATA with their conditional means under MODEL.</summary>
internal static class ImputeCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.ModelArgument();
        var data = CommonOptions.DataArgument();
        var output = CommonOptions.Output("Write the filled rows to this file instead of standard output: Parquet when it ends in .parquet, else CSV (observed cells written exactly, with the column names as header).");
        var variances = new Option<string?>("--variances")
        {
            Description = "Also write the conditional variance of every cell to this file (0 where the cell was observed), same layout.",
        };
        var command = new Command("impute", "Fill the missing cells (empty, NA, NaN) of DATA with their conditional means E[x_missing | x_observed] under MODEL.");
        command.Arguments.Add(model);
        command.Arguments.Add(data);
        command.Options.Add(output);
        command.Options.Add(variances);
        var dataOptions = CommonOptions.DataOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var m = GaussianMixtureModel.Load(parse.GetValue(model)!);
            string path = parse.GetValue(data)!;
            var rows = CommonOptions.ReadData(path, dataOptions.ReadOptions(parse) with { AllowMissing = true });
            var imputation = m.Impute(rows);
            int n = rows.RowCount, d = rows.FeatureCount;
            var names = rows.FeatureNames;
            if (parse.GetValue(variances) is { } variancePath)
            {
                var grid = imputation.Variances;
                CommonOptions.WriteTable(context, variancePath, Columns(names, n, d, (i, a) => grid[i, a]));
            }
            var filled = imputation.Values;
            string? outputPath = parse.GetValue(output);
            CommonOptions.WriteTable(context, outputPath, Columns(names, n, d, (i, a) => filled[i, a]));
            if (outputPath is not null)
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Imputed {imputation.ImputedCount} cell{(imputation.ImputedCount == 1 ? "" : "s")} of {n} rows; written to {outputPath}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static List<ParquetColumn> Columns(IReadOnlyList<string> names, int n, int d, Func<int, int, double> value)
    {
        var columns = new List<ParquetColumn>(d);
        for (int a = 0; a < d; a++)
        {
            var column = new double[n];
            for (int i = 0; i < n; i++)
                column[i] = value(i, a);
            columns.Add(ParquetColumn.Of(names[a], column));
        }
        return columns;
    }
}
