using System.Globalization;
using System.Text;
using Emix.Families.Gaussian;
using Emix.Engine;
using Emix.Internals;

namespace Emix;

/// <summary>
/// A fitted Gaussian mixture: immutable parameters and what can be computed from them. Every
/// array a property returns is a copy.
/// </summary>
public sealed partial class GaussianMixtureModel : MixtureModel
{
    private GaussianMixtureModel(GaussianParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
        : base(new Models.ModelEvaluation<GaussianParameters>(parameters, static data => FamilyFor(data), static _ => { },
            parameters.FeatureCount, parameters.Weights), featureNames, fit, trainingClusterSizes, trainingLogLikelihood)
    {
        Parameters = parameters;
    }

    internal GaussianParameters Parameters { get; }

    /// <summary>Covariance structure.</summary>
    public CovarianceType CovarianceType => Parameters.Structure.Type;

    /// <summary>mclust's code of the structure (VVV, EEE, VVI, VII, EII, EEI, …).</summary>
    public string ModelCode => Parameters.Structure.MclustCode;

    /// <summary>mclust's description of the structure.</summary>
    public string ModelDescription => Parameters.Structure.Description;

    /// <summary>"gaussian".</summary>
    public override string Family => "gaussian";

    /// <summary>Component means, k×d.</summary>
    public double[,] Means => ToMatrix(Parameters.Means, ComponentCount, FeatureCount);

    /// <summary>
    /// scikit-learn's shape of <see cref="Covariances"/>: full k×d×d, tied d×d, diagonal k×d, spherical k; the
    /// constrained structures as the one of the same storage (EII as spherical k; EEI, VEI, EVI as diagonal k×d;
    /// the ellipsoidal ones as full k×d×d).
    /// </summary>
    public int[] CovarianceShape => Parameters.Structure.Shape(ComponentCount, FeatureCount);

    /// <summary>Covariances flattened row-major in scikit-learn's shape (<see cref="CovarianceShape"/>).</summary>
    public double[] Covariances => (double[])Parameters.Covariances.Clone();

    /// <summary>Precisions (inverse covariances) flattened in scikit-learn's shape.</summary>
    public double[] Precisions
    {
        get
        {
            var result = new double[Parameters.Covariances.Length];
            Parameters.Structure.Precisions(ComponentCount, FeatureCount, Parameters.PrecisionCholeskyValues, result);
            return result;
        }
    }

    /// <summary>
    /// scikit-learn's <c>precisions_cholesky_</c> flattened in its shape: for full and tied the upper
    /// triangular U = chol(Σ)⁻ᵀ with U·Uᵀ = Σ⁻¹; for diagonal and spherical 1/σ.
    /// </summary>
    public double[] PrecisionsCholesky => (double[])Parameters.PrecisionCholeskyValues.Clone();

    /// <summary>Component <paramref name="component"/>'s covariance as a full d×d matrix, whatever the structure.</summary>
    public double[,] GetCovarianceMatrix(int component)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(component, ComponentCount);
        int d = FeatureCount;
        var flat = new double[d * d];
        Parameters.Structure.ExpandCovariance(component, ComponentCount, d, Parameters.Covariances, flat);
        var result = new double[d, d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                result[a, b] = flat[(a * d) + b];
        return result;
    }

    /// <summary>Free parameters: covariance + k·d means + (k − 1) weights, as scikit-learn counts them.</summary>
    public override long FreeParameterCount => Parameters.FreeParameterCount;

    /// <summary>
    /// Builds a model from given parameters (validated: shapes, finiteness, weights in [0, 1] summing
    /// to 1, positive-definite covariances). Covariances use scikit-learn's shape, flattened.
    /// </summary>
    public static GaussianMixtureModel Create(CovarianceType covarianceType, IReadOnlyList<double> weights, double[,] means,
        IReadOnlyList<double> covariances, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        int k = means.GetLength(0), d = means.GetLength(1);
        if (k == 0 || d == 0)
            throw new ArgumentException("means must have at least one component and one feature.", nameof(means));
        var flatMeans = new double[k * d];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                flatMeans[(j * d) + a] = means[j, a];
        var structure = CovarianceStructure.For(covarianceType);
        var user = UserParameters.Check(new InitialParameters { Weights = weights, Means = flatMeans, Covariances = covariances }, structure, k, d);
        return new GaussianMixtureModel(user.Apply(null, structure, k, d), CheckNames(featureNames, d), null, null, null);
    }

    internal static GaussianMixtureModel FromFit(GaussianParameters parameters, IReadOnlyList<string> featureNames, FitReport fit, int[] clusterSizes, double logLikelihood) =>
        new(parameters, featureNames, fit, clusterSizes, logLikelihood);

    internal static GaussianMixtureModel FromStored(GaussianParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood, (double[] Values, double[] Centres)? stepwiseStatistics = null) =>
        new(parameters, featureNames, fit, trainingClusterSizes, trainingLogLikelihood) { StepwiseStatistics = stepwiseStatistics };

    private static string[] CheckNames(IReadOnlyList<string>? names, int d)
    {
        if (names is null)
            return Enumerable.Range(1, d).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (names.Count != d)
            throw new ArgumentException($"{names.Count} feature names for {d} features.", nameof(names));
        return names.ToArray();
    }

    /// <summary>Loads and validates a model file.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed or inconsistent.</exception>
    public static GaussianMixtureModel Load(string path) => Serialization.ModelFile.Load(path);

    /// <summary>The family that evaluates this model on <paramref name="data"/>: the fastest kernel this machine supports (unless EMIX_KERNEL forces one).</summary>
    private static GaussianFamily FamilyFor(RowSource data, Families.Gaussian.Kernels.KernelVariant variant = Families.Gaussian.Kernels.KernelVariant.Auto) =>
        GaussianFamily.For(Families.Gaussian.Kernels.KernelSelector.Create(variant), data);

    /// <summary><see cref="MixtureModel.PredictProbabilities"/> with a given kernel (tests compare the variants).</summary>
    internal double[,] PredictProbabilities(DataSet data, Families.Gaussian.Kernels.KernelVariant variant) =>
        Passes.Probabilities(FamilyFor(CheckData(data), variant), data, Parameters);

    /// <summary><see cref="MixtureModel.ScoreSamples"/> with a given kernel.</summary>
    internal double[] ScoreSamples(DataSet data, Families.Gaussian.Kernels.KernelVariant variant) =>
        Passes.ScoreSamples(FamilyFor(CheckData(data), variant), data, Parameters);

    /// <inheritdoc/>
    public override MixtureSample Sample(int count, long seed = 0) => Draw(Parameters, count, seed, FeatureNames, null);

    /// <summary>
    /// Rows drawn from a Gaussian-shaped mixture, grouped by component: x = μ_j + L_j·z (L_j·L_jᵀ = Σ_j,
    /// z standard normal), the L·z part times <paramref name="stretch"/>(j) when given (the Student-t
    /// family's 1/√(g/ν)).
    /// </summary>
    internal static MixtureSample Draw(GaussianParameters p, int count, long seed, IReadOnlyList<string> featureNames, Func<int, RandomSource, double>? stretch)
    {
        int k = p.ComponentCount, d = p.FeatureCount;
        var factor = new double[d * d];
        var z = new double[d];
        int factored = -1;
        return ComponentDraws.Rows(p.Weights, count, seed, featureNames, (j, rng, row) =>
        {
            // Rows come grouped by component: factor each Σ_j once.
            if (j != factored)
            {
                p.Structure.SamplingFactor(j, k, d, p.Covariances, factor);
                factored = j;
            }
            var mean = p.MeanOf(j);
            for (int a = 0; a < d; a++)
                z[a] = rng.NextNormal();
            double scale = stretch?.Invoke(j, rng) ?? 1;
            for (int a = 0; a < d; a++)
            {
                double v = stretch is null ? mean[a] : 0;
                for (int b = 0; b <= a; b++)
                    v += factor[(a * d) + b] * z[b];
                row[a] = stretch is null ? v : mean[a] + (v * scale);
            }
        });
    }

    private protected override string SummaryHeading => "Gaussian finite mixture model fitted by EM algorithm";

    private protected override string SummaryModelLine => string.Create(CultureInfo.InvariantCulture,
        $"Model {ModelCode} ({(CovarianceType.IsScikitType() ? CovarianceType.ToScikitName() + ": " : "")}{ModelDescription}) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}");

    private protected override void AppendParameterSummary(StringBuilder s) =>
        AppendFeatureTable(s, "Means:", Parameters.Means);
}
