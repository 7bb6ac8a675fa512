using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Emix.Data;
using Emix.Data.Frames;

namespace Emix.Cli;

/// <summary>
/// <c>emix background FRAMES -o MASKS</c>: per-pixel adaptive mixtures (<see cref="BackgroundMixture"/>) over a clip;
/// MASKS is a uint8 .npy (t, h, w): 255 foreground, 0 background (127 shadows with --shadows).
/// </summary>
internal static class BackgroundCommand
{
    public static Command Create(CliContext context)
    {
        var defaults = new BackgroundMixtureOptions();
        var frames = new Argument<string>("FRAMES") { Description = "A uint8 NumPy .npy of shape (t, h, w) (grey) or (t, h, w, 3) (colour), or a folder of binary PGM/PPM frames (sorted by name)." };
        var output = new Option<string>("--output", "-o") { Description = "Write the masks to this .npy (uint8, t × h × w; atomically).", Required = true };
        var maxComponents = new Option<int>("--max-components") { Description = "Most Gaussians per pixel.", DefaultValueFactory = _ => defaults.MaxComponents };
        var history = new Option<int>("--history") { Description = "Frames the learning rate averages over: 1/min(2·frame, history).", DefaultValueFactory = _ => defaults.History };
        var varThreshold = new Option<double>("--var-threshold") { Description = "Squared Mahalanobis distance within which a background component explains a pixel.", DefaultValueFactory = _ => defaults.VarThreshold };
        var varThresholdGen = new Option<double>("--var-threshold-gen") { Description = "Squared Mahalanobis distance within which a pixel updates a component rather than starting one.", DefaultValueFactory = _ => defaults.VarThresholdGen };
        var backgroundRatio = new Option<double>("--background-ratio") { Description = "The heaviest components whose weights sum to this are the background.", DefaultValueFactory = _ => defaults.BackgroundRatio };
        var complexity = new Option<double>("--complexity-reduction") { Description = "Prior c_T that prunes components with little support.", DefaultValueFactory = _ => defaults.ComplexityReduction };
        var varInit = new Option<double>("--var-init") { Description = "Variance of a new component.", DefaultValueFactory = _ => defaults.VarInit };
        var varMin = new Option<double>("--var-min") { Description = "Smallest variance of a component.", DefaultValueFactory = _ => defaults.VarMin };
        var varMax = new Option<double>("--var-max") { Description = "Largest variance of a component.", DefaultValueFactory = _ => defaults.VarMax };
        var shadows = new Option<bool>("--shadows") { Description = "Mark shadows (a darker version of the background) with 127." };
        var json = new Option<bool>("--json") { Description = "Print one JSON line (frames, width, height, channels, seconds, frames_per_second) instead of a sentence." };
        var threads = CommonOptions.Threads();
        var command = new Command("background", "Separate moving objects from the background of a clip with per-pixel adaptive Gaussian mixtures (Zivkovic; OpenCV's MOG2).");
        command.Arguments.Add(frames);
        foreach (var option in new Option[] { output, maxComponents, history, varThreshold, varThresholdGen, backgroundRatio, complexity, varInit, varMin, varMax, shadows, threads, json })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var options = new BackgroundMixtureOptions
            {
                MaxComponents = parse.GetValue(maxComponents), History = parse.GetValue(history), VarThreshold = parse.GetValue(varThreshold),
                VarThresholdGen = parse.GetValue(varThresholdGen), BackgroundRatio = parse.GetValue(backgroundRatio), ComplexityReduction = parse.GetValue(complexity),
                VarInit = parse.GetValue(varInit), VarMin = parse.GetValue(varMin), VarMax = parse.GetValue(varMax), DetectShadows = parse.GetValue(shadows),
                MaxDegreeOfParallelism = parse.GetValue(threads),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            string path = parse.GetValue(output)!;
            using var source = FrameSource.Open(parse.GetValue(frames)!);
            var model = new BackgroundMixture(source.Width, source.Height, source.Channels, options);
            var frame = new byte[source.FrameBytes];
            var mask = new byte[source.Width * source.Height];
            double seconds = 0;
            AtomicFile.Write(path, stream =>
            {
                NpyWriter.WriteUInt8Header(stream, [source.FrameCount, source.Height, source.Width]);
                var clock = new Stopwatch();
                for (int t = 0; t < source.FrameCount; t++)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    source.ReadFrame(t, frame);
                    clock.Start();
                    model.Apply(frame, mask);
                    clock.Stop();
                    stream.Write(mask);
                }
                seconds = clock.Elapsed.TotalSeconds;
            });
            double fps = seconds > 0 ? source.FrameCount / seconds : double.PositiveInfinity;
            if (parse.GetValue(json))
            {
                using var buffer = new MemoryStream();
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteNumber("frames", source.FrameCount);
                    w.WriteNumber("width", source.Width);
                    w.WriteNumber("height", source.Height);
                    w.WriteNumber("channels", source.Channels);
                    w.WriteNumber("seconds", seconds);
                    if (double.IsFinite(fps))
                        w.WriteNumber("frames_per_second", fps);
                    w.WriteEndObject();
                }
                context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{source.FrameCount} frames of {source.Width} × {source.Height} ({(source.Channels == 1 ? "grey" : "colour")}) in {seconds:F3} s ({fps:F1} frames/s); masks written to {path}"));
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
