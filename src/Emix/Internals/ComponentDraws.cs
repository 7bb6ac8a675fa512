namespace Emix.Internals;

/// <summary>How many of a sample's rows each component draws: one uniform per row against the cumulative weights.</summary>
internal static class ComponentDraws
{
    public static int[] Counts(ReadOnlySpan<double> weights, int count, RandomSource rng)
    {
        var perComponent = new int[weights.Length];
        for (int i = 0; i < count; i++)
            perComponent[Pick(weights, rng)]++;
        return perComponent;
    }

    /// <summary>One index drawn with probabilities <paramref name="weights"/> (one uniform against their running sum; the last takes the rest).</summary>
    public static int Pick(ReadOnlySpan<double> weights, RandomSource rng)
    {
        double u = rng.NextDouble(), cumulative = 0;
        int j = 0;
        for (; j < weights.Length - 1; j++)
        {
            cumulative += weights[j];
            if (u < cumulative)
                break;
        }
        return j;
    }

    /// <summary>
    /// A sample of <paramref name="count"/> rows as every family's <c>Sample</c> draws it: component counts
    /// from a multinomial on the weights, then the rows grouped by component, each filled by
    /// <paramref name="fillRow"/>(component, generator, row).
    /// </summary>
    public static MixtureSample Rows(ReadOnlySpan<double> weights, int count, long seed, IReadOnlyList<string> featureNames, Action<int, RandomSource, Span<double>> fillRow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int d = featureNames.Count;
        var rng = new RandomSource(seed);
        var perComponent = Counts(weights, count, rng);
        var values = new double[count * d];
        var labels = new int[count];
        int row = 0;
        for (int j = 0; j < perComponent.Length; j++)
        {
            for (int s = 0; s < perComponent[j]; s++, row++)
            {
                fillRow(j, rng, values.AsSpan(row * d, d));
                labels[row] = j;
            }
        }
        return new MixtureSample(DataSet.Wrap(values, d, featureNames, "sample"), labels);
    }
}
