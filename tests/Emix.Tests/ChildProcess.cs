using System.Diagnostics;

namespace Emix.Tests;

/// <summary>Runs a program to its end and returns its exit code with stdout and stderr joined (tests of built binaries).</summary>
internal static class ChildProcess
{
    public static (int Code, string Output) Run(string program, string folder, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var (code, stdout, stderr) = RunSeparately(program, folder, args, environment, timeout);
        return (code, stdout + stderr);
    }

    /// <summary>As <see cref="Run"/>, with stdout and stderr apart (for a test that compares stdout exactly).</summary>
    public static (int Code, string Stdout, string Stderr) RunSeparately(string program, string folder, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)), $"{program} did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }
}
