using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Emix.Mpi;

/// <summary>
/// This process's membership of an MPI job (MPI_COMM_WORLD): rank, size and the collective
/// operations a distributed fit needs, on buffers of doubles. Also works as a single process
/// started without <c>mpirun</c> (rank 0 of 1).
/// </summary>
/// <remarks>
/// Errors: the communicator's error handler is set to MPI_ERRORS_RETURN, so a failing call
/// throws <see cref="MpiException"/> with Open MPI's own message instead of aborting silently.
/// When a rank dies, Open MPI's runtime (<c>mpirun</c>) ends the whole job; in case a peer hangs
/// instead, <see cref="StartWatchdog"/> aborts the job when one collective waits longer than a
/// timeout. Traffic counters (<see cref="BytesSent"/>, <see cref="BytesReceived"/>) count the
/// payload of the collectives (what MPI is asked to move, not packet headers).
/// Signals: Open MPI installs its own SIGSEGV/SIGBUS handlers only where none is installed at
/// MPI_Init (its <c>opal_signal</c> parameter); the .NET runtime has installed its own by then, so
/// null references still become exceptions.
/// </remarks>
public sealed class MpiWorld : IDisposable
{
    private static MpiWorld? s_current;
    private readonly IntPtr _world;
    private readonly IntPtr _double;
    private readonly IntPtr _sum;
    private long _collectiveStarted; // Stopwatch timestamp while a collective is in progress, else 0
    private Timer? _watchdog;
    private bool _disposed;

    private MpiWorld(IntPtr world, IntPtr @double, IntPtr sum, int rank, int size)
    {
        _world = world;
        _double = @double;
        _sum = sum;
        Rank = rank;
        Size = size;
    }

    /// <summary>This process's rank, 0 ≤ <see cref="Rank"/> &lt; <see cref="Size"/>.</summary>
    public int Rank { get; }

    /// <summary>Number of processes in the job.</summary>
    public int Size { get; }

    /// <summary>Payload bytes this process has handed to collectives so far.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Payload bytes this process has received from other processes so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Collective operations completed so far.</summary>
    public long Collectives { get; private set; }

    /// <summary>
    /// Initialises MPI (once per process: MPI cannot be initialised again after finalising) and
    /// returns this process's membership.
    /// </summary>
    /// <exception cref="MpiException">Open MPI's library is missing or MPI_Init failed.</exception>
    public static MpiWorld Initialize()
    {
        if (s_current is { _disposed: false } current)
            return current;
        if (s_current is not null)
            throw new MpiException("MPI was already finalised in this process; it cannot be initialised twice.", 0);
        IntPtr library;
        try
        {
            library = NativeLibrary.Load(MpiNative.Library);
        }
        catch (DllNotFoundException e)
        {
            throw new MpiException($"Open MPI's {MpiNative.Library} was not found: install Open MPI 4.x (e.g. apt-get install openmpi-bin) and run with mpirun.", 0, e);
        }
        IntPtr Handle(string symbol) => NativeLibrary.TryGetExport(library, symbol, out var address)
            ? address
            : throw new MpiException($"{MpiNative.Library} has no symbol {symbol}: it is not Open MPI 4.x.", 0);
        IntPtr world = Handle("ompi_mpi_comm_world"), @double = Handle("ompi_mpi_double"), sum = Handle("ompi_mpi_op_sum");
        IntPtr errorsReturn = Handle("ompi_mpi_errors_return");

        Check(MpiNative.MPI_Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0)
            Check(MpiNative.MPI_Init(IntPtr.Zero, IntPtr.Zero), "MPI_Init");
        Check(MpiNative.MPI_Comm_set_errhandler(world, errorsReturn), "MPI_Comm_set_errhandler");
        Check(MpiNative.MPI_Comm_rank(world, out int rank), "MPI_Comm_rank");
        Check(MpiNative.MPI_Comm_size(world, out int size), "MPI_Comm_size");
        return s_current = new MpiWorld(world, @double, sum, rank, size);
    }

    /// <summary>Sums <paramref name="values"/> over all processes, in place; every process gets the sum.</summary>
    /// <remarks>MPI chooses the order of the additions (it may depend on the number of processes); Emix's fits use <see cref="AllGather"/> and add in a fixed order instead.</remarks>
    public unsafe void AllReduceSum(Span<double> values)
    {
        fixed (double* buffer = values)
        {
            Begin();
            End(MpiNative.MPI_Allreduce((void*)MpiNative.InPlace, buffer, values.Length, _double, _sum, _world), "MPI_Allreduce");
        }
        BytesSent += values.Length * 8L;
        BytesReceived += values.Length * 8L;
    }

