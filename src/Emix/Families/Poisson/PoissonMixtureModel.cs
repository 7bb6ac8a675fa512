using System.Globalization;
using System.Text;
using Emix.Engine;
using Emix.Families.Poisson;
using Emix.Internals;

namespace Emix;

/// <summary>
/// A fitted multivariate Poisson mixture: weights and rates λ (k×d) and what can be computed from
/// them. Every array a property returns is a copy.
/// </summary>
public sealed class PoissonMixtureModel : MixtureModel
{
    internal PoissonMixtureModel(PoissonParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
        : base(new Models.ModelEvaluation<PoissonParameters>(parameters, static _ => PoissonFamily.Instance, PoissonUserParameters.RequireCounts,
            parameters.FeatureCount, parameters.Weights), featureNames, fit, trainingClusterSizes, trainingLogLikelihood)
    {
        Parameters = parameters;
    }

    internal PoissonParameters Parameters { get; }

    /// <summary>"poisson".</summary>
    public override string Family => "poisson";

    /// <summary>Rates λ, k×d: the expected count of each feature in each component.</summary>
    public double[,] Rates => ToMatrix(Parameters.Rates, ComponentCount, FeatureCount);

    /// <summary>k·d rates and k − 1 weights.</summary>
    public override long FreeParameterCount => Parameters.FreeParameterCount;

    /// <summary>Builds a model from given weights (k, summing to 1) and rates (k×d, ≥ 0), validated.</summary>
    /// <exception cref="ArgumentException">A shape or value is wrong.</exception>
    public static PoissonMixtureModel Create(IReadOnlyList<double> weights, double[,] rates, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(rates);
        int k = rates.GetLength(0), d = rates.GetLength(1);
        if (k == 0 || d == 0)
            throw new ArgumentException("rates must have at least one component and one feature.", nameof(rates));
        var flat = new double[k * d];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                flat[(j * d) + a] = rates[j, a];
        var names = featureNames?.ToArray() ?? Enumerable.Range(1, d).Select(a => "x" + a.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (names.Length != d)
            throw new ArgumentException($"{names.Length} feature names for {d} features.", nameof(featureNames));
        return new PoissonMixtureModel(PoissonUserParameters.Check(new PoissonParameterValues(weights, flat), k, d), names, null, null, null);
    }

    /// <summary>Loads and validates a Poisson mixture's model file.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed, inconsistent or of another family.</exception>
    public static PoissonMixtureModel Load(string path) =>
        LoadAny(path) as PoissonMixtureModel ?? throw new ModelFormatException($"{path}: not a Poisson mixture model file.");


    /// <inheritdoc/>
    public override MixtureSample Sample(int count, long seed = 0)
    {
        var p = Parameters;
        return ComponentDraws.Rows(p.Weights, count, seed, FeatureNames, (j, rng, row) =>
        {
            for (int a = 0; a < row.Length; a++)
                row[a] = PoissonSampler.Draw(p.Rates[(j * row.Length) + a], rng);
        });
    }

    private protected override string SummaryHeading => "Poisson finite mixture model fitted by EM algorithm";

    private protected override string SummaryModelLine => string.Create(CultureInfo.InvariantCulture,
        $"Model poisson (independent counts per feature) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}");

    private protected override void AppendParameterSummary(StringBuilder s) => AppendFeatureTable(s, "Rates:", Parameters.Rates);
}
