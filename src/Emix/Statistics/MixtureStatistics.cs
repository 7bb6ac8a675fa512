namespace Emix.Statistics;

/// <summary>
/// A family's sufficient statistics as one value: a buffer in a <see cref="StatisticsLayout"/>, and the
/// centres it was gathered around. Zero, add, scale and re-centre are all that batch, streamed,
/// distributed and stepwise fits do with them; the M-step reads them and never the rows.
/// </summary>
internal sealed class MixtureStatistics
{
    private MixtureStatistics(StatisticsLayout layout, double[] values, double[] centres)
    {
        Layout = layout;
        Values = values;
        Centres = centres;
    }

    /// <summary>Where each statistic sits.</summary>
    public StatisticsLayout Layout { get; }

    /// <summary>The buffer (<see cref="StatisticsLayout.Length"/> doubles).</summary>
    public double[] Values { get; }

    /// <summary>The centres the statistics are gathered around (empty when the layout is not centred).</summary>
    public double[] Centres { get; private set; }

    /// <summary>Σ wᵢ·log p(xᵢ) of the rows gathered (under the parameters of their E-step).</summary>
    public double LogLikelihood => Values[StatisticsLayout.LogLikelihoodOffset];

    /// <summary>Σ r per component.</summary>
    public ReadOnlySpan<double> Nk => Values.AsSpan(StatisticsLayout.NkOffset, Layout.ComponentCount);

    /// <summary>Statistics of no rows, around <paramref name="centres"/>.</summary>
    public static MixtureStatistics Zero(StatisticsLayout layout, ReadOnlySpan<double> centres) =>
        Wrap(layout, new double[layout.Length], centres);

    /// <summary>Takes <paramref name="values"/> (gathered around <paramref name="centres"/>, which are copied) as statistics.</summary>
    public static MixtureStatistics Wrap(StatisticsLayout layout, double[] values, ReadOnlySpan<double> centres)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != layout.Length)
            throw new ArgumentException($"{values.Length} statistics for a layout of {layout.Length}.", nameof(values));
        if (centres.Length != layout.CentreLength)
            throw new ArgumentException($"{centres.Length} centre values for a layout of {layout.CentreLength}.", nameof(centres));
        return new MixtureStatistics(layout, values, centres.ToArray());
    }

    /// <summary>A copy that shares nothing with this value.</summary>
    public MixtureStatistics Copy() => new(Layout, (double[])Values.Clone(), (double[])Centres.Clone());

    /// <summary>
    /// Adds <paramref name="other"/> into this value, element by element (the reduction tree's operation).
    /// Statistics gathered around other centres are re-centred onto this value's centres first (on a copy).
    /// </summary>
    public void Add(MixtureStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireSameLayout(other);
        if (!other.Centres.AsSpan().SequenceEqual(Centres))
        {
            other = other.Copy();
            other.RecentreTo(Centres);
        }
        AddInto(Values, other.Values);
    }

    /// <summary>Multiplies every statistic, the log-likelihood included, by <paramref name="factor"/> (a step size, or 1/n).</summary>
    public void Scale(double factor)
    {
        var values = Values.AsSpan();
        for (int i = 0; i < values.Length; i++)
            values[i] *= factor;
    }

    /// <summary>Re-expresses the statistics around <paramref name="centres"/> (exact in algebra; rounding aside).</summary>
    public void RecentreTo(ReadOnlySpan<double> centres)
    {
        if (centres.Length != Layout.CentreLength)
            throw new ArgumentException($"{centres.Length} centre values for a layout of {Layout.CentreLength}.", nameof(centres));
        Layout.Recentre(Values, Centres, centres);
        Centres = centres.ToArray();
    }

    /// <summary>total[i] += part[i]: the one addition of statistics, used by the reduction tree too.</summary>
    public static void AddInto(Span<double> total, ReadOnlySpan<double> part)
    {
        for (int i = 0; i < total.Length; i++)
            total[i] += part[i];
    }

    private void RequireSameLayout(MixtureStatistics other)
    {
        if (!Layout.SameAs(other.Layout))
            throw new ArgumentException("Statistics of different layouts (family, components, features or structure) do not add.", nameof(other));
    }
}
