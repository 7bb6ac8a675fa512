using System.Globalization;
using Microsoft.Data.Analysis;

namespace Emix.ML;

/// <summary>
/// Emix data sets from <see cref="DataFrame"/> columns (nulls as missing cells), and a model's
/// predictions and probabilities back as columns. A <see cref="DataFrame"/> is also an ML.NET
/// <c>IDataView</c>, so <see cref="MixtureTrainer"/> fits on it too (its columns concatenated into one).
/// </summary>
public static class DataFrameExtensions
{
    /// <summary>
    /// Copies the named numeric columns (any of the frame's numeric column types) into a data set,
    /// row-major; a null becomes a missing cell (NaN), which a Gaussian fit treats as missing at random
    /// (see docs/missing-values.md) and the other families refuse.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="columns">The feature columns by name, in order; null for every numeric column of the frame.</param>
    /// <param name="source">Where the rows come from, for messages (default "data frame").</param>
    /// <exception cref="DataFormatException">A column is missing or not numeric, the frame has no rows, or a value is infinite.</exception>
    public static DataSet ToDataSet(this DataFrame frame, IReadOnlyList<string>? columns = null, string source = "data frame")
    {
        ArgumentNullException.ThrowIfNull(frame);
        var chosen = Choose(frame, columns, source);
        long n = frame.Rows.Count;
        if (n == 0)
            throw new DataFormatException($"{source}: no data rows.");
        int d = chosen.Length;
        if (n * d > Array.MaxLength)
            throw new DataFormatException($"{source}: too many values for one data set (more than {Array.MaxLength}).");
        var values = new double[n * d];
        bool anyNull = false;
        for (int j = 0; j < d; j++)
            anyNull |= CopyColumn(chosen[j], values, j, d);
        var names = chosen.Select(c => c.Name).ToArray();
        return anyNull ? DataSet.WrapWithMissing(values, d, names, source) : DataSet.Wrap(values, d, names, source);
    }

    /// <summary>The most probable component of each row (0-based, as <c>emix predict</c>) as an Int32 column.</summary>
    /// <param name="model">A fitted model.</param>
    /// <param name="frame">The rows, with the model's feature columns (by name) among its columns.</param>
    /// <param name="name">The column's name.</param>
    /// <exception cref="DataFormatException">A feature column of the model is missing or not numeric.</exception>
    public static PrimitiveDataFrameColumn<int> PredictColumn(this MixtureModel model, DataFrame frame, string name = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(model);
        var labels = model.Predict(frame.ToDataSet(model.FeatureNames));
        return new PrimitiveDataFrameColumn<int>(name, labels);
    }

    /// <summary>p(j | x) of every component j as one Double column each, named <paramref name="prefix"/> followed by j.</summary>
    /// <param name="model">A fitted model.</param>
    /// <param name="frame">The rows, with the model's feature columns (by name) among its columns.</param>
    /// <param name="prefix">The start of the columns' names.</param>
    /// <exception cref="DataFormatException">A feature column of the model is missing or not numeric.</exception>
    public static PrimitiveDataFrameColumn<double>[] ProbabilityColumns(this MixtureModel model, DataFrame frame, string prefix = "Probability")
    {
        ArgumentNullException.ThrowIfNull(model);
        var probabilities = model.PredictProbabilities(frame.ToDataSet(model.FeatureNames));
        int n = probabilities.GetLength(0), k = probabilities.GetLength(1);
        var result = new PrimitiveDataFrameColumn<double>[k];
        for (int j = 0; j < k; j++)
        {
            var values = new double[n];
            for (int i = 0; i < n; i++)
                values[i] = probabilities[i, j];
            result[j] = new PrimitiveDataFrameColumn<double>(prefix + j.ToString(CultureInfo.InvariantCulture), values);
        }
        return result;
    }

    /// <summary>
    /// Appends the predicted component (<c>PredictedLabel</c>), p(j | x) of each component
    /// (<c>Probability0</c>…) and the log density (<c>LogLikelihood</c>) of every row to the frame, and returns it.
    /// </summary>
    /// <param name="frame">The rows, with the model's feature columns (by name) among its columns.</param>
    /// <param name="model">A fitted model.</param>
    /// <exception cref="DataFormatException">A feature column of the model is missing or not numeric.</exception>
    public static DataFrame AddPredictions(this DataFrame frame, MixtureModel model)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(model);
        var data = frame.ToDataSet(model.FeatureNames);
        frame.Columns.Add(new PrimitiveDataFrameColumn<int>("PredictedLabel", model.Predict(data)));
        foreach (var column in model.ProbabilityColumns(frame))
            frame.Columns.Add(column);
        frame.Columns.Add(new PrimitiveDataFrameColumn<double>("LogLikelihood", model.ScoreSamples(data)));
        return frame;
    }

    private static DataFrameColumn[] Choose(DataFrame frame, IReadOnlyList<string>? columns, string source)
    {
        if (columns is null)
        {
            var numeric = frame.Columns.Where(c => c.IsNumericColumn()).ToArray();
            return numeric.Length > 0 ? numeric : throw new DataFormatException($"{source}: has no numeric column.");
        }
        if (columns.Count == 0)
            throw new DataFormatException($"{source}: no feature columns named.");
        return columns.Select(name =>
        {
            int index = frame.Columns.IndexOf(name);
            if (index < 0)
            {
                throw new DataFormatException(
                    $"{source}: there is no column named '{name}'; available columns: {string.Join(", ", frame.Columns.Select(c => c.Name))}.");
            }
            var column = frame.Columns[index];
            if (!column.IsNumericColumn())
                throw new DataFormatException($"{source}: column '{name}' holds {column.DataType.Name} values, not numbers; name a numeric column.");
            return column;
        }).ToArray();
    }

    /// <summary>Copies one column into its place in the row-major buffer; true when it held a null.</summary>
    private static bool CopyColumn(DataFrameColumn column, double[] values, int j, int d) => column switch
    {
        PrimitiveDataFrameColumn<double> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<float> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<int> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<long> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<short> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<byte> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<sbyte> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<uint> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<ulong> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<ushort> c => Copy(c, values, j, d, v => v),
        PrimitiveDataFrameColumn<decimal> c => Copy(c, values, j, d, v => (double)v),
        _ => throw new DataFormatException($"column '{column.Name}' holds {column.DataType.Name} values, not numbers; name a numeric column."),
    };

    private static bool Copy<T>(PrimitiveDataFrameColumn<T> column, double[] values, int j, int d, Func<T, double> widen)
        where T : unmanaged
    {
        bool anyNull = false;
        long n = column.Length;
        for (long i = 0; i < n; i++)
        {
            T? value = column[i];
            if (value is { } v)
            {
                values[(i * d) + j] = widen(v);
            }
            else
            {
                values[(i * d) + j] = double.NaN;
                anyNull = true;
            }
        }
        return anyNull;
    }
}
