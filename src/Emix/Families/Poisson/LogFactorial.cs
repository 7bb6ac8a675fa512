namespace Emix.Families.Poisson;

/// <summary>
/// log(x!) for a count x, as the full Poisson log-likelihood needs it (−log x! per cell). A table
/// below <see cref="TableSize"/>; above, Stirling's series for log Γ(x + 1), whose first omitted
/// term there is below 1e-19 (relative error at the level of double rounding).
/// </summary>
internal static class LogFactorial
{
    private const int TableSize = 256;
    private const double HalfLog2Pi = 0.91893853320467274178032973640562;

    private static readonly double[] Table = Build();

    private static double[] Build()
    {
        var table = new double[TableSize];
        for (int x = 2; x < TableSize; x++)
            table[x] = table[x - 1] + Math.Log(x);
        return table;
    }

    /// <summary>log(x!) for x ≥ 0 (an integer held in a double).</summary>
    public static double Of(double x)
    {
        if (x < TableSize)
            return Table[(int)x];
        double z = x + 1, z2 = z * z;
        double series = (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * z2)) / z2) / z2) / z;
        return ((z - 0.5) * Math.Log(z)) - z + HalfLog2Pi + series;
    }
}
