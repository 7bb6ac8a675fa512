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
public sealed partial class GaussianMixtureModel
{
    private readonly double[] _lowerBoundHistory;

    private GaussianMixtureModel(GaussianParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
    {
        Parameters = parameters;
        FeatureNames = featureNames.ToArray();
        Fit = fit;
        _lowerBoundHistory = fit?.LowerBoundHistory.ToArray() ?? [];
        TrainingClusterSizes = trainingClusterSizes;
        TrainingLogLikelihood = trainingLogLikelihood;
    }

    internal GaussianParameters Parameters { get; }

    /// <summary>Covariance structure.</summary>
    public CovarianceType CovarianceType => Parameters.Structure.Type;

    /// <summary>mclust's code of the structure (VVV, EEE, VVI, VII).</summary>
    public string ModelCode => Parameters.Structure.MclustCode;

    /// <summary>mclust's description of the structure.</summary>
    public string ModelDescription => Parameters.Structure.Description;

    /// <summary>Number of components k.</summary>
    public int ComponentCount => Parameters.ComponentCount;

    /// <summary>Number of features d.</summary>
    public int FeatureCount => Parameters.FeatureCount;

    /// <summary>Names of the features the model was fitted on.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>How the model was fitted; null for a model built from given parameters.</summary>
    public FitReport? Fit { get; }

    /// <summary>Whether the kept EM run converged (false for a model that was not fitted).</summary>
    public bool Converged => Fit?.Converged ?? false;

    /// <summary>EM iterations of the kept run.</summary>
    public int IterationCount => Fit?.Iterations ?? 0;

    /// <summary>scikit-learn's <c>lower_bound_</c>: mean log-likelihood per sample before the last M-step.</summary>
    public double LowerBound => Fit?.LowerBound ?? double.NegativeInfinity;

    /// <summary>The lower bound after each iteration of the kept run.</summary>
    public IReadOnlyList<double> LowerBoundHistory => _lowerBoundHistory;

    /// <summary>Rows per component by <see cref="Predict"/> on the training data (the final E-step), when known.</summary>
    public IReadOnlyList<int>? TrainingClusterSizes { get; }

    /// <summary>Total log-likelihood of the training data at the final parameters, when known.</summary>
    public double? TrainingLogLikelihood { get; }

    /// <summary>Mixing weights (k), summing to 1.</summary>
    public double[] Weights => (double[])Parameters.Weights.Clone();

    /// <summary>Component means, k×d.</summary>
    public double[,] Means
    {
        get
        {
            int k = ComponentCount, d = FeatureCount;
            var result = new double[k, d];
            for (int j = 0; j < k; j++)
                for (int a = 0; a < d; a++)
                    result[j, a] = Parameters.Means[(j * d) + a];
            return result;
        }
    }

    /// <summary>scikit-learn's shape of <see cref="Covariances"/>: full k×d×d, tied d×d, diagonal k×d, spherical k.</summary>
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
    public long FreeParameterCount => Parameters.FreeParameterCount;

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
        int[]? trainingClusterSizes, double? trainingLogLikelihood) =>
        new(parameters, featureNames, fit, trainingClusterSizes, trainingLogLikelihood);

    private static string[] CheckNames(IReadOnlyList<string>? names, int d)
    {
        if (names is null)
            return Enumerable.Range(1, d).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (names.Count != d)
            throw new ArgumentException($"{names.Count} feature names for {d} features.", nameof(names));
        return names.ToArray();
    }

    /// <summary>Saves the model file atomically (see <see cref="Serialization.ModelFile"/> for the layout).</summary>
    public void Save(string path) => Serialization.ModelFile.Save(this, path);

    /// <summary>Loads and validates a model file.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed or inconsistent.</exception>
    public static GaussianMixtureModel Load(string path) => Serialization.ModelFile.Load(path);

    /// <summary>The most probable component of every row.</summary>
    public int[] Predict(DataSet data) => PredictCore(Parameters, CheckData(data), FamilyFor(data), null);

    /// <summary>The family that evaluates this model on <paramref name="data"/>: the fastest kernel this machine supports (unless EMIX_KERNEL forces one).</summary>
    private static GaussianFamily FamilyFor(RowSource data, Families.Gaussian.Kernels.KernelVariant variant = Families.Gaussian.Kernels.KernelVariant.Auto) =>
        GaussianFamily.For(Families.Gaussian.Kernels.KernelSelector.Create(variant), data);

