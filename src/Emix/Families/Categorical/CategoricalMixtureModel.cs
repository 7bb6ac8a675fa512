using System.Globalization;
using System.Text;
using Emix.Engine;
using Emix.Families.Categorical;
using Emix.Internals;

namespace Emix;

/// <summary>A fitted mixture of independent categorical features: weights, each feature's levels, and per component and feature a probability per level.</summary>
public sealed class CategoricalMixtureModel : MixtureModel
{
    internal CategoricalMixtureModel(CategoricalParameters parameters, IReadOnlyList<string> featureNames, FitReport? fit,
        int[]? trainingClusterSizes, double? trainingLogLikelihood)
        : base(new Models.ModelEvaluation<CategoricalParameters>(parameters, static _ => CategoricalFamily.Instance,
            data => CategoricalFamily.RequireKnownLevels(data, parameters), parameters.FeatureCount, parameters.Weights),
            featureNames, fit, trainingClusterSizes, trainingLogLikelihood)
    {
        Parameters = parameters;
    }

    internal CategoricalParameters Parameters { get; }

    /// <summary>"categorical".</summary>
    public override string Family => "categorical";

    /// <summary>The levels of feature <paramref name="feature"/>: the distinct values found in the training data, ascending.</summary>
    public double[] LevelsOf(int feature) => (double[])Parameters.Levels[feature].Clone();

    /// <summary>P(x_feature = level ℓ | component j): one row per component over <see cref="LevelsOf"/>.</summary>
    public double[,] ProbabilitiesOf(int feature)
    {
        int k = ComponentCount, from = Parameters.Offsets[feature], count = Parameters.Offsets[feature + 1] - from;
        var result = new double[k, count];
        for (int j = 0; j < k; j++)
            for (int l = 0; l < count; l++)
                result[j, l] = Parameters.Probabilities[(j * Parameters.LevelTotal) + from + l];
        return result;
    }

    /// <summary>k·Σ(L_a − 1) probabilities and k − 1 weights.</summary>
    public override long FreeParameterCount => Parameters.FreeParameterCount;

    /// <inheritdoc/>
    public override MixtureSample Sample(int count, long seed = 0)
    {
        var p = Parameters;
        return ComponentDraws.Rows(p.Weights, count, seed, FeatureNames, (j, rng, row) =>
        {
            for (int a = 0; a < row.Length; a++)
            {
                int from = p.Offsets[a], levels = p.Offsets[a + 1] - from;
                row[a] = p.Levels[a][ComponentDraws.Pick(p.Probabilities.AsSpan((j * p.LevelTotal) + from, levels), rng)];
            }
        });
    }

    private protected override string SummaryHeading => "Categorical finite mixture model fitted by EM algorithm";

    private protected override string SummaryModelLine => string.Create(CultureInfo.InvariantCulture,
        $"Model categorical (independent integer-coded features) with {ComponentCount} component{(ComponentCount == 1 ? "" : "s")} on {FeatureCount} feature{(FeatureCount == 1 ? "" : "s")}");

    private protected override void AppendParameterSummary(StringBuilder s)
    {
        var inv = CultureInfo.InvariantCulture;
        for (int a = 0; a < FeatureCount; a++)
        {
            s.AppendLine(inv, $"{FeatureNames[a]}: probability of each level by component");
            var p = ProbabilitiesOf(a);
            s.AppendLine("  level " + string.Join("  ", Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv).PadLeft(6))));
            for (int l = 0; l < p.GetLength(1); l++)
                s.AppendLine(Parameters.Levels[a][l].ToString("R", inv).PadLeft(7) + " " + string.Join("  ", Enumerable.Range(0, ComponentCount).Select(j => p[j, l].ToString("F4", inv))));
        }
    }
}
