using Emix.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C asks the fit to stop cleanly (exit 130, nothing half written); a second one kills.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};
return EmixApp.Run(args, Console.Out, Console.Error, cancellation.Token);
