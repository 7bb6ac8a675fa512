using Emix.Engine;

namespace Emix.Families.Mixed;

/// <summary>The cell checks of a mixed table: each column by its family's rule, with that family's message.</summary>
internal static class MixedChecks
{
    /// <summary>Refuses the first cell its column's family cannot take (a categorical column's codes are checked as its levels are found).</summary>
    /// <exception cref="DataFormatException">Names the source, row, column and value.</exception>
    public static void RequireCells(RowSource data, FeatureFamily[] kinds)
    {
        if (data.HasMissing)
            throw new DataFormatException($"{data.Source}: has {data.MissingCount} missing cells; the mixed family needs every value (drop the incomplete rows).");
        CellChecks.RequireAll(data, (a, v) => kinds[a] switch
        {
            FeatureFamily.Poisson => v >= 0 && v == Math.Floor(v) && v <= 9.007199254740992e15,
            FeatureFamily.Bernoulli => v is 0 or 1,
            _ => double.IsFinite(v),
        }, a => kinds[a] switch
        {
            FeatureFamily.Poisson => "is not a count; a poisson column needs non-negative integers.",
            FeatureFamily.Bernoulli => "is not 0 or 1; a bernoulli column needs 0/1 values.",
            _ => "is not a finite number.",
        });
    }
}
