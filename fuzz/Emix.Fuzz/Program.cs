using Emix.Fuzz;

// Emix.Fuzz TARGET            run under afl-fuzz (SharpFuzz feeds the inputs); see fuzz/run.sh
// Emix.Fuzz TARGET FILE...    replay inputs without AFL: prints each outcome, exits 1 if any input crashes
if (args.Length == 0 || FuzzTargets.Get(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Emix.Fuzz {string.Join('|', FuzzTargets.Names)} [FILE...]");
    return 2;
}

if (args.Length == 1)
{
    SharpFuzz.Fuzzer.OutOfProcess.Run(target);
    return 0;
}

int crashes = 0;
foreach (string path in args[1..])
{
    try
    {
        using var stream = File.OpenRead(path);
        target(stream);
        Console.WriteLine($"ok     {path}");
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        crashes++;
        Console.WriteLine($"CRASH  {path}: {e.GetType().Name}: {e.Message}");
        Console.Error.WriteLine(e);
    }
}
return crashes == 0 ? 0 : 1;
