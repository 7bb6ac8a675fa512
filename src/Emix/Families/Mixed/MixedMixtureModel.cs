using System.Globalization;
using System.Text;
using Emix.Families.Mixed;
using Emix.Families.Poisson;
using Emix.Internals;

namespace Emix;

/// <summary>One feature of a fitted mixed-type mixture: its name, family and per-component parameters.</summary>
public sealed class MixedFeature
{
    internal MixedFeature(string name, FeatureFamily family, double[]? first, double[]? second, double[] levels, double[]? probabilities, int k)
    {
        Name = name;
        Family = family;
        _first = first;
        _second = second;
        _levels = levels;
        _probabilities = probabilities;
        _k = k;
    }

    private readonly double[]? _first, _second, _probabilities;
    private readonly double[] _levels;
    private readonly int _k;

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The column's family.</summary>
    public FeatureFamily Family { get; }

    /// <summary>Gaussian: the mean per component (k); null otherwise.</summary>
    public double[]? Means => Family == FeatureFamily.Gaussian ? (double[])_first!.Clone() : null;

    /// <summary>Gaussian: the variance per component (k); null otherwise.</summary>
    public double[]? Variances => Family == FeatureFamily.Gaussian ? (double[])_second!.Clone() : null;

    /// <summary>Poisson: the rate per component (k); null otherwise.</summary>
    public double[]? Rates => Family == FeatureFamily.Poisson ? (double[])_first!.Clone() : null;

    /// <summary>Bernoulli: the probability of 1 per component (k); null otherwise.</summary>
    public double[]? Probabilities => Family == FeatureFamily.Bernoulli ? (double[])_first!.Clone() : null;

    /// <summary>Categorical: the levels (the column's distinct values, ascending); null otherwise.</summary>
    public double[]? Levels => Family == FeatureFamily.Categorical ? (double[])_levels.Clone() : null;

    /// <summary>Categorical: each level's probability per component (k × L); null otherwise.</summary>
    public double[,]? LevelProbabilities
    {
        get
        {
            if (Family != FeatureFamily.Categorical)
                return null;
            int count = _levels.Length;
            var result = new double[_k, count];
            for (int j = 0; j < _k; j++)
                for (int l = 0; l < count; l++)
                    result[j, l] = _probabilities![(j * count) + l];
            return result;
        }
    }
}

