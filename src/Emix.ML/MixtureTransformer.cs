using Microsoft.ML;
using Microsoft.ML.Data;

namespace Emix.ML;

/// <summary>
/// A fitted Emix mixture in an ML.NET pipeline: adds <see cref="MixtureColumns.PredictedLabel"/>,
/// <see cref="MixtureColumns.Score"/> (p(j | x)), <see cref="MixtureColumns.LogLikelihood"/> and
/// <see cref="MixtureColumns.NegativeLogProbability"/> to a view, lazily (rows are scored as a cursor
/// reaches them), and serves <c>CreatePredictionEngine</c> as a row-to-row mapper.
/// </summary>
/// <remarks>
/// ML.NET's model zip (<c>mlContext.Model.Save</c>) cannot hold this transformer: it stores only
/// transformers that write themselves through <c>ModelSaveContext</c>, whose members are internal to
/// ML.NET, and loads only classes it registers itself (dotnet/machinelearning#4911). So
/// <see cref="ICanSaveModel.Save"/> throws; save the model with <see cref="Save(string)"/> (Emix's own
/// model file, the same one <c>emix fit</c> writes and <c>emix predict</c> reads) and rebuild the
/// transformer with <see cref="Load"/>. <c>CustomMapping</c> does not help: it saves only a contract
/// name, so the fitted parameters would still have to come from a file of one's own.
/// </remarks>
public sealed class MixtureTransformer : ITransformer
{
    private readonly DataViewSchema _outputColumns;

