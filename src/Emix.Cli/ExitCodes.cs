namespace Emix.Cli;

/// <summary>The documented exit codes of <c>emix</c> (also in docs/cli.md and the README).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;
    /// <summary>An unexpected internal error (a bug: please report it with EMIX_DEBUG=1 output).</summary>
    public const int InternalError = 1;
    /// <summary>Usage error: unknown option, bad option value, or options that do not fit the data (more components than rows).</summary>
    public const int Usage = 2;
    /// <summary>Bad input: a data file, model file or initial-parameter file that cannot be read or is invalid.</summary>
    public const int BadInput = 3;
    /// <summary>Numerical failure: a component collapsed.</summary>
    public const int Numerical = 4;
    /// <summary>An output file could not be written (permissions, full disk); any previous file is left intact.</summary>
    public const int OutputFailed = 5;
    /// <summary>--distributed: MPI could not start (no Open MPI), an MPI operation failed, or a rank stopped answering (--distributed-timeout).</summary>
    public const int Distributed = 6;
    /// <summary>Cancelled by Ctrl-C; nothing was written.</summary>
    public const int Cancelled = 130;
}
