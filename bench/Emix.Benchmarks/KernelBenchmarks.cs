using BenchmarkDotNet.Attributes;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Benchmarks;

/// <summary>
/// One EM iteration (E-step, statistics, M-step) per covariance type and kernel variant, on
/// workloads shaped like bench/compare's W2 (n=1e6, d=2, k=5), W3 (2e5, 32, 16) and W6 (1e5, 8, 8).
/// Warm start from a converged-ish model makes each invocation exactly one iteration.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    [Params("W2-full", "W3-full", "W6-full", "W6-tied", "W6-diag", "W6-spherical")]
    public string Workload { get; set; } = "W6-full";

    [Params(KernelVariant.Scalar, KernelVariant.Vector256, KernelVariant.Vector512)]
    public KernelVariant Kernel { get; set; }

    private DataSet _data = null!;
    private GaussianMixtureModel _start = null!;
    private GaussianMixture _oneIteration = null!;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Workload.Split('-');
        var (n, d, k) = parts[0] switch
        {
            "W2" => (1_000_000, 2, 5),
            "W3" => (200_000, 32, 16),
            _ => (100_000, 8, 8),
        };
        if (!Emix.MixtureNames.TryParseCovarianceType(parts[1], out var type))
            throw new ArgumentException(Workload);
        var rng = new Random(1);
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                values[(i * d) + a] = (i % k) * 3.0 + rng.NextDouble() * 2;
        _data = DataSet.Wrap(values, d);
        var options = new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type, MaxIterations = 2, Init = InitMethod.RandomFromData, Kernel = Kernel };
        _start = new GaussianMixture(options).Fit(_data);
        _oneIteration = new GaussianMixture(options with { MaxIterations = 1, Tolerance = 0 });
    }

    [Benchmark]
    public double Iteration() => _oneIteration.Fit(_data, _start).LowerBound;
}
