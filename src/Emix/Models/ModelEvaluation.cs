using Emix.Engine;

namespace Emix.Models;

/// <summary>
/// What a fitted model answers about rows, for any family: predictions, posterior probabilities,
/// densities and the log-likelihood, all through <see cref="Passes"/> over the family (chosen per data
/// set, e.g. the Gaussian's missing-value variant) after the family's checks of the cells (the model
/// checks the column count first).
/// </summary>
internal abstract class ModelEvaluation(int componentCount, int featureCount, double[] weights)
{
    public int ComponentCount { get; } = componentCount;

    public int FeatureCount { get; } = featureCount;

    /// <summary>A copy of the mixing weights.</summary>
    public double[] Weights => (double[])weights.Clone();

    public abstract int[] Predict(DataSet data);

    public abstract double[,] Probabilities(DataSet data);

    public abstract double[] ScoreSamples(DataSet data);

    public abstract double LogLikelihood(DataSet data);

    /// <summary>Σᵢ −wᵢ·log maxⱼ p(j | xᵢ) over any row source (see <see cref="Passes.ClassificationEntropy"/>).</summary>
    public abstract double ClassificationEntropy(RowSource data, int? threads, CancellationToken cancellationToken);
}

/// <inheritdoc cref="ModelEvaluation"/>
internal sealed class ModelEvaluation<TParameters>(TParameters parameters, Func<RowSource, IMixtureFamily<TParameters>> familyFor, Action<DataSet> check,
    int featureCount, double[] weights)
    : ModelEvaluation(weights.Length, featureCount, weights)
    where TParameters : class
{
    public override int[] Predict(DataSet data)
    {
        check(data);
        var labels = new int[data.RowCount];
        Passes.MostProbableComponents(familyFor(data), data, parameters, null, labels);
        return labels;
    }

    public override double[,] Probabilities(DataSet data)
    {
        check(data);
        return Passes.Probabilities(familyFor(data), data, parameters);
    }

    public override double[] ScoreSamples(DataSet data)
    {
        check(data);
        return Passes.ScoreSamples(familyFor(data), data, parameters);
    }

    public override double LogLikelihood(DataSet data)
    {
        check(data);
        return Passes.LogLikelihood(familyFor(data), data, parameters, null);
    }

    // The rows are those the model was fitted on (model selection), already checked by the fit.
    public override double ClassificationEntropy(RowSource data, int? threads, CancellationToken cancellationToken) =>
        Passes.ClassificationEntropy(familyFor(data), data, parameters, threads, cancellationToken);
}