    private static int[] PredictCore(GaussianParameters p, DataSet data, IMixtureFamily<GaussianParameters> family, int? threads)
    {
        var labels = new int[data.RowCount];
        Passes.MostProbableComponents(family, data, p, threads, labels);
        return labels;
    }

    /// <summary>Posterior probability of each component for every row (n×k); rows sum to 1.</summary>
    public double[,] PredictProbabilities(DataSet data) => PredictProbabilities(data, Families.Gaussian.Kernels.KernelVariant.Auto);

    internal double[,] PredictProbabilities(DataSet data, Families.Gaussian.Kernels.KernelVariant variant)
    {
        CheckData(data);
        int k = ComponentCount;
        var result = new double[data.RowCount, k];
        Passes.Evaluate(FamilyFor(data, variant), data, Parameters, null, (start, n, logResp, _) =>
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++)
                    result[start + i, j] = Math.Exp(logResp[(i * k) + j]);
        });
        return result;
    }

    /// <summary>Log-density log p(x) of every row under the mixture (scikit-learn's <c>score_samples</c>).</summary>
    public double[] ScoreSamples(DataSet data) => ScoreSamples(data, Families.Gaussian.Kernels.KernelVariant.Auto);

    internal double[] ScoreSamples(DataSet data, Families.Gaussian.Kernels.KernelVariant variant)
    {
        CheckData(data);
        var result = new double[data.RowCount];
        Passes.Evaluate(FamilyFor(data, variant), data, Parameters, null, (start, n, _, logNorm) => logNorm.CopyTo(result.AsSpan(start, n)));
        return result;
    }

    /// <summary>Mean log-likelihood per row (scikit-learn's <c>score</c>); weighted rows give Σ w·log p / Σ w.</summary>
    public double Score(DataSet data) => Passes.LogLikelihood(FamilyFor(CheckData(data)), data, Parameters, null) / data.TotalWeight;

    /// <summary>
    /// Bayesian information criterion, scikit-learn's sign: −2·log L + p·ln n; lower is better.
    /// (mclust reports the negative, where higher is better.) With sample weights, log L = Σ w·log p
    /// and n = Σ w (<see cref="RowSource.TotalWeight"/>).
    /// </summary>
    public double Bic(DataSet data) =>
        (-2 * Passes.LogLikelihood(FamilyFor(CheckData(data)), data, Parameters, null)) + (FreeParameterCount * Math.Log(data.TotalWeight));

    /// <summary>Akaike information criterion, scikit-learn's sign: −2·log L + 2p; lower is better.</summary>
    public double Aic(DataSet data) =>
        (-2 * Passes.LogLikelihood(FamilyFor(CheckData(data)), data, Parameters, null)) + (2.0 * FreeParameterCount);

    /// <summary>
    /// Draws <paramref name="count"/> rows from the mixture: component counts from a multinomial on
    /// the weights, rows grouped by component as scikit-learn's <c>sample</c> returns them.
    /// </summary>
    public MixtureSample Sample(int count, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int k = ComponentCount, d = FeatureCount;
        var rng = new RandomSource(seed);
        var perComponent = new int[k];
        for (int i = 0; i < count; i++)
        {
            double u = rng.NextDouble(), cumulative = 0;
            int j = 0;
            for (; j < k - 1; j++)
            {
                cumulative += Parameters.Weights[j];
                if (u < cumulative)
                    break;
            }
            perComponent[j]++;
        }
        var values = new double[count * d];
        var labels = new int[count];
        var factor = new double[d * d];
        var z = new double[d];
        int row = 0;
        for (int j = 0; j < k; j++)
        {
            Parameters.Structure.SamplingFactor(j, k, d, Parameters.Covariances, factor);
            var mean = Parameters.MeanOf(j);
            for (int s = 0; s < perComponent[j]; s++, row++)
            {
                for (int a = 0; a < d; a++)
                    z[a] = rng.NextNormal();
                for (int a = 0; a < d; a++)
                {
                    double v = mean[a];
                    for (int b = 0; b <= a; b++)
                        v += factor[(a * d) + b] * z[b];
                    values[(row * d) + a] = v;
                }
                labels[row] = j;
            }
        }
        return new MixtureSample(DataSet.Wrap(values, d, FeatureNames, "sample"), labels);
    }

    /// <summary>
    /// An mclust-like summary: model code and description, k, log-likelihood, n, df, BIC, AIC
    /// (scikit-learn's sign: lower is better) and cluster sizes.
    /// </summary>
    public string Summary()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine("Gaussian finite mixture model fitted by EM algorithm");
        s.AppendLine("----------------------------------------------------");
        s.AppendLine(inv, $"Model {ModelCode} ({CovarianceType.ToScikitName()}: {ModelDescription}) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}");
        s.AppendLine();
        if (Fit is { } fit && TrainingLogLikelihood is { } logL)
        {
            double n = fit.WeightTotal ?? fit.RowCount;
            double bic = (-2 * logL) + (FreeParameterCount * Math.Log(n));
            double aic = (-2 * logL) + (2.0 * FreeParameterCount);
            var header = new[] { "log-likelihood", "n", "df", "BIC", "AIC" };
            var cells = new[]
            {
                logL.ToString("F4", inv), n.ToString("G", inv), FreeParameterCount.ToString(inv),
                bic.ToString("F4", inv), aic.ToString("F4", inv),
            };
            AppendTable(s, header, cells);
            s.AppendLine("(BIC and AIC as scikit-learn: lower is better; mclust prints BIC with the opposite sign.)");
            s.AppendLine();
            foreach (var e in fit.Collapses)
            {
                string action = e.Action == CollapsePolicy.Reseed
                    ? string.Create(inv, $"reseeded at row {e.Row + 1}")
                    : "dropped";
                s.AppendLine(inv, $"Collapsed: component {e.Component + 1} at iteration {e.Iteration}, {action}.");
            }
            s.AppendLine(inv, $"EM: {fit.Iterations} iteration{(fit.Iterations == 1 ? "" : "s")}, {(fit.Converged ? "converged" : "NOT converged")} (tol {fit.Options.Tolerance.ToString("G", inv)}), lower bound {fit.LowerBound.ToString("F6", inv)}, best of {fit.Options.InitCount} init{(fit.Options.InitCount == 1 ? "" : "s")} ({fit.Options.Init.ToScikitName()})");
            s.AppendLine();
        }
        if (TrainingClusterSizes is { } sizes)
        {
            s.AppendLine("Clustering table (rows per component, 0-based as Predict):");
            AppendTable(s, Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv)).ToArray(),
                sizes.Select(c => c.ToString(inv)).ToArray());
            s.AppendLine();
        }
        s.AppendLine("Mixing weights:");
        AppendTable(s, Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv)).ToArray(),
            Parameters.Weights.Select(w => w.ToString("F4", inv)).ToArray());
        s.AppendLine();
        s.AppendLine("Means:");
        var meanHeader = Enumerable.Repeat("", 1).Concat(Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv))).ToArray();
        var rows = new List<string[]>();
        for (int a = 0; a < FeatureCount; a++)
        {
            var row = new string[ComponentCount + 1];
            row[0] = FeatureNames[a];
            for (int j = 0; j < ComponentCount; j++)
                row[j + 1] = Parameters.Means[(j * FeatureCount) + a].ToString("G6", inv);
            rows.Add(row);
        }
        AppendTable(s, meanHeader, [.. rows]);
        return s.ToString();
    }

    private static void AppendTable(StringBuilder s, string[] header, params string[][] rows)
    {
        var widths = new int[header.Length];
        for (int c = 0; c < header.Length; c++)
            widths[c] = Math.Max(header[c].Length, rows.Max(r => r[c].Length));
        s.AppendLine(string.Join("  ", header.Select((h, c) => h.PadLeft(widths[c]))).TrimEnd());
        foreach (var row in rows)
            s.AppendLine(string.Join("  ", row.Select((v, c) => c == 0 && header[0].Length == 0 ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))).TrimEnd());
    }

    private static void AppendTable(StringBuilder s, string[] header, string[] row) => AppendTable(s, header, [row]);

    private DataSet CheckData(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{data.Source}: has {data.FeatureCount} column{(data.FeatureCount == 1 ? "" : "s")}, but the model was fitted on {FeatureCount} ({string.Join(", ", FeatureNames)})."));
        return data;
    }
}

/// <summary>Rows drawn from a mixture and the component each came from.</summary>
/// <param name="Data">The drawn rows.</param>
/// <param name="Labels">The component of each row.</param>
public sealed record MixtureSample(DataSet Data, int[] Labels);
