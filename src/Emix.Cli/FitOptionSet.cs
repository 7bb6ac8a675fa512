using System.CommandLine;

namespace Emix.Cli;

/// <summary>
/// The EM options a command passes on to every fit it makes (<c>--init</c>, <c>--n-init</c>, <c>--max-iter</c>,
/// <c>--tol</c>, <c>--reg-covar</c>, <c>--inner-tol</c>, <c>--max-inner-iter</c>, <c>--seed</c>, <c>--threads</c>), with the same names, defaults and
/// meanings as <c>emix fit</c>'s, read back into <see cref="GaussianMixtureOptions"/>.
/// </summary>
/// <remarks><c>emix fit</c> and <c>emix select</c> both use it, so their shared options cannot drift apart.</remarks>
internal sealed record FitOptionSet(
    Option<string> Init, Option<int> InitCount, Option<int> MaxIterations, Option<double> Tolerance,
    Option<double> RegCovar, Option<double> InnerTolerance, Option<int> MaxInnerIterations, Option<long> Seed, Option<int?> Threads,
    Option<string> HcModel, Option<string> HcUse)
{
    /// <summary><c>--prior conjugate</c>: mclust's conjugate prior with <c>defaultPrior</c>'s hyperparameters (MAP EM).</summary>
    public Option<string?> Prior { get; private init; } = null!;

    /// <summary>Creates the options and adds them to <paramref name="command"/>.</summary>
    public static FitOptionSet AddTo(Command command)
    {
        var init = new Option<string>("--init")
        {
            Description = "Initialisation: kmeans, k-means++, random, random_from_data, or hc (mclust's model-based hierarchical clustering; quantile classes with one feature).",
            DefaultValueFactory = _ => "kmeans",
        };
        init.AcceptOnlyFromAmong("kmeans", "k-means++", "random", "random_from_data", "hc");
        var hcModel = new Option<string>("--hc-model")
        {
            Description = "Model of the --init hc merges: VVV (mclust's default), VII or EII.",
            DefaultValueFactory = _ => "VVV",
        };
        hcModel.AcceptOnlyFromAmong("VVV", "VII", "EII");
        var hcUse = new Option<string>("--hc-use")
        {
            Description = "Variables of the --init hc merges: SVD (standardised and whitened, mclust's default), VARS (as given) or STD (standardised).",
            DefaultValueFactory = _ => "SVD",
        };
        hcUse.AcceptOnlyFromAmong("SVD", "VARS", "STD");
        var set = new FitOptionSet(
            init,
            new Option<int>("--n-init")
            {
                Description = "Number of initialisations; the best lower bound is kept.",
                DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.InitCount,
            },
            new Option<int>("--max-iter")
            {
                Description = "Maximum EM iterations per initialisation.",
                DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.MaxIterations,
            },
            new Option<double>("--tol")
            {
                Description = "Stop when the mean log-likelihood per row changes by less than this (0: run --max-iter iterations).",
                DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.Tolerance,
            },
            new Option<double>("--reg-covar")
            {
                Description = "Added to the diagonal of every covariance to keep it positive definite.",
                DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.RegCovar,
            },
            new Option<double>("--inner-tol")
            {
                Description = "Inner M-step iterations of the VEI, VEV, VEE, EVE and VVE structures stop at this relative change (mclust's default, sqrt(eps) = 1.49e-8).",
                DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.InnerTolerance,
            },
            new Option<int>("--max-inner-iter")
            {
                Description = "Most inner M-step iterations of those structures per EM iteration (default: no limit, as mclust).",
                DefaultValueFactory = _ => int.MaxValue,
            },
            new Option<long>("--seed")
            {
                Description = "Seed of all random draws (same seed, data and options: same bits).",
                DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.Seed,
            },
            CommonOptions.Threads(),
            hcModel,
            hcUse)
        {
            Prior = PriorOption(),
        };
        foreach (var option in new Option[] { set.Init, set.InitCount, set.MaxIterations, set.Tolerance, set.RegCovar, set.InnerTolerance, set.MaxInnerIterations, set.Seed, set.Threads, set.HcModel, set.HcUse, set.Prior })
            command.Options.Add(option);
        return set;
    }

    private static Option<string?> PriorOption()
    {
        var prior = new Option<string?>("--prior")
        {
            Description = "conjugate: mclust's conjugate prior (priorControl(): shrinkage 0.01, mean the column means, dof d+2, defaultPrior's scale); EM finds the MAP estimate. Not for VEE, EVE, VVE, EVV.",
        };
        prior.AcceptOnlyFromAmong("conjugate");
        return prior;
    }

    /// <summary>
    /// Ends the command with exit 3 (bad input) when <c>--prior</c> is given with a structure mclust has no prior for,
    /// before anything is read or written.
    /// </summary>
    public static void RequirePriorSupported(GaussianMixtureOptions options, IEnumerable<CovarianceType> types)
    {
        if (options.Prior is null)
            return;
        foreach (var type in types)
            if (!ConjugatePrior.Supports(type))
                throw new DataFormatException("--prior conjugate: " + ConjugatePrior.NotAvailableMessageFor(type));
    }

    /// <summary>The options of the command line, validated (component count and covariance type left at their defaults).</summary>
    public GaussianMixtureOptions Read(ParseResult parse)
    {
        // AcceptOnlyFromAmong has already rejected anything this cannot parse.
        if (!MixtureNames.TryParseInitMethod(parse.GetValue(Init), out var method))
            throw new UsageException("unknown --init value.");
        var options = new GaussianMixtureOptions
        {
            Init = method,
            InitCount = parse.GetValue(InitCount),
            MaxIterations = parse.GetValue(MaxIterations),
            Tolerance = parse.GetValue(Tolerance),
            RegCovar = parse.GetValue(RegCovar),
            InnerTolerance = parse.GetValue(InnerTolerance),
            MaxInnerIterations = parse.GetValue(MaxInnerIterations),
            Seed = parse.GetValue(Seed),
            MaxDegreeOfParallelism = parse.GetValue(Threads),
            Hierarchical = new HierarchicalInitOptions
            {
                Model = Enum.Parse<HierarchicalModel>(parse.GetValue(HcModel)!),
                Transform = Enum.Parse<HierarchicalTransform>(parse.GetValue(HcUse)!, ignoreCase: true),
            },
            Prior = parse.GetValue(Prior) is null ? null : ConjugatePrior.Default,
        };
        options.Validate();
        return options;
    }
}
