using System.Diagnostics;
using Emix.Cli;

namespace Emix.Tests.Trust;

/// <summary>
/// Tests that measure time and allocated bytes run alone (no other test allocating at the same time), so
/// that <see cref="GC.GetTotalAllocatedBytes(bool)"/> and the clock describe the input under test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAlone
{
    public const string Name = "Measured alone";
}

/// <summary>One run of the emix command: exit code, outputs, wall time and managed bytes allocated (all threads).</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error, TimeSpan Elapsed, long AllocatedBytes)
{
    /// <summary>Peak resident set size of a real process (0 in process or where /proc is missing).</summary>
    public long PeakRssBytes { get; init; }

    /// <summary>The message without the "emix: " prefix and line end; asserts it is exactly one line.</summary>
    public string OneLineError()
    {
        Assert.StartsWith("emix: ", Error);
        string message = Error[6..].TrimEnd('\n');
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("   at ", message); // never a stack trace
        return message;
    }
}

internal static class Cli
{
    /// <summary>Runs emix in this process, measuring time and allocations.</summary>
    public static CliRun InProcess(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        int code = EmixApp.Run(args, stdout, stderr);
        clock.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        return new CliRun(code, stdout.ToString(), stderr.ToString(), clock.Elapsed, allocated);
    }

    /// <summary>The built CLI next to the test assembly (the test project references it).</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Emix.Cli.dll");

    /// <summary>Starts <c>dotnet Emix.Cli.dll ARGS</c> as a real process with redirected outputs.</summary>
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (string a in args)
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment.Remove("EMIX_DEBUG");
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>
    /// Runs the CLI as a real process to the end; allocated bytes are not known there (-1). Its peak resident
    /// set size is Linux's high-water mark (VmHWM), read every 5 ms while it runs: the last reading before it
    /// exits (the mark never goes down, so it misses only growth in the last milliseconds).
    /// </summary>
    public static CliRun RealProcess(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long hwm = 0;
        while (!process.WaitForExit(5))
            hwm = Math.Max(hwm, PeakRss(process.Id));
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"emix {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed, -1) { PeakRssBytes = hwm };
    }

    /// <summary>VmHWM of a running process, in bytes; 0 once it has gone or without /proc.</summary>
    private static long PeakRss(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0]) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return 0;
    }

}
