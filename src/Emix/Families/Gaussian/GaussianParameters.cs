namespace Emix.Families.Gaussian;

/// <summary>
/// The parameters of a Gaussian mixture with their derived factors, in flat row-major arrays:
/// weights (k), means (k×d), covariances and precision Cholesky factors in scikit-learn's
/// shape for the structure, and log det of each factor. Never mutated after construction.
/// </summary>
internal sealed class GaussianParameters
{
    private GaussianParameters(CovarianceStructure structure, int k, int d, double[] weights, double[] means,
        double[] covariances, double[] precisionCholesky, double[] logDet)
    {
        Structure = structure;
        ComponentCount = k;
        FeatureCount = d;
        Weights = weights;
        Means = means;
        Covariances = covariances;
        PrecisionCholeskyValues = precisionCholesky;
        LogDetPrecisionCholesky = logDet;
        LogWeights = new double[k];
        for (int j = 0; j < k; j++)
            LogWeights[j] = Math.Log(weights[j]);
    }

    public CovarianceStructure Structure { get; }
    public int ComponentCount { get; }
    public int FeatureCount { get; }
    public double[] Weights { get; }
    /// <summary>log w per component; for a variational fit the E-step's constants beyond the Gaussian density instead (see <see cref="Posterior"/>).</summary>
    public double[] LogWeights { get; private init; }
    public double[] Means { get; }
    public double[] Covariances { get; }
    public double[] PrecisionCholeskyValues { get; }
    public double[] LogDetPrecisionCholesky { get; }

    /// <summary>
    /// The volume / shape / orientation decomposition a constrained structure's M-step produced (where its
    /// next M-step starts its inner iterations); null for scikit-learn's four structures and where no
    /// M-step made these covariances (see <see cref="CovarianceDecomposition.Of"/>).
    /// </summary>
    public CovarianceDecomposition? Decomposition { get; private init; }

    /// <summary>
    /// The Student-t family's degrees of freedom and what its E-step derives from them; null for a
    /// Gaussian. With tails, <see cref="Covariances"/> are the components' scale matrices.
    /// </summary>
    public StudentT.StudentTails? Tails { get; private init; }

    /// <summary>
    /// A variational fit's posterior; null for EM. With it, <see cref="Weights"/> are the posterior-mean
    /// weights, <see cref="Covariances"/> the normalised ones, and <see cref="LogWeights"/> the E-step's
    /// constants E[log π] − (d/2)·log ν + ½(Λ − d/β), so that the kernels compute scikit-learn's weighted log-probabilities.
    /// </summary>
    public Variational.VariationalPosterior? Posterior { get; private init; }

    private object? _kernelPlan;
    private GaussianStatisticsLayout? _statisticsLayout;

    /// <summary>Where the statistics of an E-step under these parameters sit (made once).</summary>
    public GaussianStatisticsLayout StatisticsLayout => _statisticsLayout ??= new GaussianStatisticsLayout(Structure, ComponentCount, FeatureCount, Tails is not null);

    /// <summary>
    /// What a kernel derives from these parameters once (padded factors, centres, which form is
    /// accurate), typed by the kernel per storage, created on first use. Creation is idempotent, so a
    /// race between threads only wastes work.
    /// </summary>
    public TPlan GetOrCreateKernelPlan<TPlan>(Func<GaussianParameters, TPlan> create)
        where TPlan : class =>
        (TPlan)(_kernelPlan ?? Interlocked.CompareExchange(ref _kernelPlan, create(this), null) ?? _kernelPlan!);

    public ReadOnlySpan<double> MeanOf(int j) => Means.AsSpan(j * FeatureCount, FeatureCount);

    /// <summary>
    /// Builds the parameters and their precision Cholesky factors (owning the arrays); throws
    /// <see cref="NumericalFailureException"/> when a covariance is not positive definite.
    /// </summary>
    public static GaussianParameters Create(CovarianceStructure structure, int k, int d, (double[] Weights, double[] Means, double[] Covariances) values) =>
        Create(structure, k, d, values.Weights, values.Means, values.Covariances);

    /// <inheritdoc cref="Create(CovarianceStructure, int, int, ValueTuple{double[], double[], double[]})"/>
    public static GaussianParameters Create(CovarianceStructure structure, int k, int d, double[] weights, double[] means, double[] covariances,
        CovarianceDecomposition? decomposition = null)
    {
        var factor = new double[covariances.Length];
        var logDet = new double[k];
        structure.PrecisionCholesky(k, d, covariances, factor, logDet);
        return new GaussianParameters(structure, k, d, weights, means, covariances, factor, logDet) { Decomposition = decomposition };
    }

    /// <summary>These parameters with <paramref name="decomposition"/> (the same arrays, so the same predictions to the bit).</summary>
    public GaussianParameters WithDecomposition(CovarianceDecomposition? decomposition) =>
        decomposition is null ? this : new GaussianParameters(Structure, ComponentCount, FeatureCount, Weights, Means, Covariances, PrecisionCholeskyValues, LogDetPrecisionCholesky)
        { Decomposition = decomposition, Tails = Tails, Posterior = Posterior, LogWeights = LogWeights };

    /// <summary>
    /// Student-t parameters: the scale matrices in <paramref name="values"/>' covariances and ν per
    /// component (owning the arrays); throws <see cref="NumericalFailureException"/> when a scale is not positive definite.
    /// </summary>
    public static GaussianParameters CreateStudentT(CovarianceStructure structure, int k, int d, (double[] Weights, double[] Means, double[] Scales) values, double[] degreesOfFreedom, bool fixedDegrees)
    {
        var p = Create(structure, k, d, values);
        return new GaussianParameters(structure, k, d, p.Weights, p.Means, p.Covariances, p.PrecisionCholeskyValues, p.LogDetPrecisionCholesky)
        {
            Tails = new StudentT.StudentTails(degreesOfFreedom, fixedDegrees, d, p.LogWeights, p.LogDetPrecisionCholesky),
        };
    }

    /// <summary>The E-step's view of a variational posterior (see <see cref="Posterior"/>); throws <see cref="NumericalFailureException"/> when a covariance is not positive definite.</summary>
    public static GaussianParameters CreateVariational(CovarianceStructure structure, int d, Variational.VariationalPosterior posterior, double[] means, double[] covariances)
    {
        int k = posterior.ComponentCount;
        var p = Create(structure, k, d, posterior.Weights(), means, covariances);
        return new GaussianParameters(structure, k, d, p.Weights, p.Means, p.Covariances, p.PrecisionCholeskyValues, p.LogDetPrecisionCholesky)
        {
            LogWeights = posterior.EStepConstants(),
            Posterior = posterior,
        };
    }

    /// <summary>Free parameters as scikit-learn counts them: covariance + means + (k − 1) weights.</summary>
    public long FreeParameterCount => Structure.FreeCovarianceParameters(ComponentCount, FeatureCount)
        + ((long)ComponentCount * FeatureCount) + ComponentCount - 1;
}
