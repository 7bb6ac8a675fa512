namespace Emix.Internals;

/// <summary>How many of a sample's rows each component draws: one uniform per row against the cumulative weights.</summary>
internal static class ComponentDraws
{
    public static int[] Counts(ReadOnlySpan<double> weights, int count, RandomSource rng)
    {
        int k = weights.Length;
        var perComponent = new int[k];
        for (int i = 0; i < count; i++)
        {
            double u = rng.NextDouble(), cumulative = 0;
            int j = 0;
            for (; j < k - 1; j++)
            {
                cumulative += weights[j];
                if (u < cumulative)
                    break;
            }
            perComponent[j]++;
        }
        return perComponent;
    }
}
