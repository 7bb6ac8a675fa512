// Peak memory of an ML.NET pipeline fit over a large IDataView, against the size of its rows.
//
//   dotnet run -c Release --project bench/Emix.Bench.ML -- write DIR [rows] [features]
//   dotnet run -c Release --project bench/Emix.Bench.ML -- fit DIR (binary|cached|frame|scan|frame-scan) [init-sample-rows|default] [rows]
//
// `write` makes DIR/rows.idv (ML.NET's binary format, a Double vector column "Features") and
// DIR/rows.npy (the same doubles, for `emix fit`). `fit` loads rows.idv, streamed from disk
// ("binary") or held in memory by ML.NET's cache ("cached", read once before the fit is measured), or
// makes the same rows as eight Double columns of a DataFrame ("frame": an in-memory view exactly the
// size of the doubles; DIR is then only where the model goes),
// fits k = 4 full-covariance components with the defaults of `emix fit`, writes DIR/pipeline.json
// and prints the peak resident memory the fit added (VmHWM after − VmRSS before, with the high-water
// mark reset before the fit) as a multiple of the rows' size (n × d × 8 bytes). Run each fit in its
// own process: the high-water mark is per process.
using System.Globalization;
using Emix;
using Emix.Data;
using Emix.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

string mode = args[0], dir = args[1];
var ml = new MLContext(seed: 1);
if (mode == "write")
{
    int n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
    int d = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8;
    Directory.CreateDirectory(dir);
    var values = new double[(long)n * d];
    Generate(n, d, (i, j, v) => values[((long)i * d) + j] = v);
    NpyWriter.Write(Path.Combine(dir, "rows.npy"), DataSet.Wrap(values, d));
    var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(i => new Row { Features = values.AsSpan(i * d, d).ToArray() }),
        SchemaDefinitionFor(d));
    using var stream = File.Create(Path.Combine(dir, "rows.idv"));
    ml.Data.SaveAsBinary(view, stream, keepHidden: false);
    Console.WriteLine($"wrote {n} x {d} to {dir}/rows.idv and rows.npy");
    return;
}

string kind = args[2];
long startRss = Status("VmRSS");
IDataView rows;
if (kind is "frame" or "frame-scan")
{
    // Eight Double columns of a DataFrame hold exactly the rows' doubles: an in-memory view of the data's own size.
    int n = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1_000_000;
    var columns = Enumerable.Range(0, 8).Select(j => new Microsoft.Data.Analysis.DoubleDataFrameColumn("x" + (j + 1), n)).ToArray();
    Generate(n, 8, (i, j, v) => columns[j][i] = v);
    var frame = new Microsoft.Data.Analysis.DataFrame(columns);
    rows = ml.Transforms.Concatenate("Features", columns.Select(c => c.Name).ToArray()).Fit(frame).Transform(frame);
}
else
{
    rows = ml.Data.LoadFromBinary(Path.Combine(dir, "rows.idv"));
}
int? sampleRows = args.Length > 3 && args[3] != "default" ? int.Parse(args[3], CultureInfo.InvariantCulture) : null;
IDataView input = rows;
if (kind is "scan" or "frame" or "frame-scan")
{
}
else if (kind == "cached")
{
    input = ml.Data.Cache(rows);
    using var warm = input.GetRowCursor(input.Schema);
    while (warm.MoveNext())
    {
    }
}
long count = input.GetRowCount() ?? 0;
int features = ((VectorDataViewType)input.Schema["Features"].Type).Size;
GC.Collect();
GC.WaitForPendingFinalizers();
GC.Collect();
File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
long before = Status("VmRSS");
if (kind is "scan" or "frame-scan")
{
    // What ML.NET's loader itself holds while cursors read the file: three cursors at once, as a fit on two threads keeps.
    var cursors = Enumerable.Range(0, 3).Select(_ => input.GetRowCursor(input.Schema)).ToArray();
    foreach (var cursor in cursors)
        while (cursor.MoveNext())
        {
        }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scan with 3 cursors: added {(Status("VmHWM") - before) / 1024.0:F1} MiB"));
    return;
}
var options = new GaussianMixtureOptions { ComponentCount = 4 };
if (sampleRows is { } s)
    options = options with { InitSampleRows = s };
var started = DateTime.UtcNow;
var transformer = new MixtureTrainer(new MixtureTrainerOptions { Mixture = options }).Fit(input);
double seconds = (DateTime.UtcNow - started).TotalSeconds;
long peak = Status("VmHWM");
transformer.Save(Path.Combine(dir, "pipeline.json"));
var scoring = System.Diagnostics.Stopwatch.StartNew();
long labelled = 0;
using (var cursor = transformer.Transform(input).GetRowCursor(transformer.GetOutputSchema(input.Schema).Where(c => c.Name == MixtureColumns.PredictedLabel)))
{
    var getter = cursor.GetGetter<uint>(cursor.Schema[MixtureColumns.PredictedLabel]);
    uint key = 0;
    while (cursor.MoveNext())
    {
        getter(ref key);
        labelled++;
    }
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Transform: {labelled} rows labelled in {scoring.Elapsed.TotalSeconds:F2} s"));
double size = count * features * 8.0;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{kind} view, {count} x {features} ({size / (1 << 20):F1} MiB of doubles), init sample {(sampleRows?.ToString(CultureInfo.InvariantCulture) ?? "default")}: "
    + $"RSS before {before / 1024.0:F1} MiB, peak {peak / 1024.0:F1} MiB, added {(peak - before) / 1024.0:F1} MiB = {(peak - before) * 1024.0 / size:F2} x the rows; "
    + $"peak over the process before the view was made {(peak - startRss) * 1024.0 / size:F2} x the rows; "
    + $"{transformer.Model.IterationCount} iterations in {seconds:F1} s"));

// Four blobs of unit normals (Box–Muller), the same values in every mode.
static void Generate(int n, int d, Action<int, int, double> set)
{
    var rng = new Random(7);
    for (int i = 0; i < n; i++)
    {
        int blob = i % 4;
        for (int j = 0; j < d; j++)
        {
            double u = 1 - rng.NextDouble(), v = rng.NextDouble();
            set(i, j, (blob * 3.0 * ((j % 2) == 0 ? 1 : -1)) + (Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v)));
        }
    }
}

static long Status(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith(field + ":", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    throw new InvalidOperationException(field + " not in /proc/self/status");
}

static SchemaDefinition SchemaDefinitionFor(int d)
{
    var schema = SchemaDefinition.Create(typeof(Row));
    schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Double, d);
    return schema;
}

internal sealed class Row
{
    public double[] Features { get; set; } = [];
}
