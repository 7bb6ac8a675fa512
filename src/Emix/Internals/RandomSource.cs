namespace Emix.Internals;

/// <summary>
/// xoshiro256** (Blackman and Vigna, 2018), seeded through SplitMix64. Written here from the
/// published algorithm description so that every random draw Emix makes is reproducible across
/// .NET versions and platforms (System.Random's seeded sequence is not a documented contract).
/// </summary>
internal sealed class RandomSource
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    public RandomSource(long seed)
    {
        ulong sm = unchecked((ulong)seed);
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    /// <summary>
    /// An independent stream for one chunk of rows, derived from a base seed and the chunk index,
    /// so that parallel chunks draw the same numbers whatever thread runs them.
    /// </summary>
    public static RandomSource ForStream(long baseSeed, long streamIndex)
    {
        ulong mixed = unchecked((ulong)baseSeed ^ ((ulong)streamIndex * 0xD1342543DE82EF95UL));
        ulong sm = mixed;
        return new RandomSource(unchecked((long)SplitMix(ref sm)));
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    public long NextInt64() => unchecked((long)(NextUInt64() >> 1));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound), without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong b = (ulong)bound;
        UInt128 m = (UInt128)NextUInt64() * b;
        ulong low = (ulong)m;
        if (low < b)
        {
            ulong threshold = unchecked(0UL - b) % b;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * b;
                low = (ulong)m;
            }
        }
        return (int)(m >> 64);
    }

    /// <summary>Standard normal deviate (Marsaglia's polar method).</summary>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);
        double factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareNormal = v * factor;
        _hasSpareNormal = true;
        return u * factor;
    }

    /// <summary>
    /// <paramref name="k"/> distinct indices drawn one after another with probability proportional
    /// to <paramref name="weights"/> among those not drawn yet (rows of weight 0 are never drawn).
    /// O(n·k): for initialisation only.
    /// </summary>
    public int[] ChooseDistinctWeighted(ReadOnlySpan<double> weights, int k)
    {
        var result = new int[k];
        var taken = new HashSet<int>();
        for (int m = 0; m < k; m++)
        {
            double total = 0;
            for (int i = 0; i < weights.Length; i++)
                if (!taken.Contains(i))
                    total += weights[i];
            double target = NextDouble() * total;
            int pick = -1;
            double running = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                if (taken.Contains(i) || weights[i] <= 0)
                    continue;
                pick = i; // the last positive one when rounding leaves target at the very end
                running += weights[i];
                if (running > target)
                    break;
            }
            if (pick < 0)
                throw new ArgumentException($"only {m} rows have a positive weight; {k} are needed.", nameof(weights));
            taken.Add(pick);
            result[m] = pick;
        }
        return result;
    }

    /// <summary>k distinct indices from [0, n), in the order drawn (partial Fisher–Yates on a sparse map).</summary>
    public int[] ChooseDistinct(int n, int k)
    {
        var swapped = new Dictionary<int, int>();
        var result = new int[k];
        for (int i = 0; i < k; i++)
        {
            int j = i + NextInt(n - i);
            int atJ = swapped.TryGetValue(j, out int vj) ? vj : j;
            int atI = swapped.TryGetValue(i, out int vi) ? vi : i;
            swapped[j] = atI;
            result[i] = atJ;
        }
        return result;
    }
}
