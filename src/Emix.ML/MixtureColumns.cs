using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Emix.ML;

/// <summary>The columns a fitted mixture adds to a view, their names and types.</summary>
public static class MixtureColumns
{
    /// <summary>
    /// The most probable component: a key (1-based, as ML.NET keys are) whose key values are the
    /// 0-based component numbers of Emix (<c>emix predict</c>'s labels), so <c>MapKeyToValue</c> gives them back.
    /// </summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>The probability of each component given the row, p(j | x), a vector of <see cref="float"/> of length k.</summary>
    public const string Score = "Score";

    /// <summary>The log density of the row under the mixture, log p(x), a <see cref="double"/> (as <c>emix score</c>).</summary>
    public const string LogLikelihood = "LogLikelihood";

    /// <summary>
    /// −log p(j | x) for each component, a vector of <see cref="float"/>: smallest for the predicted
    /// component. ML.NET's clustering evaluator assigns each row to the component of the smallest score
    /// (it was made for k-means distances), so pass this column as its score column, not <see cref="Score"/>;
    /// its average minimum score is then the mean −log max<sub>j</sub> p(j | x).
    /// </summary>
    public const string NegativeLogProbability = "NegativeLogProbability";

    /// <summary>The output columns for a model of <paramref name="componentCount"/> components, in the order they are added.</summary>
    internal static DataViewSchema Schema(int componentCount)
    {
        var builder = new DataViewSchema.Builder();
        var labelAnnotations = new DataViewSchema.Annotations.Builder();
        labelAnnotations.Add("KeyValues", new VectorDataViewType(NumberDataViewType.UInt32, componentCount), (ref VBuffer<uint> values) =>
            values = new VBuffer<uint>(componentCount, Enumerable.Range(0, componentCount).Select(j => (uint)j).ToArray()));
        builder.AddColumn(PredictedLabel, new KeyDataViewType(typeof(uint), componentCount), labelAnnotations.ToAnnotations());
        builder.AddColumn(Score, new VectorDataViewType(NumberDataViewType.Single, componentCount), ComponentSlots(componentCount));
        builder.AddColumn(LogLikelihood, NumberDataViewType.Double);
        builder.AddColumn(NegativeLogProbability, new VectorDataViewType(NumberDataViewType.Single, componentCount), ComponentSlots(componentCount));
        return builder.ToSchema();
    }

    private static DataViewSchema.Annotations ComponentSlots(int componentCount)
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, componentCount), (ref VBuffer<ReadOnlyMemory<char>> names) =>
            names = new VBuffer<ReadOnlyMemory<char>>(componentCount,
                Enumerable.Range(0, componentCount).Select(j => ("component " + j.ToString(CultureInfo.InvariantCulture)).AsMemory()).ToArray()));
        return annotations.ToAnnotations();
    }
}
