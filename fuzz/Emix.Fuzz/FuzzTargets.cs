using System.Text;
using Emix.Data;
using Emix.Serialization;

namespace Emix.Fuzz;

/// <summary>
/// One method per fuzz target. Each reads one input; the documented refusals
/// (<see cref="DataFormatException"/>, <see cref="ModelFormatException"/>) are the expected outcome of a bad
/// input and are swallowed. Anything else escapes and counts as a crash: an unexpected exception type, or a
/// broken promise about what was accepted (a non-finite value, a model that does not survive a save and load).
/// </summary>
internal static class FuzzTargets
{
    /// <summary>The target names understood by <see cref="Get"/>.</summary>
    public static readonly string[] Names = ["csv", "npy", "model"];

    public static Action<Stream>? Get(string name) => name switch
    {
        "csv" => Csv,
        "npy" => Npy,
        "model" => Model,
        _ => null,
    };

    /// <summary>Delimited text through the CSV reader with the defaults of a <c>.csv</c> file.</summary>
    public static void Csv(Stream input)
    {
        DataSet data;
        try
        {
            using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
            data = CsvReader.Read(reader, "fuzz.csv");
        }
        catch (DataFormatException)
        {
            return;
        }
        CheckData(data);
    }

    /// <summary>Bytes through the <c>.npy</c> reader.</summary>
    public static void Npy(Stream input)
    {
        DataSet data;
        try
        {
            data = NpyReader.Read(input, "fuzz.npy");
        }
        catch (DataFormatException)
        {
            return;
        }
        CheckData(data);
    }

    /// <summary>
    /// Bytes through the model loader; an accepted model must score its own means with no NaN and write a file
    /// that reads back with the same bits.
    /// </summary>
    public static void Model(Stream input)
    {
        GaussianMixtureModel model;
        try
        {
            model = ModelFile.Read(input, "fuzz.json");
        }
        catch (ModelFormatException)
        {
            return;
        }

        var means = DataSet.FromArray(model.Means, "means");
        foreach (double score in model.ScoreSamples(means))
        {
            if (double.IsNaN(score))
                throw new InvalidOperationException("An accepted model scores its own mean as NaN.");
        }

        byte[] first = Write(model);
        GaussianMixtureModel again;
        using (var stream = new MemoryStream(first))
            again = ModelFile.Read(stream, "rewritten.json");
        if (!first.AsSpan().SequenceEqual(Write(again)))
            throw new InvalidOperationException("An accepted model does not survive a save and load with the same bits.");
    }

    private static byte[] Write(GaussianMixtureModel model)
    {
        using var stream = new MemoryStream();
        ModelFile.Write(model, stream);
        return stream.ToArray();
    }

    private static void CheckData(DataSet data)
    {
        if (data.RowCount < 1 || data.FeatureCount < 1 || data.FeatureNames.Count != data.FeatureCount)
            throw new InvalidOperationException($"Accepted data has {data.RowCount} rows, {data.FeatureCount} features, {data.FeatureNames.Count} names.");
        if (data.Values.Length != (long)data.RowCount * data.FeatureCount)
            throw new InvalidOperationException("Accepted data has the wrong number of values.");
        foreach (double v in data.Values)
        {
            if (!double.IsFinite(v))
                throw new InvalidOperationException("Accepted data holds a non-finite value.");
        }
    }
}
