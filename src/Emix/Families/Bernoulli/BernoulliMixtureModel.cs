using System.Globalization;
using System.Text;
using Emix.Engine;
using Emix.Families.Bernoulli;
using Emix.Internals;

namespace Emix;

/// <summary>A fitted mixture of independent Bernoulli features: weights and probabilities of a 1 (k×d).</summary>
public sealed class BernoulliMixtureModel : MixtureModel
{
    internal BernoulliMixtureModel(BernoulliParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
        : base(new Models.ModelEvaluation<BernoulliParameters>(parameters, static _ => BernoulliFamily.Instance, BernoulliFamily.RequireBinary,
            parameters.FeatureCount, parameters.Weights), featureNames, fit, trainingClusterSizes, trainingLogLikelihood)
    {
        Parameters = parameters;
    }

    internal BernoulliParameters Parameters { get; }

    /// <summary>"bernoulli".</summary>
    public override string Family => "bernoulli";

    /// <summary>P(x_a = 1 | component j), k×d.</summary>
    public double[,] Probabilities => ToMatrix(Parameters.Probabilities, ComponentCount, FeatureCount);

    /// <summary>k·d probabilities and k − 1 weights.</summary>
    public override long FreeParameterCount => Parameters.FreeParameterCount;

    /// <summary>Builds a model from given weights and probabilities (validated).</summary>
    public static BernoulliMixtureModel Create(IReadOnlyList<double> weights, double[,] probabilities, IReadOnlyList<string>? featureNames = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        int k = probabilities.GetLength(0), d = probabilities.GetLength(1);
        var flat = probabilities.Cast<double>().ToArray();
        var names = featureNames?.ToArray() ?? OnlineGaussianMixture.DefaultNames(d);
        if (names.Length != d)
            throw new ArgumentException($"{names.Length} feature names for {d} features.", nameof(featureNames));
        return new BernoulliMixtureModel(BernoulliUserParameters.Check(new BernoulliParameterValues(weights, flat), k, d), names, null, null, null);
    }

    /// <inheritdoc/>
    public override MixtureSample Sample(int count, long seed = 0)
    {
        var p = Parameters;
        return ComponentDraws.Rows(p.Weights, count, seed, FeatureNames, (j, rng, row) =>
        {
            for (int a = 0; a < row.Length; a++)
                row[a] = rng.NextDouble() < p.Probabilities[(j * row.Length) + a] ? 1 : 0;
        });
    }

    private protected override string SummaryHeading => "Bernoulli finite mixture model fitted by EM algorithm";

    private protected override string SummaryModelLine => string.Create(CultureInfo.InvariantCulture,
        $"Model bernoulli (independent 0/1 features; latent classes) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}");

    private protected override void AppendParameterSummary(StringBuilder s) => AppendFeatureTable(s, "Probabilities of a 1:", Parameters.Probabilities);
}
