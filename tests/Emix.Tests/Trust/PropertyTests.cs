using CsCheck;
using Emix.Internals;

namespace Emix.Tests.Trust;

/// <summary>
/// Properties over random mixtures and data (CsCheck): every run draws new cases; a failure prints the seed
/// that reproduces it (pass it as <c>seed:</c> to <c>Sample</c>). Fits run on one thread with a fixed number
/// of iterations where two fits are compared, so that both take the same EM path.
/// </summary>
public class PropertyTests
{
    /// <summary>Cases per property (each is one or two small fits); EMIX_PROPERTY_ITERATIONS runs more.</summary>
    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("EMIX_PROPERTY_ITERATIONS"), out int count) && count > 0 ? count : 25;

    /// <summary>A random mixture of k components in d dimensions with well-conditioned covariances.</summary>
    public sealed record Mixture(CovarianceType Type, int K, int D, double[] Weights, double[] Means, double[] Covariances, long Seed)
    {
        public GaussianMixtureModel Model => GaussianMixtureModel.Create(Type, Weights, To2D(Means, K, D), Covariances);

        public DataSet Data(int n) => Model.Sample(n, Seed).Data;

        public InitialParameters Initial => new() { Weights = Weights, Means = Means, Covariances = Covariances };

        public override string ToString() => $"{Type} k={K} d={D} seed={Seed}";
    }

    private static double[,] To2D(double[] flat, int rows, int columns)
    {
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                result[i, j] = flat[(i * columns) + j];
        return result;
    }

    /// <summary>Builds a mixture from a seed: means in [−8, 8]ᵈ, Σ = L·Lᵀ with L's diagonal in [0.5, 1.5].</summary>
    public static Mixture MakeMixture(CovarianceType type, int k, int d, long seed)
    {
        var rng = new RandomSource(seed);
        double Uniform(double lo, double hi) => lo + ((hi - lo) * rng.NextDouble());
        var weights = new double[k];
        for (int j = 0; j < k; j++)
            weights[j] = Uniform(1, 3);
        double total = weights.Sum();
        for (int j = 0; j < k; j++)
            weights[j] /= total;
        var means = new double[k * d];
        for (int i = 0; i < means.Length; i++)
            means[i] = Uniform(-8, 8);

        double[] Spd()
        {
            var l = new double[d * d];
            for (int a = 0; a < d; a++)
            {
                l[(a * d) + a] = Uniform(0.5, 1.5);
                for (int b = 0; b < a; b++)
                    l[(a * d) + b] = Uniform(-0.5, 0.5);
            }
            var s = new double[d * d];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    for (int c = 0; c < d; c++)
                        s[(a * d) + b] += l[(a * d) + c] * l[(b * d) + c];
            return s;
        }

        double[] covariances = type switch
        {
            CovarianceType.Full => Enumerable.Range(0, k).SelectMany(_ => Spd()).ToArray(),
            CovarianceType.Tied => Spd(),
            CovarianceType.Diagonal => Enumerable.Range(0, k * d).Select(_ => Uniform(0.25, 2.25)).ToArray(),
            _ => Enumerable.Range(0, k).Select(_ => Uniform(0.25, 2.25)).ToArray(),
        };
        return new Mixture(type, k, d, weights, means, covariances, seed);
    }

    private static readonly Gen<Mixture> Mixtures =
        from type in Gen.Int[0, 3].Select(i => MixtureNames.CovarianceTypes[i])
        from k in Gen.Int[1, 4]
        from d in Gen.Int[1, 4]
        from seed in Gen.Long
        select MakeMixture(type, k, d, seed);

    private static GaussianMixtureOptions Options(Mixture m, int iterations = 10) => new()
    {
        ComponentCount = m.K,
        CovarianceType = m.Type,
        InitialParameters = m.Initial,
        MaxIterations = iterations,
        Tolerance = 0,
        MaxDegreeOfParallelism = 1,
        ChunkRows = 64, // several chunks even for small data, so that orders of summation really differ
    };

    [Fact]
    public void Responsibilities_are_probabilities_summing_to_one()
    {
        Mixtures.Sample(m =>
        {
            var data = m.Data(200);
            var model = new GaussianMixture(new() { ComponentCount = m.K, CovarianceType = m.Type, Seed = m.Seed, MaxDegreeOfParallelism = 1 }).Fit(data);
            var p = model.PredictProbabilities(data);
            for (int i = 0; i < data.RowCount; i++)
            {
                double sum = 0;
                for (int j = 0; j < m.K; j++)
                {
                    Assert.InRange(p[i, j], 0.0, 1.0);
                    sum += p[i, j];
                }
                Assert.Equal(1.0, sum, 1e-12);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void The_lower_bound_never_decreases()
    {
        // EM's guarantee holds for the exact M-step, i.e. reg_covar = 0: the lower bound never decreases
        // (to rounding). reg_covar > 0 adds reg·I after the M-step, which is then no longer the maximiser, and
        // the bound can dip by a tiny amount (seen: 1.9e-8 per row at -5.73, full, k = 3, d = 3, 31st
        // iteration from a random start): with the default 1e-6 a dip is allowed up to 1e-6 per row.
        // Without regularisation some random starts collapse a component: that is the documented error,
        // not a broken promise, and such cases are passed over.
        Mixtures.Sample(m =>
        {
            var data = m.Data(300);
            foreach (var init in new[] { InitMethod.KMeans, InitMethod.Random })
            {
                foreach (double reg in new[] { 0.0, GaussianMixtureOptions.Defaults.RegCovar })
                {
                    GaussianMixtureModel model;
                    try
                    {
                        model = new GaussianMixture(new()
                        {
                            ComponentCount = m.K, CovarianceType = m.Type, Init = init, Seed = m.Seed, RegCovar = reg,
                            Tolerance = 1e-10, MaxIterations = 60, MaxDegreeOfParallelism = 1,
                        }).Fit(data);
                    }
                    catch (NumericalFailureException) when (reg == 0)
                    {
                        continue;
                    }
                    var history = model.LowerBoundHistory;
                    for (int i = 1; i < history.Count; i++)
                    {
                        double allowed = reg == 0 ? 1e-11 * Math.Max(1, Math.Abs(history[i - 1])) : 1e-6 * Math.Max(1, Math.Abs(history[i - 1]));
                        Assert.True(history[i] >= history[i - 1] - allowed,
                            $"{m} {init} reg_covar={reg}: iteration {i + 1}: {history[i]:R} < {history[i - 1]:R}");
                    }
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Permuting_rows_gives_the_same_model_to_rounding()
    {
        // Same initial parameters, same number of iterations: only the order in which chunk statistics are
        // summed changes, so parameters agree to rounding (not bits). A random initialisation would not
        // agree at all: it draws row indices, which name different rows after a permutation.
        var cases = from m in Mixtures from shuffleSeed in Gen.Long select (m, shuffleSeed);
        cases.Sample((m, shuffleSeed) =>
        {
            var data = m.Data(300);
            var order = Enumerable.Range(0, data.RowCount).ToArray();
            new Random(unchecked((int)shuffleSeed)).Shuffle(order);
            var shuffled = DataSet.FromRows(order.Select(i => data.Row(i).ToArray()).ToArray());

            var a = new GaussianMixture(Options(m)).Fit(data);
            var b = new GaussianMixture(Options(m)).Fit(shuffled);
            Near(a.Weights, b.Weights, 1e-9, "weights");
            Near(Fixtures.Flatten(a.Means), Fixtures.Flatten(b.Means), 1e-9, "means");
            Near(a.Covariances, b.Covariances, 1e-9, "covariances");
            Assert.Equal(a.LowerBound, b.LowerBound, 1e-10 * Math.Max(1, Math.Abs(a.LowerBound)));
        }, iter: Iterations);
    }

    [Fact]
    public void Relabelling_the_initial_components_permutes_the_fitted_parameters()
    {
        var cases = from m in Mixtures from permutationSeed in Gen.Long select (m, permutationSeed);
        cases.Sample((m, permutationSeed) =>
        {
            var data = m.Data(300);
            var perm = Enumerable.Range(0, m.K).ToArray();
            new Random(unchecked((int)permutationSeed)).Shuffle(perm); // new component j is old component perm[j]
            var relabelled = m with
            {
                Weights = perm.Select(j => m.Weights[j]).ToArray(),
                Means = perm.SelectMany(j => m.Means.Skip(j * m.D).Take(m.D)).ToArray(),
                Covariances = PermuteCovariances(m, perm),
            };

            var a = new GaussianMixture(Options(m)).Fit(data);
            var b = new GaussianMixture(Options(relabelled)).Fit(data);
            var aMeans = Fixtures.Flatten(a.Means);
            var bMeans = Fixtures.Flatten(b.Means);
            for (int j = 0; j < m.K; j++)
            {
                Assert.Equal(a.Weights[perm[j]], b.Weights[j], 1e-9);
                Near(aMeans.Skip(perm[j] * m.D).Take(m.D).ToArray(), bMeans.Skip(j * m.D).Take(m.D).ToArray(), 1e-9, "means");
            }
            Near(PermuteCovariances(m with { Covariances = a.Covariances }, perm), b.Covariances, 1e-9, "covariances");
            // Log-sum-exp adds the components in another order: the same to rounding.
            Assert.Equal(a.LowerBound, b.LowerBound, 1e-10 * Math.Max(1, Math.Abs(a.LowerBound)));
        }, iter: Iterations);
    }

    private static double[] PermuteCovariances(Mixture m, int[] perm) => m.Type switch
    {
        CovarianceType.Full => perm.SelectMany(j => m.Covariances.Skip(j * m.D * m.D).Take(m.D * m.D)).ToArray(),
        CovarianceType.Tied => m.Covariances,
        CovarianceType.Diagonal => perm.SelectMany(j => m.Covariances.Skip(j * m.D).Take(m.D)).ToArray(),
        _ => perm.Select(j => m.Covariances[j]).ToArray(),
    };

    [Fact]
    public void An_affine_map_of_the_data_maps_the_fitted_parameters_and_shifts_the_log_likelihood_by_log_det()
    {
        // x → A·x + b with A general (full, tied), diagonal (diag) or c·I (spherical): the structures that
        // are closed under such maps. reg_covar = 0, since adding reg·I does not commute with A.
        var cases = from m in Mixtures from mapSeed in Gen.Long select (m, mapSeed);
        cases.Sample((m, mapSeed) =>
        {
            int d = m.D, k = m.K;
            var data = m.Data(400);
            var rng = new RandomSource(mapSeed);
            double Uniform(double lo, double hi) => lo + ((hi - lo) * rng.NextDouble());
            var a = new double[d * d];
            double scalar = Uniform(0.2, 5) * (rng.NextDouble() < 0.5 ? -1 : 1);
            for (int r = 0; r < d; r++)
            {
                for (int c = 0; c < d; c++)
                {
                    a[(r * d) + c] = m.Type switch
                    {
                        CovarianceType.Full or CovarianceType.Tied => r == c ? Uniform(1.5, 3) * (rng.NextDouble() < 0.5 ? -1 : 1) : Uniform(-1, 1),
                        CovarianceType.Diagonal => r == c ? Uniform(0.2, 5) * (rng.NextDouble() < 0.5 ? -1 : 1) : 0,
                        _ => r == c ? scalar : 0,
                    };
                }
            }
            var b = Enumerable.Range(0, d).Select(_ => Uniform(-100, 100)).ToArray();
            double logAbsDet = LogAbsDeterminant(a, d);

            double[] Map(ReadOnlySpan<double> x)
            {
                var y = new double[d];
                for (int r = 0; r < d; r++)
                {
                    y[r] = b[r];
                    for (int c = 0; c < d; c++)
                        y[r] += a[(r * d) + c] * x[c];
                }
                return y;
            }

            var mapped = DataSet.FromRows(Enumerable.Range(0, data.RowCount).Select(i => Map(data.Row(i))).ToArray());
            var mappedMixture = m with
            {
                Means = Enumerable.Range(0, k).SelectMany(j => Map(m.Means.AsSpan(j * d, d))).ToArray(),
                Covariances = MapCovariances(m.Type, k, d, a, m.Covariances),
            };

            var original = new GaussianMixture(Options(m) with { RegCovar = 0 }).Fit(data);
            var transformed = new GaussianMixture(Options(mappedMixture) with { RegCovar = 0 }).Fit(mapped);

            Near(original.Weights, transformed.Weights, 1e-7, "weights");
            var expectedMeans = Enumerable.Range(0, k).SelectMany(j => Map(Fixtures.Flatten(original.Means).AsSpan(j * d, d))).ToArray();
            Near(expectedMeans, Fixtures.Flatten(transformed.Means), 1e-7, "means");
            Near(MapCovariances(m.Type, k, d, a, original.Covariances), transformed.Covariances, 1e-7, "covariances");
            // Densities scale by 1/|det A|: the mean log-likelihood per row drops by log|det A|,
            // the total by n·log|det A|.
            Assert.Equal(original.LowerBound - logAbsDet, transformed.LowerBound, 1e-7 * Math.Max(1, Math.Abs(transformed.LowerBound)));
            double n = data.RowCount;
            Assert.Equal((original.Score(data) - logAbsDet) * n, transformed.Score(mapped) * n, 1e-7 * n * Math.Max(1, Math.Abs(transformed.Score(mapped))));
        }, iter: Iterations);
    }

    private static double[] MapCovariances(CovarianceType type, int k, int d, double[] a, double[] covariances)
    {
        double[] Sandwich(int offset)
        {
            // A·Σ·Aᵀ
            var result = new double[d * d];
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                {
                    double s = 0;
                    for (int p = 0; p < d; p++)
                        for (int q = 0; q < d; q++)
                            s += a[(r * d) + p] * covariances[offset + (p * d) + q] * a[(c * d) + q];
                    result[(r * d) + c] = s;
                }
            return result;
        }
        return type switch
        {
            CovarianceType.Full => Enumerable.Range(0, k).SelectMany(j => Sandwich(j * d * d)).ToArray(),
            CovarianceType.Tied => Sandwich(0),
            CovarianceType.Diagonal => Enumerable.Range(0, k * d).Select(i => covariances[i] * a[(i % d * d) + (i % d)] * a[(i % d * d) + (i % d)]).ToArray(),
            _ => covariances.Select(v => v * a[0] * a[0]).ToArray(),
        };
    }

    private static double LogAbsDeterminant(double[] matrix, int d)
    {
        // Gaussian elimination with partial pivoting.
        var m = (double[])matrix.Clone();
        double log = 0;
        for (int c = 0; c < d; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < d; r++)
                if (Math.Abs(m[(r * d) + c]) > Math.Abs(m[(pivot * d) + c]))
                    pivot = r;
            for (int j = 0; j < d; j++)
                (m[(c * d) + j], m[(pivot * d) + j]) = (m[(pivot * d) + j], m[(c * d) + j]);
            double p = m[(c * d) + c];
            log += Math.Log(Math.Abs(p));
            for (int r = c + 1; r < d; r++)
            {
                double f = m[(r * d) + c] / p;
                for (int j = c; j < d; j++)
                    m[(r * d) + j] -= f * m[(c * d) + j];
            }
        }
        return log;
    }

    [Fact]
    public void A_saved_and_loaded_model_scores_with_the_same_bits()
    {
        string folder = Directory.CreateTempSubdirectory("emix-props-").FullName;
        try
        {
            Mixtures.Sample(m =>
            {
                var data = m.Data(200);
                var model = new GaussianMixture(new() { ComponentCount = m.K, CovarianceType = m.Type, Seed = m.Seed, MaxDegreeOfParallelism = 1 }).Fit(data);
                string path = Path.Combine(folder, $"{Guid.NewGuid():N}.json");
                model.Save(path);
                var loaded = GaussianMixtureModel.Load(path);
                Assert.Equal(model.ScoreSamples(data), loaded.ScoreSamples(data)); // exact: bit for bit
                Assert.Equal(model.Predict(data), loaded.Predict(data));
                Assert.Equal(model.Score(data), loaded.Score(data));
                Assert.Equal(Fixtures.Flatten(model.PredictProbabilities(data)), Fixtures.Flatten(loaded.PredictProbabilities(data)));
                Assert.Equal(model.Sample(50, 3).Data.Values.ToArray(), loaded.Sample(50, 3).Data.Values.ToArray());
                File.Delete(path);
            }, iter: Iterations);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Sampling_then_fitting_recovers_the_parameters_for_large_n()
    {
        // Well-separated components (means at least 8 apart on the first axis), 20 000 rows: the fit started
        // from k-means finds each component; weights within 0.02, means within 0.1 and covariances within
        // 0.15 (absolute; the covariances here are of order 1).
        var separated = from type in Gen.Int[0, 3].Select(i => MixtureNames.CovarianceTypes[i])
                        from k in Gen.Int[1, 3]
                        from d in Gen.Int[1, 3]
                        from seed in Gen.Long
                        select Separate(MakeMixture(type, k, d, seed));
        separated.Sample(m =>
        {
            var data = m.Data(20_000);
            var fit = new GaussianMixture(new() { ComponentCount = m.K, CovarianceType = m.Type, Seed = m.Seed, Tolerance = 1e-6 }).Fit(data);
            var fitMeans = Fixtures.Flatten(fit.Means);
            // Match each true component to the fitted one with the nearest mean.
            var match = Enumerable.Range(0, m.K).Select(j => Enumerable.Range(0, m.K)
                .MinBy(f => Enumerable.Range(0, m.D).Sum(a => Math.Pow(fitMeans[(f * m.D) + a] - m.Means[(j * m.D) + a], 2)))).ToArray();
            Assert.Equal(m.K, match.Distinct().Count());
            for (int j = 0; j < m.K; j++)
            {
                Assert.Equal(m.Weights[j], fit.Weights[match[j]], 0.02);
                for (int a = 0; a < m.D; a++)
                    Assert.Equal(m.Means[(j * m.D) + a], fitMeans[(match[j] * m.D) + a], 0.1);
            }
            var expected = m.Covariances;
            var actual = m.Type == CovarianceType.Tied ? fit.Covariances : PermuteCovariances(m with { Covariances = fit.Covariances }, match);
            Near(expected, actual, 0.15, "covariances", absolute: true);
        }, iter: 8);
    }

    /// <summary>Moves component j's mean to 10·j on the first axis so that components are far apart.</summary>
    private static Mixture Separate(Mixture m)
    {
        var means = (double[])m.Means.Clone();
        for (int j = 0; j < m.K; j++)
            means[j * m.D] = 10.0 * j;
        return m with { Means = means };
    }

    private static void Near(double[] expected, double[] actual, double tolerance, string what, bool absolute = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = absolute ? tolerance : tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed,
                $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R} (difference {Math.Abs(expected[i] - actual[i]):E2}, allowed {allowed:E2})");
        }
    }
}