/// <summary>
/// A fitted mixed-type mixture (local independence): weights and, per feature, its family's
/// parameters (<see cref="Features"/>). Every array a property returns is a copy.
/// </summary>
public sealed class MixedMixtureModel : MixtureModel
{
    internal MixedMixtureModel(MixedParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
        : base(new Models.ModelEvaluation<MixedParameters>(parameters, static _ => MixedFamily.Instance, data => RequireCells(data, parameters),
            parameters.FeatureCount, parameters.Weights), featureNames, fit, trainingClusterSizes, trainingLogLikelihood)
    {
        Parameters = parameters;
    }

    internal MixedParameters Parameters { get; }

    private static void RequireCells(DataSet data, MixedParameters p)
    {
        MixedChecks.RequireCells(data, p.Kinds);
        Families.Categorical.CategoricalFamily.RequireKnownLevels(data, p.Levels, p.Lookup);
    }

    /// <summary>"mixed".</summary>
    public override string Family => "mixed";

    /// <summary>The features in column order, each with its family and parameters.</summary>
    public IReadOnlyList<MixedFeature> Features => Enumerable.Range(0, FeatureCount)
        .Select(a => new MixedFeature(FeatureNames[a], Parameters.Kinds[a], Parameters.First[a], Parameters.Second[a], Parameters.Levels[a], Parameters.Probabilities[a], ComponentCount))
        .ToArray();

    /// <summary>k − 1 weights and per feature 2k (Gaussian), k (Poisson, Bernoulli) or k·(L − 1) (categorical).</summary>
    public override long FreeParameterCount => Parameters.FreeParameterCount;

    /// <summary>Loads and validates a mixed-type mixture's model file.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed, inconsistent or of another family.</exception>
    public static MixedMixtureModel Load(string path) =>
        LoadAny(path) as MixedMixtureModel ?? throw new ModelFormatException($"{path}: not a mixed-type mixture model file.");

    /// <summary>
    /// Checked parameters: weights in [0, 1] summing to 1; Gaussian means finite and variances &gt; 0;
    /// rates ≥ 0; probabilities in [0, 1]; each categorical component's level probabilities summing to 1.
    /// </summary>
    internal static MixedParameters Check(FeatureFamily[] kinds, double[] weights, double[]?[] first, double[]?[] second, double[][] levels, double[]?[] probabilities)
    {
        Engine.CellChecks.CheckWeights(weights);
        int k = weights.Length;
        for (int a = 0; a < kinds.Length; a++)
        {
            string where = string.Create(CultureInfo.InvariantCulture, $"feature {a + 1}");
            for (int j = 0; j < k; j++)
            {
                string at = string.Create(CultureInfo.InvariantCulture, $"{where}, component {j + 1}");
                switch (kinds[a])
                {
                    case FeatureFamily.Gaussian:
                        if (!double.IsFinite(first[a]![j]) || !(second[a]![j] > 0 && double.IsFinite(second[a]![j])))
                            throw new ArgumentException($"{at}: a Gaussian needs a finite mean and a finite variance > 0.");
                        break;
                    case FeatureFamily.Poisson:
                        if (!(first[a]![j] >= 0 && double.IsFinite(first[a]![j])))
                            throw new ArgumentException($"{at}: a rate must be finite and >= 0.");
                        break;
                    case FeatureFamily.Bernoulli:
                        if (!(first[a]![j] >= 0 && first[a]![j] <= 1))
                            throw new ArgumentException($"{at}: a probability must be in [0, 1].");
                        break;
                    default:
                        int count = levels[a].Length;
                        double sum = 0;
                        for (int l = 0; l < count; l++)
                        {
                            double q = probabilities[a]![(j * count) + l];
                            if (!(q >= 0 && q <= 1))
                                throw new ArgumentException($"{at}: level probabilities must be in [0, 1].");
                            sum += q;
                        }
                        if (Math.Abs(sum - 1) > 1e-8)
                            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{at}: level probabilities sum to {sum:R}, not 1."));
                        break;
                }
            }
        }
        return MixedParameters.Create(kinds, weights, first, second, levels, probabilities);
    }

    /// <inheritdoc/>
    public override MixtureSample Sample(int count, long seed = 0)
    {
        var p = Parameters;
        return ComponentDraws.Rows(p.Weights, count, seed, FeatureNames, (j, rng, row) =>
        {
            for (int a = 0; a < row.Length; a++)
            {
                row[a] = p.Kinds[a] switch
                {
                    FeatureFamily.Gaussian => p.First[a]![j] + (Math.Sqrt(p.Second[a]![j]) * rng.NextNormal()),
                    FeatureFamily.Poisson => PoissonSampler.Draw(p.First[a]![j], rng),
                    FeatureFamily.Bernoulli => rng.NextDouble() < p.First[a]![j] ? 1 : 0,
                    _ => p.Levels[a][ComponentDraws.Pick(p.Probabilities[a].AsSpan(j * p.Levels[a].Length, p.Levels[a].Length), rng)],
                };
            }
        });
    }

    private static readonly string[] FeatureColumns = ["", "family"];

    private protected override string SummaryHeading => "Mixed-type finite mixture model fitted by EM algorithm";

    private protected override string SummaryModelLine => string.Create(CultureInfo.InvariantCulture,
        $"Model mixed (independent features: {string.Join(", ", Enum.GetValues<FeatureFamily>().Select(f => (f, n: Parameters.Kinds.Count(x => x == f))).Where(t => t.n > 0).Select(t => $"{t.n} {ColumnFamily.NameOf(t.f)}"))}) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}");

    private protected override void AppendParameterSummary(StringBuilder s)
    {
        var inv = CultureInfo.InvariantCulture;
        var p = Parameters;
        s.AppendLine("Per feature (mean and sd, rate, probability of 1, or the most probable level and its probability):");
        var header = FeatureColumns.Concat(Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv))).ToArray();
        var rows = new List<string[]>();
        for (int a = 0; a < FeatureCount; a++)
        {
            var cells = new List<string> { FeatureNames[a], ColumnFamily.NameOf(p.Kinds[a]) };
            for (int j = 0; j < ComponentCount; j++)
            {
                cells.Add(p.Kinds[a] switch
                {
                    FeatureFamily.Gaussian => string.Create(inv, $"{p.First[a]![j]:G5} ± {Math.Sqrt(p.Second[a]![j]):G3}"),
                    FeatureFamily.Categorical => TopLevel(p.Levels[a], p.Probabilities[a].AsSpan(j * p.Levels[a].Length, p.Levels[a].Length)),
                    _ => p.First[a]![j].ToString("G5", inv),
                });
            }
            rows.Add([.. cells]);
        }
        AppendTable(s, header, [.. rows]);

        static string TopLevel(double[] levels, ReadOnlySpan<double> q)
        {
            int best = 0;
            for (int l = 1; l < q.Length; l++)
                if (q[l] > q[best])
                    best = l;
            return string.Create(CultureInfo.InvariantCulture, $"{levels[best]:R} ({q[best]:F2})");
        }
    }
}
