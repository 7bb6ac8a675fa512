using System.Runtime.InteropServices;

namespace Emix.Mpi;

/// <summary>
/// The few entry points of Open MPI's C library that Emix needs, bound by P/Invoke.
/// </summary>
/// <remarks>
/// Why not MPI.NET: its NuGet build targets Microsoft MPI, whose handles are integers; Open MPI's
/// handles are pointers to exported objects (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>),
/// so this binding reads them with <see cref="NativeLibrary.GetExport"/>. Every function returns
/// an MPI error code; <see cref="MpiWorld"/> turns non-zero codes into <see cref="MpiException"/>.
/// </remarks>
internal static unsafe partial class MpiNative
{
    public const string Library = "libmpi.so.40";

    /// <summary>MPI_IN_PLACE in Open MPI (<c>(void *) 1</c>).</summary>
    public static readonly IntPtr InPlace = 1;

    /// <summary>MPI_MAX_ERROR_STRING in Open MPI.</summary>
    public const int MaxErrorString = 256;

    [LibraryImport(Library)]
    public static partial int MPI_Init(IntPtr argc, IntPtr argv);

    [LibraryImport(Library)]
    public static partial int MPI_Initialized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalize();

    [LibraryImport(Library)]
    public static partial int MPI_Comm_rank(IntPtr comm, out int rank);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_size(IntPtr comm, out int size);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_set_errhandler(IntPtr comm, IntPtr errhandler);

    [LibraryImport(Library)]
    public static partial int MPI_Allreduce(void* sendbuf, void* recvbuf, int count, IntPtr datatype, IntPtr op, IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Bcast(void* buffer, int count, IntPtr datatype, int root, IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Allgatherv(void* sendbuf, int sendcount, IntPtr sendtype, void* recvbuf, int* recvcounts, int* displs, IntPtr recvtype, IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Barrier(IntPtr comm);

    [LibraryImport(Library)]
    public static partial int MPI_Abort(IntPtr comm, int errorcode);

    [LibraryImport(Library)]
    public static partial int MPI_Error_string(int errorcode, byte* text, out int length);
}
