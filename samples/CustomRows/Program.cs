using Emix;

// Rows that are computed, not stored: each row is a function of its index, so the engine reads
// them chunk by chunk on every pass (as it reads a database cursor or an ML.NET IDataView) and
// nothing of size n is ever held. Here: counts of visits, clicks and purchases from three
// kinds of customer, fitted with a Poisson mixture.
var rows = new SimulatedVisits(200_000);
var model = new PoissonMixture(new PoissonMixtureOptions { ComponentCount = 3, Seed = 1, Tolerance = 1e-8 }).Fit(rows);
Console.WriteLine(model.Summary());
var fromMemory = new PoissonMixture(new PoissonMixtureOptions { ComponentCount = 3, Seed = 1, Tolerance = 1e-8 }).Fit(rows.ToDataSet());
bool same = model.Weights.SequenceEqual(fromMemory.Weights) && model.Rates.Cast<double>().SequenceEqual(fromMemory.Rates.Cast<double>());
Console.WriteLine($"Same fit from the rows copied into memory: {same}");

/// <summary>Rows generated from their index by a fixed hash: any order, any thread, the same values.</summary>
internal sealed class SimulatedVisits(int rowCount) : RowSource
{
    private static readonly double[][] Rates = [[2, 1, 0.1], [8, 5, 1], [20, 3, 6]];

    public override int RowCount => rowCount;
    public override int FeatureCount => 3;
    public override IReadOnlyList<string> FeatureNames { get; } = ["visits", "clicks", "purchases"];
    public override string Source => "simulated visits";

    protected override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer)
    {
        // The engine may call this from several threads at once, each with its own buffer.
        if (buffer is null || buffer.Length < count * FeatureCount)
            buffer = new double[count * FeatureCount];
        for (int i = 0; i < count; i++)
        {
            ulong state = (ulong)(start + i) * 0x9E3779B97F4A7C15UL;
            double[] rates = Rates[(int)(Next(ref state) % 3)];
            for (int a = 0; a < FeatureCount; a++)
                buffer[(i * FeatureCount) + a] = Poisson(rates[a], ref state);
        }
        return buffer.AsSpan(0, count * FeatureCount);
    }

    public DataSet ToDataSet()
    {
        double[]? buffer = null;
        return DataSet.FromRowMajor(ReadRows(0, RowCount, ref buffer), FeatureCount);
    }

    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Knuth's product of uniforms: fine for the small rates of this sample.</summary>
    private static double Poisson(double rate, ref ulong state)
    {
        double limit = Math.Exp(-rate), product = 1;
        int k = -1;
        do
        {
            product *= (Next(ref state) >> 11) * (1.0 / (1UL << 53));
            k++;
        }
        while (product > limit);
        return k;
    }
}
