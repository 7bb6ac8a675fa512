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
BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(args);
