using System.Diagnostics;
using System.Globalization;
using Emix.Families.Gaussian;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Benchmarks;

/// <summary>
/// `--profile FILE.npy k type threads`: times the parts of one EM iteration (E-step statistics,
/// M-step, an evaluation pass) in process CPU time and wall time, to see where an iteration goes.
/// </summary>
internal static class Profile
{
    public static void Run(string path, int k, CovarianceType type, int threads)
    {
        var data = Emix.Data.NpyReader.Read(path);
        foreach (var variant in KernelSelector.Supported)
        {
            var options = new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type, Init = InitMethod.RandomFromData, MaxIterations = 1, Kernel = variant, MaxDegreeOfParallelism = threads };
            var model = new GaussianMixture(options).Fit(data);
            var p = model.Parameters;
            var family = GaussianFamily.For(KernelSelector.Create(variant), data);
            double[] stats = [];
            Time($"{variant,-9} E-step+statistics", () => stats = Engine.Passes.EStep(family, data, p, options.ChunkRows, threads, default).Values);
            Time($"{variant,-9} M-step", () => GaussianParameters.Create(p.Structure, k, data.FeatureCount,
                GaussianEm.MStepValues(p.Structure, k, data.FeatureCount, stats, p.Means, options.RegCovar, null, null)));
            Time($"{variant,-9} log-likelihood pass", () => Engine.Passes.LogLikelihood(family, data, p, threads));
        }
    }

    private static void Time(string what, Action action)
    {
        action();
        double bestWall = double.MaxValue, bestCpu = double.MaxValue;
        for (int rep = 0; rep < 15; rep++)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            action();
            bestWall = Math.Min(bestWall, clock.Elapsed.TotalMilliseconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalMilliseconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-40} wall {bestWall,9:F2} ms   cpu {bestCpu,9:F2} ms"));
    }
}
