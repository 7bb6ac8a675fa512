using Emix.Engine;
using Emix.Families.Gaussian;
using Emix.Initialization;
using Emix.Internals;
using Emix.Statistics;

namespace Emix.Families.Variational;

/// <summary>
/// One variational fit on the engine's contract (scikit-learn 1.2's BayesianGaussianMixture). The
/// E-step is the Gaussian one: the kernels see the posterior as Gaussian parameters whose log-weights
/// are the E-step's constants (<see cref="GaussianParameters.CreateVariational"/>), so the statistics
/// are the Gaussian ones. The M-step is scikit-learn's from nk, xk and sk (the Gaussian M-step's
/// estimates); the bound is evaluated after it (<see cref="IBoundAfterMStep{TParameters}"/>).
/// </summary>
internal sealed class VariationalEstimation(VariationalGaussianMixtureOptions options, RowSource data, VariationalPriors priors, Gaussian.Kernels.IEStepKernel kernel,
    CancellationToken cancellationToken)
    : IMixtureEstimation<GaussianParameters>, IGivenResponsibilities, IBoundAfterMStep<GaussianParameters>
{
    private readonly RandomSource _rng = new(options.Seed);
    private readonly CovarianceStructure _structure = CovarianceStructure.For(options.CovarianceType);
    private readonly GaussianStatisticsLayout _layout = new(CovarianceStructure.For(options.CovarianceType), options.ComponentCount, data.FeatureCount);

    public IMixtureFamily<GaussianParameters> Family { get; } = GaussianFamily.For(kernel, data);

    public string NonFiniteAdvice => "Scale the input data, or increase reg_covar (--reg-covar).";

    /// <summary>The Gaussian options whose initialisation is this fit's (init method, labels, seed, sample rows).</summary>
    private GaussianMixtureOptions StartOptions => GaussianMixtureOptions.StartOf(options, options.CovarianceType, options.RegCovar, options.Kernel);

    /// <summary>scikit-learn's <c>_initialize</c>: the M-step of the initial responsibilities (statistics centred on the data mean).</summary>
    public GaussianParameters Initialize(int run)
    {
        int k = options.ComponentCount, d = data.FeatureCount;
        var resp = Initializer.For(StartOptions, data, _rng, cancellationToken);
        var mean = ColumnMoments.Mean(data, options.MaxDegreeOfParallelism);
        var shifts = new double[k * d];
        for (int j = 0; j < k; j++)
            mean.CopyTo(shifts, j * d);
        var statistics = InitialStatistics.Gather(data, resp, _layout, shifts, this, options.ChunkRows, options.MaxDegreeOfParallelism, cancellationToken);
        return Update(statistics.Values, shifts);
    }

    public void StartWarmRun()
    {
    }

    public GaussianParameters MStep(MixtureStatistics statistics, GaussianParameters previous) => Update(statistics.Values, statistics.Centres);

    private GaussianParameters Update(double[] values, ReadOnlySpan<double> centres)
    {
        int k = options.ComponentCount, d = data.FeatureCount;
        var (_, xk, sk) = GaussianEm.MStepValues(_structure, k, d, values, centres, options.RegCovar, initRowCount: null, frozen: null);
        var raw = _layout.Nk(values);
        var nk = new double[k];
        for (int j = 0; j < k; j++)
            nk[j] = raw[j] + StatisticsLayout.NkGuard;
        var (posterior, means, covariances) = VariationalPosterior.Estimate(priors, _structure, d, nk, xk, sk);
        return GaussianParameters.CreateVariational(_structure, d, posterior, means, covariances);
    }

    /// <summary>
    /// scikit-learn's bound: −Σ r·log r of the E-step plus <see cref="VariationalPosterior.ParameterTerms"/> of the new
    /// parameters. Σ_i Σ_j r·log r comes from the statistics: log r_ij = c_j + ℓ_j − (d/2)·log 2π − q_ij/2 − log p(x_i)
    /// (c, ℓ of the E-step's parameters, q the squared Mahalanobis distance), and Σ_i r_ij·q_ij = tr(Λ_j·S2_j) with S2
    /// the second moments around the E-step's means, so no second pass over the rows is needed.
    /// </summary>
    public double LowerBound(MixtureStatistics statistics, GaussianParameters previous, GaussianParameters next)
    {
        int k = previous.ComponentCount, d = previous.FeatureCount;
        var values = statistics.Values.AsSpan();
        var nk = _layout.Nk(values);
        var second = _layout.SecondMoment(values);
        var precisions = new double[_structure.ValueCount(k, d)];
        _structure.Precisions(k, d, previous.PrecisionCholeskyValues, precisions);
        double weighted = 0;
        const double Log2Pi = 1.8378770664093454835606594728112;
        for (int j = 0; j < k; j++)
            weighted += nk[j] * (previous.LogWeights[j] + previous.LogDetPrecisionCholesky[j] - (0.5 * d * Log2Pi));
        double trace = 0;
        switch (_structure.Storage)
        {
            case CovarianceStorage.Full:
                for (int c = 0; c < _structure.CovarianceCount(k); c++)
                {
                    var s = second.Slice(c * d * d, d * d);
                    var lambda = precisions.AsSpan(c * d * d, d * d);
                    for (int a = 0; a < d; a++)
                    {
                        trace += lambda[(a * d) + a] * s[(a * d) + a];
                        for (int b = a + 1; b < d; b++)
                            trace += 2 * lambda[(a * d) + b] * s[(a * d) + b];
                    }
                }
                break;
            case CovarianceStorage.Diagonal:
                for (int i = 0; i < k * d; i++)
                    trace += precisions[i] * second[i];
                break;
            default:
                for (int j = 0; j < k; j++)
                    for (int a = 0; a < d; a++)
                        trace += precisions[j] * second[(j * d) + a];
                break;
        }
        double entropy = -(weighted - (0.5 * trace) - statistics.LogLikelihood);
        return entropy + next.Posterior!.ParameterTerms(next.LogDetPrecisionCholesky);
    }

    public void AccumulateResponsibilities(ReadOnlySpan<double> rows, int n, ReadOnlySpan<double> resp, ReadOnlySpan<double> centres, Span<double> statistics, Span<double> scratch) =>
        GaussianEm.AccumulateChunk(_structure, _layout, rows, n, resp, centres, statistics, scratch);

    public void AccumulateLabels(ReadOnlySpan<double> rows, int n, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, ReadOnlySpan<double> centres,
        Span<double> statistics, Span<double> scratch) =>
        _structure.AccumulateLabelled(rows, n, _layout.FeatureCount, labels, weights, centres, _layout.Nk(statistics), _layout.FirstMoment(statistics), _layout.SecondMoment(statistics), scratch);
}
