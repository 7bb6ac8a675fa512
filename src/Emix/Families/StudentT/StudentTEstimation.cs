using Emix.Engine;
using Emix.Families.Gaussian;
using Emix.Families.Gaussian.Kernels;
using Emix.Statistics;

namespace Emix.Families.StudentT;

/// <summary>
/// One Student-t fit on the engine's contract: the ECM of Peel and McLachlan (2000). A run starts
/// as a Gaussian one does (one M-step from its initialisation's responsibilities or the given
/// labels, u = 1) with ν = the initial (or fixed) degrees of freedom. CM-step from the E-step's
/// statistics: n_j = Σ τ, w_j = n_j/n, μ_j = Σ τu·x / Σ τu, Σ_j = Σ τu·(x − μ_j)(x − μ_j)ᵀ / n_j
/// (+ reg_covar on the diagonal), ν_j by <see cref="DegreesOfFreedomEquation"/> unless fixed.
/// </summary>
internal sealed class StudentTEstimation : IMixtureEstimation<GaussianParameters>
{
    private readonly StudentTMixtureOptions _options;
    private readonly GaussianEstimation _start;
    private readonly CovarianceStructure _structure;

    public StudentTEstimation(StudentTMixtureOptions options, RowSource data, IEStepKernel kernel, CancellationToken cancellationToken)
    {
        _options = options;
        _structure = CovarianceStructure.For(options.CovarianceType);
        _start = new GaussianEstimation(StartOptions(options), data, null, kernel, cancellationToken);
        Family = StudentTFamily.For(kernel);
    }

    /// <summary>The Gaussian options whose first M-step is this fit's start.</summary>
    internal static GaussianMixtureOptions StartOptions(StudentTMixtureOptions o) => GaussianMixtureOptions.StartOf(o, o.CovarianceType, o.RegCovar, o.Kernel);

    public IMixtureFamily<GaussianParameters> Family { get; }

    public string NonFiniteAdvice => "Scale the input data, or increase reg_covar (--reg-covar).";

    public GaussianParameters Initialize(int run)
    {
        var gaussian = _start.Initialize(run);
        var nu = new double[gaussian.ComponentCount];
        Array.Fill(nu, _options.DegreesOfFreedom ?? _options.InitialDegreesOfFreedom);
        return GaussianParameters.CreateStudentT(_structure, gaussian.ComponentCount, gaussian.FeatureCount,
            (gaussian.Weights, gaussian.Means, gaussian.Covariances), nu, _options.DegreesOfFreedom is not null);
    }

    public void StartWarmRun() => _start.StartWarmRun();

    public GaussianParameters MStep(MixtureStatistics statistics, GaussianParameters previous)
    {
        int k = previous.ComponentCount, d = previous.FeatureCount;
        var layout = previous.StatisticsLayout;
        var values = statistics.Values.AsSpan();
        var nk = layout.Nk(values);
        var momentWeights = layout.MomentWeights(values);
        var firstMoment = layout.FirstMoment(values);
        var tailTerms = layout.TailTerms(values);
        var centres = statistics.Centres;
        var nkReg = new double[k];
        var weightReg = new double[k];
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            nkReg[j] = nk[j] + StatisticsLayout.NkGuard;
            weightReg[j] = momentWeights[j] + StatisticsLayout.NkGuard;
            total += nkReg[j];
        }
        var delta = new double[k * d];
        var means = new double[k * d];
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                double shift = firstMoment[(j * d) + a] / weightReg[j];
                delta[(j * d) + a] = shift;
                means[(j * d) + a] = centres[(j * d) + a] + shift;
            }
        }
        // Σ τu(x − μ)(x − μ)ᵀ / n_j = (Σ τu / n_j)·(S2 / Σ τu − δδᵀ): the Gaussian estimate with the moments' weight, rescaled.
        var scales = new double[_structure.ValueCount(k, d)];
        _structure.EstimateCovariances(k, d, weightReg, delta, layout.SecondMoment(values), 0, scales);
        int block = _structure.BlockLength(d);
        for (int j = 0; j < k; j++)
        {
            var scale = scales.AsSpan(j * block, block);
            double factor = weightReg[j] / nkReg[j];
            for (int i = 0; i < block; i++)
                scale[i] *= factor;
            for (int a = 0; a < d; a++)
                scale[_structure.Storage == CovarianceStorage.Full ? (a * d) + a : a] += _options.RegCovar;
        }
        var weights = new double[k];
        for (int j = 0; j < k; j++)
            weights[j] = nkReg[j] / total;
        var nu = new double[k];
        for (int j = 0; j < k; j++)
            nu[j] = _options.DegreesOfFreedom ?? DegreesOfFreedomEquation.Solve(nkReg[j], tailTerms[j], previous.Tails!.DegreesOfFreedom[j], d);
        return GaussianParameters.CreateStudentT(_structure, k, d, (weights, means, scales), nu, _options.DegreesOfFreedom is not null);
    }
}
