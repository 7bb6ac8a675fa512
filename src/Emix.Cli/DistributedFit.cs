using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Emix.Mpi;

namespace Emix.Cli;

/// <summary>
/// <c>emix fit DATA --distributed</c> under <c>mpirun</c>: MPI start-up, this rank's share of the
/// data, traffic counting, and ending the whole job when one rank fails. The fit itself is the
/// ordinary one (<see cref="GaussianMixture"/>) on a <see cref="DistributedData"/> source.
/// </summary>
internal static class DistributedFit
{
    /// <summary>Default of --distributed-timeout, in seconds.</summary>
    public const double DefaultTimeoutSeconds = 600;

    private static MpiWorld? s_active;

    /// <summary>In DATA, replaced by each rank's number: one file per rank.</summary>
    public const string RankPlaceholder = "{rank}";

    /// <summary>The two options of a distributed fit.</summary>
    internal sealed record Options(Option<bool> Enabled, Option<double> TimeoutSeconds)
    {
        public static Options AddTo(Command command)
        {
            var options = new Options(
                new Option<bool>("--distributed")
                {
                    Description = "Run as one rank of an MPI job (mpirun -np P emix fit DATA --distributed …): each rank reads only its share of a .npy file (a row range), Parquet file (its row groups) or its own file (DATA with {rank}); rank 0 writes the model, bit-identical to a single-process fit. See docs/distributed.md.",
                },
                new Option<double>("--distributed-timeout")
                {
                    Description = "Seconds a rank waits for the others in one exchange before it aborts the whole job (a rank that hangs; a rank that dies ends the job at once).",
                    DefaultValueFactory = _ => DefaultTimeoutSeconds,
                });
            command.Options.Add(options.Enabled);
            command.Options.Add(options.TimeoutSeconds);
            return options;
        }
    }

