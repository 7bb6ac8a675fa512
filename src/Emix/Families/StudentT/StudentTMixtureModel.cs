using System.Globalization;
using System.Text;
using Emix.Engine;
using Emix.Families.Gaussian;
using Emix.Families.Gaussian.Kernels;
using Emix.Families.StudentT;
using Emix.Internals;

namespace Emix;

/// <summary>
/// A fitted multivariate Student-t mixture: weights, means, scale matrices (full k×d×d or diagonal
/// k×d) and degrees of freedom ν per component, and what can be computed from them. Component j's
/// density is t(x) = Γ((ν + d)/2) / (Γ(ν/2)·(νπ)^(d/2)·|Σ|^½) · (1 + δ/ν)^(−(ν + d)/2), δ the squared
/// Mahalanobis distance of x from μ_j under Σ_j; its covariance is ν/(ν − 2)·Σ_j for ν &gt; 2.
/// Every array a property returns is a copy.
/// </summary>
public sealed class StudentTMixtureModel : MixtureModel
{
    internal StudentTMixtureModel(GaussianParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
        : base(new Models.ModelEvaluation<GaussianParameters>(parameters, static _ => FamilyFor(KernelVariant.Auto), RequireFinite,
            parameters.FeatureCount, parameters.Weights), featureNames, fit, trainingClusterSizes, trainingLogLikelihood)
    {
        Parameters = parameters;
    }

    internal GaussianParameters Parameters { get; }

    private static StudentTFamily FamilyFor(KernelVariant variant) => StudentTFamily.For(KernelSelector.Create(variant));

    private static void RequireFinite(DataSet data)
    {
        if (data.HasMissing)
            throw new DataFormatException($"{data.Source}: has {data.MissingCount} missing cells; the Student-t family needs every value.");
    }

    /// <summary>"student-t".</summary>
    public override string Family => "student-t";

    /// <summary>Structure of the scale matrices (full or diagonal).</summary>
    public CovarianceType CovarianceType => Parameters.Structure.Type;

    /// <summary>Component means (centres of symmetry), k×d.</summary>
    public double[,] Means => ToMatrix(Parameters.Means, ComponentCount, FeatureCount);

    /// <summary>The shape of <see cref="Scales"/>: full k×d×d, diagonal k×d.</summary>
    public int[] ScaleShape => Parameters.Structure.Shape(ComponentCount, FeatureCount);

    /// <summary>Scale matrices Σ_j flattened row-major in <see cref="ScaleShape"/> (not covariances: those are ν/(ν − 2)·Σ_j).</summary>
    public double[] Scales => (double[])Parameters.Covariances.Clone();

    /// <summary>Degrees of freedom ν per component.</summary>
    public double[] DegreesOfFreedom => (double[])Parameters.Tails!.DegreesOfFreedom.Clone();

    /// <summary>Whether ν was fixed for the fit (then it is not counted as a free parameter).</summary>
    public bool DegreesOfFreedomFixed => Parameters.Tails!.Fixed;

    /// <summary>Free parameters: scales (as the Gaussian structure counts covariances), k·d means, k − 1 weights, and k degrees of freedom unless fixed.</summary>
    public override long FreeParameterCount => StudentTFamily.FreeParameters(Parameters);

    /// <summary>
    /// Builds a model from given parameters (validated: shapes, finiteness, weights in [0, 1] summing to 1,
    /// positive-definite scales, ν &gt; 0). Scales use the Gaussian covariances' shape, flattened.
    /// </summary>
    public static StudentTMixtureModel Create(CovarianceType covarianceType, IReadOnlyList<double> weights, double[,] means,
        IReadOnlyList<double> scales, IReadOnlyList<double> degreesOfFreedom, IReadOnlyList<string>? featureNames = null, bool degreesOfFreedomFixed = false)
    {
        ArgumentNullException.ThrowIfNull(means);
        int k = means.GetLength(0), d = means.GetLength(1);
        var flatMeans = new double[k * d];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                flatMeans[(j * d) + a] = means[j, a];
        var names = featureNames?.ToArray() ?? Enumerable.Range(1, d).Select(a => "x" + a.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (names.Length != d)
            throw new ArgumentException($"{names.Length} feature names for {d} features.", nameof(featureNames));
        return new StudentTMixtureModel(Check(covarianceType, weights, flatMeans, scales, degreesOfFreedom, k, d, degreesOfFreedomFixed), names, null, null, null);
    }

    /// <summary>Checked parameters from flat arrays (the model file and <see cref="Create"/>).</summary>
    internal static GaussianParameters Check(CovarianceType type, IReadOnlyList<double> weights, double[] means, IReadOnlyList<double> scales,
        IReadOnlyList<double> degreesOfFreedom, int k, int d, bool isFixed)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(degreesOfFreedom);
        if (type is not (CovarianceType.Full or CovarianceType.Diagonal))
            throw new ArgumentException($"covariance_type {type.ToScikitName()}: the Student-t family takes full or diag scale matrices.");
        if (degreesOfFreedom.Count != k)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"degrees_of_freedom: {degreesOfFreedom.Count} values for {k} components."));
        for (int j = 0; j < k; j++)
        {
            if (!(degreesOfFreedom[j] > 0 && double.IsFinite(degreesOfFreedom[j])))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"degrees of freedom of component {j + 1} is {degreesOfFreedom[j]:R}; it must be finite and > 0."));
        }
        var structure = CovarianceStructure.For(type);
        var user = UserParameters.Check(new InitialParameters { Weights = weights, Means = means, Covariances = scales }, structure, k, d);
        var gaussian = user.Apply(null, structure, k, d);
        return GaussianParameters.CreateStudentT(structure, k, d, (gaussian.Weights, gaussian.Means, gaussian.Covariances), degreesOfFreedom.ToArray(), isFixed);
    }

    /// <summary>Loads and validates a Student-t mixture's model file.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed, inconsistent or of another family.</exception>
    public static StudentTMixtureModel Load(string path) =>
        LoadAny(path) as StudentTMixtureModel ?? throw new ModelFormatException($"{path}: not a Student-t mixture model file.");

    /// <summary>
    /// u_ij = (ν_j + d)/(ν_j + δ_ij) for every row and component (n×k): the weight row i gets in
    /// component j's mean and scale; far below 1 for a row far from μ_j.
    /// </summary>
    public double[,] TailWeights(DataSet data) => RowWeights(data, perComponent: true);

    /// <summary>
    /// Each row's outlier score Σ_j τ_ij·u_ij: the weight the row gets in the M-step, its posterior
    /// probabilities times u. Near (ν + d)/(ν + δ) of its own component; the smallest scores are the rows
    /// the fit treats as outliers (1 is typical of a row at one scale from its centre when ν is large).
    /// </summary>
    public double[] OutlierScores(DataSet data)
    {
        var weights = RowWeights(data, perComponent: false);
        var scores = new double[data.RowCount];
        for (int i = 0; i < scores.Length; i++)
            scores[i] = weights[i, 0];
        return scores;
    }

    private double[,] RowWeights(DataSet data, bool perComponent)
    {
        CheckData(data);
        RequireFinite(data);
        var p = Parameters;
        var tails = p.Tails!;
        int k = p.ComponentCount, d = p.FeatureCount, n = data.RowCount;
        var result = new double[n, perComponent ? k : 1];
        const int chunk = 1024;
        var logResp = new double[chunk * k];
        var distances = new double[chunk * k];
        var row = new double[Math.Max(d, 1)];
        double[]? buffer = null;
        for (int start = 0; start < n; start += chunk)
        {
            int len = Math.Min(chunk, n - start);
            var rows = data.ReadRows(start, len, ref buffer);
            EStepKernel.LogResponsibilities(p, rows, len, logResp.AsSpan(0, len * k), default, row, distances.AsSpan(0, len * k));
            for (int i = 0; i < len; i++)
            {
                double score = 0;
                for (int j = 0; j < k; j++)
                {
                    double u = 2 * tails.HalfShape[j] / (tails.DegreesOfFreedom[j] + distances[(i * k) + j]);
                    if (perComponent)
                        result[start + i, j] = u;
                    else
                        score += Math.Exp(logResp[(i * k) + j]) * u;
                }
                if (!perComponent)
                    result[start + i, 0] = score;
            }
        }
        return result;
    }

    /// <inheritdoc/>
    /// <remarks>x = μ_j + L·z / √(g/ν_j), z standard normal, g a χ² variate with ν_j degrees of freedom, L·Lᵀ = Σ_j.</remarks>
    public override MixtureSample Sample(int count, long seed = 0)
    {
        var nu = Parameters.Tails!.DegreesOfFreedom;
        return GaussianMixtureModel.Draw(Parameters, count, seed, FeatureNames, (j, rng) => 1 / Math.Sqrt(2 * GammaSampler.Draw(nu[j] / 2, rng) / nu[j]));
    }

    private protected override string SummaryHeading => "Student-t finite mixture model fitted by ECM algorithm";

    private protected override string SummaryModelLine => string.Create(CultureInfo.InvariantCulture,
        $"Model student-t ({CovarianceType.ToScikitName()} scale matrices, degrees of freedom {(DegreesOfFreedomFixed ? "fixed" : "estimated per component")}) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}");

    private protected override void AppendParameterSummary(StringBuilder s)
    {
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine("Degrees of freedom:");
        var nu = Parameters.Tails!.DegreesOfFreedom;
        AppendTable(s, Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv)).ToArray(), nu.Select(v => v.ToString("G6", inv)).ToArray());
        for (int j = 0; j < nu.Length; j++)
        {
            if (!DegreesOfFreedomFixed && (nu[j] >= DegreesOfFreedomEquation.Upper || nu[j] <= DegreesOfFreedomEquation.Lower))
                s.AppendLine(inv, $"Component {j}: ν at the bound {nu[j]:G6} of [{DegreesOfFreedomEquation.Lower:G}, {DegreesOfFreedomEquation.Upper:G}]{(nu[j] >= DegreesOfFreedomEquation.Upper ? " (its rows look Gaussian: a Gaussian component would fit as well)" : " (nearly all tail: a handful of rows, or a degenerate component)")}.");
        }
        s.AppendLine();
        AppendFeatureTable(s, "Means:", Parameters.Means);
    }
}
