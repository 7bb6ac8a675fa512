using System.Globalization;
using Emix.Data;

namespace Emix.Cli;

/// <summary>
/// Decides whether a fit reads its data into memory or streams it from disk on every pass.
/// </summary>
/// <remarks>
/// Data are streamed when their float64 size is more than half the memory limit (the other half
/// is for the runtime, the model and one chunk per thread), or, without <c>--memory-limit</c>,
/// more than half the memory available to the process. A .npy file is streamed as it is; a CSV or
/// TSV file is first converted, in one pass, to a temporary .npy in the temporary folder, which
/// is deleted afterwards. Streamed and in-memory fits give the same bits.
/// </remarks>
internal sealed class DataPlan : IDisposable
{
    private readonly string? _temporary;

    private DataPlan(RowSource rows, bool streamed, string? temporary)
    {
        Rows = rows;
        Streamed = streamed;
        _temporary = temporary;
    }

    public RowSource Rows { get; }

    public bool Streamed { get; }

    /// <summary>What was done with missing cells (<c>--missing drop|em</c>), or null when none were found.</summary>
    public string? MissingNote { get; private init; }

    public static DataPlan Open(string path, long? memoryLimit, CommonOptions.DataOptions dataOptions, System.CommandLine.ParseResult parse,
        MissingValuePolicy missing = MissingValuePolicy.Error)
    {
        if (missing != MissingValuePolicy.Error)
        {
            // Missing cells need the rows in memory (the streamed readers refuse NaN); see docs/missing-values.md.
            var read = CommonOptions.ReadData(path, dataOptions.ReadOptions(parse) with { AllowMissing = true });
            return new DataPlan(MissingValuesOption.Apply(read, missing, out var note), false, null) { MissingNote = note };
        }
        long budget = (memoryLimit ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes) / 2;
        var format = DataFormats.Of(path);
        bool npy = format == DataFileFormat.Npy;
        // Parquet files are read whole (their row groups could be streamed; not done yet).
        bool text = format == DataFileFormat.DelimitedText;
        if (npy && File.Exists(path))
        {
            var streamed = NpyFileRows.Open(path);
            if ((long)streamed.RowCount * streamed.FeatureCount * sizeof(double) > budget)
            {
                if (parse.GetValue(dataOptions.Columns) is not null)
                {
                    streamed.Dispose();
                    throw new UsageException($"{path}: --columns is not supported when a .npy file is streamed out of core; save the columns you need with NumPy.");
                }
                return new DataPlan(streamed, true, null);
            }
            streamed.Dispose();
        }
        else if (text && File.Exists(path) && new FileInfo(path).Length > budget)
        {
            string temporary = Path.Combine(Path.GetTempPath(), $"emix-{Environment.ProcessId}-{Guid.NewGuid():N}.npy");
            try
            {
                var (names, _) = CsvReader.ConvertToNpy(path, temporary, dataOptions.ReadOptions(parse));
                return new DataPlan(NpyFileRows.Open(temporary, names, path), true, temporary);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }
        }
        return new DataPlan(dataOptions.Read(parse, path), false, null);
    }

    /// <summary>One rank's share of the data in a distributed fit (<see cref="DistributedFit.OpenData"/>).</summary>
    public static DataPlan ForShare(RowSource rows, bool streamed) => new(rows, streamed, null);

    /// <summary>Parses sizes such as 2G, 512M, 64k or a plain number of bytes (powers of 1024).</summary>
    public static long ParseSize(string text)
    {
        string t = text.Trim();
        long multiplier = 1;
        char last = t.Length > 0 ? char.ToUpperInvariant(t[^1]) : ' ';
        if (last == 'B' && t.Length > 1)
        {
            t = t[..^1];
            last = char.ToUpperInvariant(t[^1]);
        }
        switch (last)
        {
            case 'K': multiplier = 1L << 10; t = t[..^1]; break;
            case 'M': multiplier = 1L << 20; t = t[..^1]; break;
            case 'G': multiplier = 1L << 30; t = t[..^1]; break;
            case 'T': multiplier = 1L << 40; t = t[..^1]; break;
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || value * multiplier > long.MaxValue)
            throw new UsageException($"--memory-limit {text}: expected a size such as 2G, 512M or a number of bytes.");
        return (long)(value * multiplier);
    }

    public void Dispose()
    {
        (Rows as IDisposable)?.Dispose();
        if (_temporary is not null)
            File.Delete(_temporary);
    }
}
