using System.Globalization;
using BenchmarkDotNet.Running;
using Emix.Benchmarks;

// `--floor` prints the machine's measured fp64 FMA rate and read bandwidth (inputs of the
// arithmetic floor in bench/compare); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "--floor")
{
    var (gflops, width) = MachineFloor.FmaGflops();
    double bandwidth = MachineFloor.ReadGigabytesPerSecond();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"gflops\": {gflops:F2}, \"vector_bits\": {width}, \"gbytes_per_s\": {bandwidth:F2}, \"cores\": {Environment.ProcessorCount}}}"));
    return;
}
if (args.Length == 5 && args[0] == "--profile")
{
    if (!Emix.MixtureNames.TryParseCovarianceType(args[3], out var type))
        throw new ArgumentException(args[3]);
    Profile.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), type, int.Parse(args[4], CultureInfo.InvariantCulture));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(args);
