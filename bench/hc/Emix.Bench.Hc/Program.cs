// Times Emix's hierarchical clustering (VVV on the SVD transform, as mclust's Mclust calls hc) on a CSV:
// one warm-up run, then REPS timed runs of HierarchicalClustering.Compute on the data in memory (the CSV
// read is not timed; the SVD transform is). With an R merges file (bench/hc/hc_time.R), also reports the first merge that differs.
//   dotnet run -c Release --project bench/hc/Emix.Bench.Hc -- DATA.csv [REPS] [R_MERGES] [THREADS]
using System.Diagnostics;
using System.Globalization;
using Emix;
using Emix.Data;

var data = CsvReader.Read(args[0]);
int reps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"Emix, .NET {Environment.Version}, {data.RowCount} x {data.FeatureCount}");
int? threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : null;
Console.WriteLine($"threads: {threads?.ToString(CultureInfo.InvariantCulture) ?? "all cores"}");
var options = new HierarchicalInitOptions();
var clustering = HierarchicalClustering.Compute(data, options, 0, threads);
var times = new List<double>();
for (int r = 1; r <= reps; r++)
{
    var watch = Stopwatch.StartNew();
    clustering = HierarchicalClustering.Compute(data, options, 0, threads);
    times.Add(watch.Elapsed.TotalSeconds);
    Console.WriteLine($"Emix hc run {r}: {times[^1]:F3} s");
}
times.Sort();
Console.WriteLine($"Emix hc median: {times[times.Count / 2]:F3} s");
if (args.Length > 2)
{
    var expected = File.ReadAllLines(args[2]).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture) - 1, int.Parse(f[1], CultureInfo.InvariantCulture) - 1)).ToArray();
    int first = Enumerable.Range(0, expected.Length).FirstOrDefault(s => expected[s] != clustering.Merges[s], -1);
    Console.WriteLine(first < 0
        ? $"merges: all {expected.Length} equal mclust's"
        : $"merges: first difference at step {first + 1} of {expected.Length}");
    for (int k = 2; k <= 9; k++)
    {
        // hclass from mclust's merges, to compare partitions even where a late merge differs.
        Console.Write($"k={k}: {(SamePartition(expected, clustering, k, data.RowCount) ? "equal" : "differs")}  ");
    }
    Console.WriteLine();
}

static bool SamePartition((int, int)[] expected, HierarchicalClustering clustering, int k, int n)
{
    var name = Enumerable.Range(0, n).ToArray();
    for (int s = 0; s < n - k; s++)
    {
        var (a, b) = expected[s];
        for (int i = 0; i < n; i++)
            if (name[i] == b)
                name[i] = a;
    }
    var mine = clustering.Partition(k);
    var map = new Dictionary<int, int>();
    for (int i = 0; i < n; i++)
    {
        if (!map.TryGetValue(name[i], out int label))
            map[name[i]] = label = map.Count;
        if (label != mine[i])
            return false;
    }
    return true;
}
