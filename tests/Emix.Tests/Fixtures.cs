using System.Text.Json;
using Emix.Data;

namespace Emix.Tests;

/// <summary>Paths and loaders of the committed reference fixtures (tests/fixtures, copied next to the test assembly).</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Path_(string relative) => Path.Combine(Root, relative);

    public static DataSet Data(string name) => CsvReader.Read(Path_(Path.Combine("data", name + ".csv")));

    public static JsonElement Json(string relative)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_(relative)));
        return doc.RootElement.Clone();
    }

    /// <summary>Flattens nested JSON number arrays row-major.</summary>
    public static double[] Flat(JsonElement e)
    {
        var list = new List<double>();
        void Walk(JsonElement x)
        {
            if (x.ValueKind == JsonValueKind.Array)
                foreach (var item in x.EnumerateArray())
                    Walk(item);
            else
                list.Add(x.GetDouble());
        }
        Walk(e);
        return list.ToArray();
    }

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    public static double[] Flatten(double[,] m)
    {
        var r = new double[m.Length];
        int cols = m.GetLength(1);
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < cols; j++)
                r[(i * cols) + j] = m[i, j];
        return r;
    }
}

internal static class Close
{
    /// <summary>Asserts |actual − expected| ≤ tol·max(1, |expected|) element-wise, naming the first offender.</summary>
    public static void All(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            One(expected[i], actual[i], tolerance, $"{what}[{i}]");
    }

    public static void One(double expected, double actual, double tolerance, string what)
    {
        double allowed = tolerance * Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= allowed,
            $"{what}: {actual:R} vs scikit-learn {expected:R} (difference {Math.Abs(actual - expected):E3}, allowed {allowed:E3})");
    }

    public static void Relative(double expected, double actual, double tolerance, string what)
    {
        double allowed = tolerance * Math.Abs(expected);
        Assert.True(Math.Abs(actual - expected) <= allowed,
            $"{what}: {actual:R} vs scikit-learn {expected:R} (relative difference {Math.Abs(actual - expected) / Math.Abs(expected):E3}, allowed {tolerance:E1})");
    }
}
