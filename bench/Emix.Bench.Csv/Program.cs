// Compares Emix's CSV reader with Sep on a numeric CSV (default 1e6 rows × 8 columns), in one process,
// alternating the readers, and prints the median of several runs of each. Usage:
//   dotnet run -c Release --project bench/Emix.Bench.Csv -- [rows] [runs] [file]
using System.Diagnostics;
using System.Globalization;
using Emix.Cli;
using Emix.Data;
using nietras.SeparatedValues;

int rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
string path = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), $"emix-bench-{rows}x8.csv");
const int Columns = 8;

if (!File.Exists(path))
{
    Console.WriteLine($"writing {path} ({rows} rows × {Columns} columns, shortest round-trip doubles)…");
    var random = new Random(42);
    using var writer = new StreamWriter(path);
    writer.WriteLine(string.Join(',', Enumerable.Range(1, Columns).Select(j => $"x{j}")));
    var line = new string[Columns];
    for (int i = 0; i < rows; i++)
    {
        for (int j = 0; j < Columns; j++)
            line[j] = ((random.NextDouble() - 0.5) * Math.Pow(10, j % 4)).ToString("R", CultureInfo.InvariantCulture);
        writer.WriteLine(string.Join(',', line));
    }
}
Console.WriteLine($"file: {path}, {new FileInfo(path).Length / 1e6:F1} MB; {Environment.ProcessorCount} logical cores; .NET {Environment.Version}");

var readers = new (string Name, Func<string, double[]> Read)[]
{
    ("Emix CsvReader (parallel blocks)", p => CsvReader.Read(p).Values.ToArray()),
    ("emix CLI: FastCsvReader (Sep)", p => FastCsvReader.TryRead(p, new CsvReadOptions())!.Values.ToArray()),
    ("Sep, one thread", ReadSep),
    ("Sep, ParallelEnumerate", ReadSepParallel),
};
var times = readers.Select(_ => new List<double>()).ToArray();
double[]? reference = null;
for (int run = 0; run < runs + 1; run++) // the first round warms up the JIT and the page cache
{
    for (int r = 0; r < readers.Length; r++)
    {
        GC.Collect();
        var clock = Stopwatch.StartNew();
        var values = readers[r].Read(path);
        double seconds = clock.Elapsed.TotalSeconds;
        reference ??= values;
        if (!values.AsSpan().SequenceEqual(reference))
            throw new InvalidOperationException($"{readers[r].Name} read different values.");
        if (run > 0)
            times[r].Add(seconds);
    }
}
Console.WriteLine($"median of {runs} runs (same values checked bit for bit):");
for (int r = 0; r < readers.Length; r++)
{
    var sorted = times[r].Order().ToArray();
    double median = sorted[sorted.Length / 2];
    Console.WriteLine($"  {readers[r].Name,-34} {median,7:F3} s  ({new FileInfo(path).Length / 1e6 / median,6:F0} MB/s; min {sorted[0]:F3}, max {sorted[^1]:F3})");
}

static double[] ReadSep(string path)
{
    using var reader = Sep.Reader(o => o with { HasHeader = true }).FromFile(path);
    var values = new List<double>(1 << 20);
    foreach (var row in reader)
        for (int j = 0; j < row.ColCount; j++)
            values.Add(row[j].Parse<double>());
    return values.ToArray();
}

static double[] ReadSepParallel(string path)
{
    using var reader = Sep.Reader(o => o with { HasHeader = true }).FromFile(path);
    var values = new List<double>(1 << 20);
    foreach (var row in reader.ParallelEnumerate(row =>
    {
        var parsed = new double[row.ColCount];
        for (int j = 0; j < parsed.Length; j++)
            parsed[j] = row[j].Parse<double>();
        return parsed;
    }))
        values.AddRange(row);
    return values.ToArray();
}
