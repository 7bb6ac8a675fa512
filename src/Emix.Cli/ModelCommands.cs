using System.CommandLine;
using System.Globalization;
using Emix.Parquet;

namespace Emix.Cli;

/// <summary>Commands that use a saved model: predict, score, sample, info.</summary>
internal static class ModelCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Predict(CliContext context)
    {
        var model = CommonOptions.ModelArgument();
        var data = CommonOptions.DataArgument();
        var proba = new Option<bool>("--proba") { Description = "Also write the probability of each component (columns p0…p(k-1))." };
        var output = CommonOptions.Output("Write the predictions to this file instead of standard output: Parquet when it ends in .parquet, else CSV.");
        var command = new Command("predict", "Predict the component (0-based, as scikit-learn) of every row of DATA.");
        command.Arguments.Add(model);
        command.Arguments.Add(data);
        command.Options.Add(proba);
        command.Options.Add(output);
        var missing = MissingValuesOption.CreateForEvaluation();
        command.Options.Add(missing);
        var dataOptions = CommonOptions.DataOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var m = MixtureModel.LoadAny(parse.GetValue(model)!);
            var rows = MissingValuesOption.ReadForEvaluation(parse, missing, dataOptions, parse.GetValue(data)!);
            var labels = m.Predict(rows);
            var columns = new List<ParquetColumn> { ParquetColumn.Of("component", labels) };
            if (parse.GetValue(proba))
            {
                var p = m.PredictProbabilities(rows);
                for (int j = 0; j < m.ComponentCount; j++)
                {
                    var pj = new double[rows.RowCount];
                    for (int i = 0; i < pj.Length; i++)
                        pj[i] = p[i, j];
                    columns.Add(ParquetColumn.Of(string.Create(Inv, $"p{j}"), pj));
                }
            }
            CommonOptions.WriteTable(context, parse.GetValue(output), columns);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Score(CliContext context)
    {
        var model = CommonOptions.ModelArgument();
        var data = CommonOptions.DataArgument();
        var perSample = new Option<bool>("--per-sample") { Description = "Write log p(x) of every row instead of the mean." };
        var output = CommonOptions.Output("With --per-sample, write to this file instead of standard output: Parquet when it ends in .parquet, else CSV.");
        var command = new Command("score", "Mean log-likelihood per row of DATA under MODEL (scikit-learn's score), with BIC and AIC.");
        command.Arguments.Add(model);
        command.Arguments.Add(data);
        command.Options.Add(perSample);
        command.Options.Add(output);
        var missing = MissingValuesOption.CreateForEvaluation();
        command.Options.Add(missing);
        var dataOptions = CommonOptions.DataOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var m = MixtureModel.LoadAny(parse.GetValue(model)!);
            var rows = MissingValuesOption.ReadForEvaluation(parse, missing, dataOptions, parse.GetValue(data)!);
            if (parse.GetValue(perSample))
            {
                CommonOptions.WriteTable(context, parse.GetValue(output), [ParquetColumn.Of("log_likelihood", m.ScoreSamples(rows))]);
            }
            else
            {
                if (parse.GetValue(output) is not null)
                    throw new UsageException("--output is only used with --per-sample.");
                double score = m.Score(rows);
                context.Out.WriteLine(string.Create(Inv, $"score {score:R}"));
                context.Out.WriteLine(string.Create(Inv, $"log_likelihood {score * rows.RowCount:R}"));
                context.Out.WriteLine(string.Create(Inv, $"n_samples {rows.RowCount}"));
                context.Out.WriteLine(string.Create(Inv, $"bic {m.Bic(rows):R}"));
                context.Out.WriteLine(string.Create(Inv, $"aic {m.Aic(rows):R}"));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Sample(CliContext context)
    {
        var model = CommonOptions.ModelArgument();
        var count = new Option<int>("-n", "--count") { Description = "Number of rows to draw.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Seed of the draws.", DefaultValueFactory = _ => 0 };
        var output = CommonOptions.Output("Write the rows to this file instead of standard output: Parquet when it ends in .parquet, else CSV.");
        var command = new Command("sample", "Draw rows from MODEL; the last column is the component each came from.");
        command.Arguments.Add(model);
        command.Options.Add(count);
        command.Options.Add(seed);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count);
            if (n < 1)
                throw new UsageException($"-n {n}: the number of rows to draw must be at least 1.");
            var m = MixtureModel.LoadAny(parse.GetValue(model)!);
            var sample = m.Sample(n, parse.GetValue(seed));
            var columns = new List<ParquetColumn>();
            for (int a = 0; a < m.FeatureCount; a++)
            {
                var values = new double[n];
                for (int i = 0; i < n; i++)
                    values[i] = sample.Data[i, a];
                columns.Add(ParquetColumn.Of(m.FeatureNames[a], values));
            }
            columns.Add(ParquetColumn.Of("component", sample.Labels));
            CommonOptions.WriteTable(context, parse.GetValue(output), columns);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Info(CliContext context)
    {
        var model = CommonOptions.ModelArgument();
        var command = new Command("info", "Print the summary of a saved model.");
        command.Arguments.Add(model);
        command.SetAction(parse =>
        {
            context.Out.Write(MixtureModel.LoadAny(parse.GetValue(model)!).Summary());
            return ExitCodes.Success;
        });
        return command;
    }
}