    /// <summary>Copies <paramref name="values"/> of rank <paramref name="root"/> to every process.</summary>
    public unsafe void Broadcast(Span<double> values, int root)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        fixed (double* buffer = values)
        {
            Begin();
            End(MpiNative.MPI_Bcast(buffer, values.Length, _double, root, _world), "MPI_Bcast");
        }
        if (Rank == root)
            BytesSent += values.Length * 8L;
        else
            BytesReceived += values.Length * 8L;
    }

    /// <summary>
    /// Gathers <paramref name="mine"/> from every process into <paramref name="all"/> in rank order;
    /// rank r contributes <paramref name="counts"/>[r] values. Bits travel unchanged.
    /// </summary>
    public unsafe void AllGather(ReadOnlySpan<double> mine, Span<double> all, ReadOnlySpan<int> counts)
    {
        if (counts.Length != Size)
            throw new ArgumentException($"{counts.Length} counts for {Size} processes.", nameof(counts));
        if (mine.Length != counts[Rank])
            throw new ArgumentException($"Rank {Rank} sends {mine.Length} values, counts say {counts[Rank]}.", nameof(mine));
        var displacements = new int[Size];
        long total = 0;
        for (int r = 0; r < Size; r++)
        {
            displacements[r] = checked((int)total);
            total += counts[r];
        }
        if (all.Length < total)
            throw new ArgumentException($"{all.Length} values cannot hold the {total} gathered.", nameof(all));
        // Open MPI checks buffers even for zero counts: never hand it a null pointer.
        Span<double> empty = stackalloc double[1];
        var send = mine.IsEmpty ? empty : mine;
        var receive = all.IsEmpty ? empty : all;
        fixed (double* s = send)
        fixed (double* a = receive)
        fixed (int* c = counts)
        fixed (int* d = displacements)
        {
            Begin();
            End(MpiNative.MPI_Allgatherv(s, mine.Length, _double, a, c, d, _double, _world), "MPI_Allgatherv");
        }
        BytesSent += mine.Length * 8L;
        BytesReceived += (total - mine.Length) * 8L;
    }

    /// <summary>Waits until every process has arrived.</summary>
    public void Barrier()
    {
        Begin();
        End(MpiNative.MPI_Barrier(_world), "MPI_Barrier");
    }

    /// <summary>
    /// Ends the whole job: Open MPI kills every process and <c>mpirun</c> exits non-zero. Never returns.
    /// </summary>
    public void Abort(int exitCode)
    {
        _ = MpiNative.MPI_Abort(_world, exitCode);
        Environment.Exit(exitCode); // MPI_Abort does not return; this is in case it did
    }

    /// <summary>
    /// Aborts the job (<see cref="Abort"/> with <paramref name="exitCode"/>) when one collective
    /// operation of this process waits longer than <paramref name="timeout"/>, after calling
    /// <paramref name="onTimeout"/> (to say why). A guard against a peer that hangs rather than dies.
    /// </summary>
    public void StartWatchdog(TimeSpan timeout, int exitCode, Action<TimeSpan> onTimeout)
    {
        ArgumentNullException.ThrowIfNull(onTimeout);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _watchdog?.Dispose();
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 10, 1000));
        _watchdog = new Timer(_ =>
        {
            long started = Interlocked.Read(ref _collectiveStarted);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > timeout)
            {
                onTimeout(timeout);
                Abort(exitCode);
            }
        }, null, period, period);
    }

    /// <summary>Marks the start of a collective for the watchdog.</summary>
    private void Begin()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Exchange(ref _collectiveStarted, Stopwatch.GetTimestamp());
    }

    /// <summary>Marks its end and turns an error code into an exception.</summary>
    private void End(int code, string name)
    {
        Interlocked.Exchange(ref _collectiveStarted, 0);
        Check(code, name);
        Collectives++;
    }

    private static void Check(int code, string name)
    {
        if (code != 0)
            throw new MpiException($"{name} failed: {ErrorText(code)} (MPI error {code.ToString(CultureInfo.InvariantCulture)}).", code);
    }

    private static unsafe string ErrorText(int code)
    {
        var text = stackalloc byte[MpiNative.MaxErrorString];
        return MpiNative.MPI_Error_string(code, text, out int length) == 0
            ? Encoding.ASCII.GetString(text, Math.Clamp(length, 0, MpiNative.MaxErrorString))
            : "unknown error";
    }

    /// <summary>Finalises MPI (MPI_Finalize); the process cannot use MPI afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _watchdog?.Dispose();
        _disposed = true;
        if (MpiNative.MPI_Finalized(out int finalized) == 0 && finalized == 0)
            _ = MpiNative.MPI_Finalize();
    }
}

/// <summary>An MPI call failed, or MPI could not be started.</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MpiException(string message, int errorCode, Exception? inner = null)
        : base(message, inner) => ErrorCode = errorCode;

    /// <summary>Creates the exception.</summary>
    public MpiException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public MpiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MpiException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The MPI error code (0 when MPI could not be started at all).</summary>
    public int ErrorCode { get; }
}