    /// <summary>Wraps a fitted model that reads its features from <paramref name="featureColumnName"/>.</summary>
    /// <param name="model">Any fitted Emix mixture.</param>
    /// <param name="featureColumnName">The column of features, a vector (or scalar) of <see cref="float"/> or <see cref="double"/> of the model's feature count.</param>
    public MixtureTransformer(MixtureModel model, string featureColumnName = "Features")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(featureColumnName);
        Model = model;
        FeatureColumnName = featureColumnName;
        _outputColumns = MixtureColumns.Schema(model.ComponentCount);
    }

    /// <summary>The fitted model.</summary>
    public MixtureModel Model { get; }

    /// <summary>The column the features are read from.</summary>
    public string FeatureColumnName { get; }

    /// <summary>True: the transformer maps each row alone, so prediction engines can use it.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input columns followed by the four output columns (which hide input columns of the same names).</summary>
    /// <exception cref="DataFormatException">The feature column is missing, not numeric, or of another width than the model's.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckFeatures(inputSchema, "data view");
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumns(_outputColumns);
        return builder.ToSchema();
    }

    /// <summary>A view of <paramref name="input"/> with the output columns, computed as a cursor reads them.</summary>
    /// <exception cref="DataFormatException">The feature column is missing, not numeric, or of another width than the model's.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredView(this, input, GetOutputSchema(input.Schema));
    }

    /// <summary>The row-to-row mapper prediction engines use.</summary>
    /// <exception cref="DataFormatException">The feature column is missing, not numeric, or of another width than the model's.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new RowMapper(this, inputSchema, GetOutputSchema(inputSchema));
    }

    /// <summary>Writes the model as Emix's model file (what <c>emix fit -o</c> writes).</summary>
    public void Save(string path) => Model.Save(path);

    /// <summary>Reads an Emix model file of any family and wraps it.</summary>
    /// <exception cref="ModelFormatException">The file is not an Emix model.</exception>
    public static MixtureTransformer Load(string path, string featureColumnName = "Features") =>
        new(MixtureModel.LoadAny(path), featureColumnName);

    /// <summary>Always throws: ML.NET's model zip cannot hold a transformer from outside ML.NET (see the remarks).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "ML.NET's model zip cannot hold Emix's transformer (ML.NET saves only its own transformers: dotnet/machinelearning#4911); "
            + "save the model with MixtureTransformer.Save(path) and load it with MixtureTransformer.Load(path).");

    private DataViewSchema.Column CheckFeatures(DataViewSchema schema, string source)
    {
        var column = DataViewRowSource.NumericColumn(schema, FeatureColumnName, source, out _, out int size, vectorAllowed: true);
        if (size != Model.FeatureCount)
        {
            throw new DataFormatException(
                $"{source}: column '{FeatureColumnName}' has {size} feature{(size == 1 ? "" : "s")}, but the model was fitted on {Model.FeatureCount} ({string.Join(", ", Model.FeatureNames)}).");
        }
        return column;
    }

    /// <summary>Output columns of one row, computed once per row position from its features.</summary>
    private sealed class RowScorer
    {
        private readonly MixtureModel _model;
        private readonly DataViewRow _input;
        private readonly Func<double[]> _readFeatures;
        private readonly double[] _row;
        private readonly float[] _probabilities;
        private readonly float[] _negativeLog;
        private long _scoredPosition = -1;
        private uint _label;
        private double _logLikelihood;

        public RowScorer(MixtureModel model, DataViewRow input, DataViewSchema.Column features)
        {
            _model = model;
            _input = input;
            _row = new double[model.FeatureCount];
            _probabilities = new float[model.ComponentCount];
            _negativeLog = new float[model.ComponentCount];
            _readFeatures = FeatureReader(input, features, _row);
        }

        public Delegate GetterFor(string name) => name switch
        {
            MixtureColumns.PredictedLabel => (ValueGetter<uint>)((ref uint value) =>
            {
                Score();
                value = _label;
            }),
            MixtureColumns.Score => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                Score();
                Write(_probabilities, ref value);
            }),
            MixtureColumns.LogLikelihood => (ValueGetter<double>)((ref double value) =>
            {
                Score();
                value = _logLikelihood;
            }),
            MixtureColumns.NegativeLogProbability => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                Score();
                Write(_negativeLog, ref value);
            }),
            _ => throw new InvalidOperationException($"no output column '{name}'"),
        };

        private static void Write(float[] source, ref VBuffer<float> value)
        {
            var editor = VBufferEditor.Create(ref value, source.Length);
            source.CopyTo(editor.Values);
            value = editor.Commit();
        }

        private void Score()
        {
            if (_scoredPosition == _input.Position)
                return;
            var data = DataSet.Wrap(_readFeatures(), _row.Length, _model.FeatureNames, "data view row");
            var probabilities = _model.PredictProbabilities(data);
            _logLikelihood = _model.ScoreSamples(data)[0];
            int best = 0;
            for (int j = 0; j < _probabilities.Length; j++)
            {
                _probabilities[j] = (float)probabilities[0, j];
                _negativeLog[j] = (float)-Math.Log(probabilities[0, j]);
                if (probabilities[0, j] > probabilities[0, best])
                    best = j;
            }
            _label = (uint)best + 1;
            _scoredPosition = _input.Position;
        }

        // A fresh array per row: DataSet.Wrap owns the array it is given.
        private static Func<double[]> FeatureReader(DataViewRow input, DataViewSchema.Column features, double[] scratch)
        {
            int d = scratch.Length;
            if (features.Type is VectorDataViewType vector)
            {
                if (vector.ItemType == NumberDataViewType.Double)
                {
                    var getter = input.GetGetter<VBuffer<double>>(features);
                    VBuffer<double> buffer = default;
                    return () =>
                    {
                        getter(ref buffer);
                        var row = new double[d];
                        buffer.CopyTo(row);
                        return row;
                    };
                }
                var singles = input.GetGetter<VBuffer<float>>(features);
                VBuffer<float> singleBuffer = default;
                return () =>
                {
                    singles(ref singleBuffer);
                    var row = new double[d];
                    foreach (var (index, value) in singleBuffer.Items())
                        row[index] = value;
                    return row;
                };
            }
            if (features.Type == NumberDataViewType.Double)
            {
                var getter = input.GetGetter<double>(features);
                return () =>
                {
                    double value = 0;
                    getter(ref value);
                    return [value];
                };
            }
            var single = input.GetGetter<float>(features);
            return () =>
            {
                float value = 0;
                single(ref value);
                return [value];
            };
        }
    }

    /// <summary>The input view with the output columns.</summary>
    private sealed class ScoredView(MixtureTransformer parent, IDataView input, DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => input.CanShuffle;

        public DataViewSchema Schema => schema;

        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
            var inputNeeded = InputColumnsFor(parent, input.Schema, needed);
            return new ScoredCursor(parent, input.GetRowCursor(inputNeeded, rand), schema, needed);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];
    }

    /// <summary>The input columns needed for <paramref name="needed"/> output columns: those passed through, and the features when a score is needed.</summary>
    private static List<DataViewSchema.Column> InputColumnsFor(MixtureTransformer parent, DataViewSchema input, ICollection<int> needed)
    {
        var columns = needed.Where(i => i < input.Count).Select(i => input[i]).ToList();
        if (needed.Any(i => i >= input.Count))
            columns.Add(parent.CheckFeatures(input, "data view"));
        return columns;
    }

    /// <summary>Getters of a row of the scored view: input columns pass through, outputs come from a <see cref="RowScorer"/>.</summary>
    private sealed class ScoredRow
    {
        private readonly DataViewRow _input;
        private readonly DataViewSchema _schema;
        private readonly ICollection<int> _active;
        private readonly RowScorer? _scorer;

        public ScoredRow(MixtureTransformer parent, DataViewRow input, DataViewSchema schema, ICollection<int> active)
        {
            _input = input;
            _schema = schema;
            _active = active;
            if (active.Any(i => i >= input.Schema.Count))
                _scorer = new RowScorer(parent.Model, input, parent.CheckFeatures(input.Schema, "data view"));
        }

        public bool IsActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsActive(column))
                throw new InvalidOperationException($"column '{column.Name}' was not asked for when the cursor was made.");
            if (column.Index < _input.Schema.Count)
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            return _scorer!.GetterFor(_schema[column.Index].Name) as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}.");
        }
    }

    private sealed class ScoredCursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly ScoredRow _row;

        public ScoredCursor(MixtureTransformer parent, DataViewRowCursor input, DataViewSchema schema, ICollection<int> active)
        {
            _input = input;
            Schema = schema;
            _row = new ScoredRow(parent, input, schema, active);
        }

        public override DataViewSchema Schema { get; }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool MoveNext() => _input.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class RowMapper(MixtureTransformer parent, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => inputSchema;

        public DataViewSchema OutputSchema => outputSchema;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
            InputColumnsFor(parent, inputSchema, dependingColumns.Select(c => c.Index).ToHashSet());

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
            new MappedRow(new ScoredRow(parent, input, outputSchema, activeColumns.Select(c => c.Index).ToHashSet()), input, outputSchema);
    }

    private sealed class MappedRow(ScoredRow row, DataViewRow input, DataViewSchema schema) : DataViewRow
    {
        public override DataViewSchema Schema => schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => row.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsActive(column);
    }
}