    /// <summary>Starts MPI when --distributed is given (null otherwise), with the watchdog of --distributed-timeout.</summary>
    public static MpiWorld? Start(ParseResult parse, Options options, CliContext context)
    {
        if (!parse.GetValue(options.Enabled))
            return null;
        double seconds = parse.GetValue(options.TimeoutSeconds);
        if (!(seconds > 0) || !double.IsFinite(seconds))
            throw new UsageException($"--distributed-timeout {seconds.ToString(CultureInfo.InvariantCulture)}: expected a positive number of seconds.");
        var mpi = MpiWorld.Initialize();
        s_active = mpi;
        if (mpi.Size > 1)
        {
            mpi.StartWatchdog(TimeSpan.FromSeconds(seconds), ExitCodes.Distributed, timeout =>
                context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"emix: rank {mpi.Rank} of {mpi.Size}: no answer from the other ranks for {timeout.TotalSeconds:0.###} s (--distributed-timeout): a rank hangs or died; aborting the job, no model is written.")));
        }
        return mpi;
    }

    /// <summary>
    /// Refuses, on every rank alike, the options a distributed fit does not support yet: missing
    /// cells (their handling reads all rows in one place), --weight-column (it needs the whole data
    /// in memory; --weights FILE works) and --on-collapse reseed (it searches all rows for a seed).
    /// </summary>
    public static void RequireSupported(GaussianMixtureOptions options, MissingValuePolicy missing, string? weightColumn)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (missing != MissingValuePolicy.Error)
            throw new UsageException("--missing drop|em is not supported with --distributed yet; fill or drop the missing cells first.");
        if (weightColumn is not null)
            throw new UsageException("--weight-column is not supported with --distributed; give the weights with --weights FILE (one per row of the whole data).");
        if (options.OnCollapse == CollapsePolicy.Reseed)
            throw new UsageException("--on-collapse reseed is not supported with --distributed yet; use error or drop.");
    }

    /// <summary>This rank's share of DATA (see <see cref="DistributedData"/>).</summary>
    public static DataPlan OpenData(MpiWorld mpi, string path, long? memoryLimit, CommonOptions.DataOptions dataOptions, ParseResult parse)
    {
        long budget = (memoryLimit ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes) / 2;
        var format = Emix.Data.DataFormats.Of(path);
        if (path.Contains(RankPlaceholder, StringComparison.Ordinal))
        {
            // One file per rank, read whole by its rank (any format; loaded into memory).
            string mine = path.Replace(RankPlaceholder, mpi.Rank.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            return DataPlan.ForShare(DistributedData.FromRankFiles(mpi, dataOptions.Read(parse, mine)), false);
        }
        if (format == Emix.Data.DataFileFormat.Npy)
        {
            if (parse.GetValue(dataOptions.Columns) is not null)
                throw new UsageException($"{path}: --columns is not supported for a .npy file in a distributed fit; save the columns you need with NumPy.");
            var rows = DistributedData.OpenNpy(mpi, path, budget);
            return DataPlan.ForShare(rows, DistributedData.IsStreamed(rows));
        }
        if (format == Emix.Data.DataFileFormat.Parquet)
        {
            long rowCount = Parquet.ParquetDataReader.RowCount(path);
            if (rowCount > int.MaxValue)
                throw new UsageException($"{path}: {rowCount} rows are more than one fit takes ({int.MaxValue}).");
            var named = parse.GetValue(dataOptions.Columns)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var columns = named is { Length: > 0 } ? named : null;
            var rows = DistributedData.FromRowRange(mpi, (int)rowCount, (first, count) => Parquet.ParquetDataReader.Read(path, columns, first, count));
            return DataPlan.ForShare(rows, false);
        }
        // Other formats: every rank reads the whole file and computes only its share of the rows.
        var whole = dataOptions.Read(parse, path);
        return DataPlan.ForShare(DistributedData.Share(mpi, whole), false);
    }

    /// <summary>
    /// After a failure has been reported on this rank: in a job of several ranks, abort them all
    /// (the others would otherwise wait for this one) with the failure's exit code; alone, finalise.
    /// </summary>
    public static void EndAfterError(int exitCode)
    {
        if (s_active is not { } mpi)
            return;
        s_active = null;
        if (mpi.Size > 1)
            mpi.Abort(exitCode);
        mpi.Dispose();
    }

    /// <summary>Ends MPI after a successful fit.</summary>
    public static void End(MpiWorld? mpi)
    {
        if (mpi is null)
            return;
        s_active = null;
        mpi.Dispose();
    }

    /// <summary>Counts this rank's MPI payload per EM iteration from the progress reports (like the iteration clock).</summary>
    internal sealed class TrafficMeter(MpiWorld mpi) : IProgress<FitProgress>
    {
        private long _first, _last;
        private int _run, _count;
        private IProgress<FitProgress>? _next;

        /// <summary>This meter, passing every report on to <paramref name="next"/>.</summary>
        public IProgress<FitProgress> Then(IProgress<FitProgress>? next)
        {
            _next = next;
            return this;
        }

        public void Report(FitProgress value)
        {
            long bytes = mpi.BytesSent + mpi.BytesReceived;
            if (value.Run != _run)
                (_run, _first, _count) = (value.Run, bytes, 0);
            _last = bytes;
            _count++;
            _next?.Report(value);
        }

        /// <summary>Bytes sent plus received by this rank in one EM iteration (null before two iterations).</summary>
        public long? BytesPerIteration => _count >= 2 ? (_last - _first) / (_count - 1) : null;

        /// <summary>The distributed keys of the --json line.</summary>
        public void WriteJson(Utf8JsonWriter w)
        {
            w.WriteNumber("ranks", mpi.Size);
            if (BytesPerIteration is { } bytes)
                w.WriteNumber("mpi_bytes_per_iter", bytes);
            w.WriteNumber("mpi_bytes_total", mpi.BytesSent + mpi.BytesReceived);
        }
    }
}
