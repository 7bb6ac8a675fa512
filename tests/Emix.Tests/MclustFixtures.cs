using System.Text.Json;
using Emix.Data;

namespace Emix.Tests;

/// <summary>
/// tests/fixtures/mclust (see its README): mclust 6.0.0's results on seven public data sets, read once per
/// test run, and the tolerances the mclust agreement tests hold Emix to.
/// </summary>
internal static class MclustFixtures
{
    public const double LogLikelihoodTolerance = 1e-8;
    public const double ParameterTolerance = 1e-6;

    public static readonly string[] DataSets = ["iris", "faithful", "diabetes", "banknote", "thyroid", "wine", "acidity"];

    private static readonly Dictionary<string, JsonElement> Files = [];
    private static readonly Dictionary<string, DataSet> Rows = [];

    /// <summary>The fixture <c>{kind}_{data}.json</c> (kind: me, prior, hc, noise, mclust).</summary>
    public static JsonElement Json(string kind, string data)
    {
        string name = $"{kind}_{data}.json";
        lock (Files)
        {
            if (!Files.TryGetValue(name, out var json))
                Files[name] = json = Fixtures.Json(Path.Combine("mclust", name));
            return json;
        }
    }

    /// <summary>The data set's rows as mclust read them (<c>{data}.csv</c> in the fixture folder).</summary>
    public static DataSet Data(string data)
    {
        lock (Rows)
        {
            if (!Rows.TryGetValue(data, out var set))
                Rows[data] = set = CsvReader.Read(Fixtures.Path_(Path.Combine("mclust", data + ".csv")));
            return set;
        }
    }
}
