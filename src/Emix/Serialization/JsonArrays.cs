using System.Globalization;
using System.Text.Json;

namespace Emix.Serialization;

/// <summary>Nested JSON number arrays of a known shape, read and written without reflection (trim/AOT safe).</summary>
internal static class JsonArrays
{
    /// <summary>Writes <paramref name="values"/> (row-major) as nested arrays of <paramref name="shape"/>.</summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<double> values, ReadOnlySpan<int> shape)
    {
        if (shape.Length == 1)
        {
            writer.WriteStartArray();
            foreach (double v in values[..shape[0]])
                writer.WriteNumberValue(v);
            writer.WriteEndArray();
            return;
        }
        int inner = 1;
        foreach (int extent in shape[1..])
            inner *= extent;
        writer.WriteStartArray();
        for (int i = 0; i < shape[0]; i++)
            Write(writer, values.Slice(i * inner, inner), shape[1..]);
        writer.WriteEndArray();
    }

    /// <summary>
    /// Reads nested arrays that must have exactly <paramref name="shape"/> and finite numbers;
    /// the message names <paramref name="name"/> and the index path of the first problem.
    /// </summary>
    public static double[] Read(JsonElement element, ReadOnlySpan<int> shape, string name, Func<string, Exception> error)
    {
        long count = 1;
        foreach (int extent in shape)
            count *= extent;
        var result = new double[count];
        int position = 0;
        ReadInto(element, shape, name, result, ref position, error);
        return result;
    }

    /// <summary>A finite number, or the error naming <paramref name="name"/> and what was found.</summary>
    public static double ReadNumber(JsonElement element, string name, Func<string, Exception> error) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double v) && double.IsFinite(v)
            ? v : throw error($"{name}: expected a finite number, found {Describe(element)}.");

    private static void ReadInto(JsonElement element, ReadOnlySpan<int> shape, string path, double[] result, ref int position, Func<string, Exception> error)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw error($"{path}: expected an array of {shape[0]}, found {Describe(element)}.");
        int length = element.GetArrayLength();
        if (length != shape[0])
            throw error($"{path}: expected {shape[0]} entries, found {length}.");
        int i = 0;
        foreach (var item in element.EnumerateArray())
        {
            string itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
            if (shape.Length > 1)
            {
                ReadInto(item, shape[1..], itemPath, result, ref position, error);
            }
            else
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double v) || !double.IsFinite(v))
                    throw error($"{itemPath}: expected a finite number, found {Describe(item)}.");
                result[position++] = v;
            }
            i++;
        }
    }

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => $"the string \"{Truncate(element.GetString() ?? "")}\"",
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
