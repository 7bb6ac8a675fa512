using System.CommandLine;
using System.Globalization;
using System.Text;
using Emix.Plots;

namespace Emix.Cli;

/// <summary>
/// <c>emix demo</c>: the example of the tutorial Emix started from, end to end, with no input file:
/// 3,000 points from N(20, 5²) and 7,000 from N(40, 5²), a two-component fit from a random
/// initialisation, and how well the latent process is recovered.
/// </summary>
internal static class DemoCommand
{
    /// <summary>
    /// scikit-learn's default tol (1e-3) stops a random start after about 2 iterations near 34/34:
    /// uniform random responsibilities put both components near the overall mean, and the lower
    /// bound then improves by less than 1e-3 per iteration while the components separate slowly.
    /// The demo asks for a tight tolerance so EM runs until the components have separated, and
    /// keeps the best of a few random starts.
    /// </summary>
    public const double DemoTolerance = 1e-8;
    public const int DemoInitCount = 3;
    public const int DemoMaxIterations = 1000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var seed = new Option<long>("--seed") { Description = "Seed of the generated data and of the fit.", DefaultValueFactory = _ => 1 };
        var plot = new Option<string>("--plot")
        {
            Description = "Where to write the picture of the histogram and the fitted density (.png or .svg).",
            DefaultValueFactory = _ => DefaultPicture,
        };
        var noPlot = new Option<bool>("--no-plot") { Description = "Do not write the picture." };
        var command = new Command("demo", "Run the tutorial's two-process example end to end (no input file needed) and draw it to demo.png.");
        command.Options.Add(seed);
        command.Options.Add(plot);
        command.Options.Add(noPlot);
        command.SetAction(parse =>
        {
            string? picture = parse.GetValue(noPlot) ? null : parse.GetValue(plot);
            if (picture is not null)
                _ = MixtureFigure.FormatOf(picture); // a wrong extension is a usage error before any work
            var (model, data) = RunWithData(context.Out, parse.GetValue(seed), context.CancellationToken);
            if (picture is not null)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var figure = Picture(data, model);
                try
                {
                    figure.Save(picture);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new OutputException($"{picture}: cannot write the picture ({e.Message}).", e);
                }
                context.Out.WriteLine();
                context.Out.WriteLine($"Picture of the data and the fitted density: {Path.GetFullPath(picture)}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The demo's picture, in the current folder unless --plot says otherwise.</summary>
    public const string DefaultPicture = "demo.png";

    /// <summary>The tutorial's figure: the histogram scaled to a density, the fitted mixture and its two weighted components.</summary>
    public static MixtureFigure Picture(DataSet data, GaussianMixtureModel model, PlotOptions? options = null) =>
        MixturePlot.Density(data, model, (options ?? PlotOptions.Default) with
        {
            Title = "Two hidden processes: the data and the fitted mixture",
        });

    public static GaussianMixtureModel Run(TextWriter o, long seed, CancellationToken cancellationToken) =>
        RunWithData(o, seed, cancellationToken).Model;

    private static (GaussianMixtureModel Model, DataSet Data) RunWithData(TextWriter o, long seed, CancellationToken cancellationToken)
    {
        var (data, truth) = Generate(seed);
        o.WriteLine("Emix demo: two hidden Gaussian processes, recovered by EM");
        o.WriteLine();
        o.WriteLine("Data: 3000 points from N(20, 5²) followed by 7000 points from N(40, 5²); which process made");
        o.WriteLine("each point is hidden from the fit.");
        o.WriteLine();
        WriteHistogram(o, data.Values);
        o.WriteLine();

        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = CovarianceType.Full,
            Init = InitMethod.Random,
            InitCount = DemoInitCount,
            Tolerance = DemoTolerance,
            MaxIterations = DemoMaxIterations,
            Seed = seed,
        };
        var model = new GaussianMixture(options).Fit(data, cancellationToken: cancellationToken);
        o.WriteLine(string.Create(Inv,
            $"Fit: 2 components, random init (best of {DemoInitCount}), tol {DemoTolerance.ToString("0.##e0", Inv)} ({model.IterationCount} iterations, {(model.Converged ? "converged" : "not converged")})."));
        o.WriteLine("(scikit-learn's default tol 1e-3 stops a random start after ~2 iterations near means 34/34;");
        o.WriteLine(" a tight tol lets EM run until the components separate.)");
        o.WriteLine();

        var means = model.Means;
        var weights = model.Weights;
        var order = Enumerable.Range(0, 2).OrderBy(j => means[j, 0]).ToArray();
        o.WriteLine("component   mean   std dev   weight   (true: mean, std dev, weight)");
        string[] truthText = ["20, 5, 0.3", "40, 5, 0.7"];
        for (int r = 0; r < 2; r++)
        {
            int j = order[r];
            double sd = Math.Sqrt(model.GetCovarianceMatrix(j)[0, 0]);
            o.WriteLine(string.Create(Inv, $"{j,9}  {means[j, 0],6:F2}  {sd,8:F2}  {weights[j],7:F3}   ({truthText[r]})"));
        }
        o.WriteLine();

        var labels = model.Predict(data);
        // Component order[0] (the lower mean) stands for process 1 (mean 20).
        int[] processOf = new int[2];
        processOf[order[0]] = 1;
        processOf[order[1]] = 2;
        o.WriteLine("     row        x   predicted component   process that made it");
        foreach (int i in new[] { 0, 1, 2, 3, 4, -1, data.RowCount - 5, data.RowCount - 4, data.RowCount - 3, data.RowCount - 2, data.RowCount - 1 })
        {
            if (i < 0)
            {
                o.WriteLine("     ...");
                continue;
            }
            o.WriteLine(string.Create(Inv, $"{i + 1,8}  {data[i, 0],7:F2}   {labels[i],19} (process {processOf[labels[i]]})   {truth[i],8}"));
        }
        int agree = 0;
        for (int i = 0; i < labels.Length; i++)
            if (processOf[labels[i]] == truth[i])
                agree++;
        o.WriteLine();
        o.WriteLine(string.Create(Inv,
            $"{agree} of {labels.Length} points ({100.0 * agree / labels.Length:F1}%) were assigned the component of the process that generated them."));
        o.WriteLine("(The two densities overlap around 30, so no method can get every point right.)");
        return (model, data);
    }

    /// <summary>The tutorial's data, drawn with Emix's own sampler from two one-component models.</summary>
    public static (DataSet Data, int[] Process) Generate(long seed)
    {
        var first = GaussianMixtureModel.Create(CovarianceType.Full, [1.0], new double[,] { { 20 } }, [25.0], ["x"]);
        var second = GaussianMixtureModel.Create(CovarianceType.Full, [1.0], new double[,] { { 40 } }, [25.0], ["x"]);
        var a = first.Sample(3000, seed).Data.Values;
        var b = second.Sample(7000, seed + 1).Data.Values;
        var values = new double[a.Length + b.Length];
        a.CopyTo(values);
        b.CopyTo(values.AsSpan(a.Length));
        var process = new int[values.Length];
        Array.Fill(process, 1, 0, a.Length);
        Array.Fill(process, 2, a.Length, b.Length);
        return (DataSet.Wrap(values, 1, ["x"], "demo"), process);
    }

    /// <summary>A histogram drawn with block characters, one line per bin of width 2.5.</summary>
    public static void WriteHistogram(TextWriter o, ReadOnlySpan<double> values)
    {
        const double width = 2.5;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        double start = Math.Floor(min / width) * width;
        int bins = (int)Math.Floor((max - start) / width) + 1;
        var counts = new int[bins];
        foreach (double v in values)
            counts[Math.Min(bins - 1, (int)((v - start) / width))]++;
        int peak = counts.Max();
        const int barWidth = 50;
        o.WriteLine("Histogram of the data:");
        for (int b = 0; b < bins; b++)
        {
            double lo = start + (b * width);
            int length = (int)Math.Round((double)counts[b] * barWidth / peak);
            var bar = new StringBuilder().Append('█', length).ToString();
            o.WriteLine(string.Create(Inv, $"  {lo,6:F1} – {lo + width,5:F1} │{bar} {counts[b]}"));
        }
    }
}
