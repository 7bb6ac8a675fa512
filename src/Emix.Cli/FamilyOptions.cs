using System.CommandLine;

namespace Emix.Cli;

/// <summary>
/// Which component family a command fits: <c>--family</c>, <c>--families</c> (a mixed-type table) and
/// the options only one family reads (<c>--pseudo-count</c>, <c>--df</c>, <c>--df-init</c>). Shared by
/// <c>fit</c> and <c>select</c>.
/// </summary>
internal sealed record FamilyOptions(Option<string> Family, Option<string?> Families, Option<double> PseudoCount, Option<double?> DegreesOfFreedom, Option<double> InitialDegreesOfFreedom,
    FamilyOptions.VariationalOptions Variational)
{
    /// <summary><c>--variational</c> and the priors of a variational Bayesian Gaussian fit (scikit-learn's BayesianGaussianMixture).</summary>
    internal sealed record VariationalOptions(Option<bool> Enabled, Option<string> WeightPrior, Option<double?> WeightConcentration, Option<double?> MeanPrecision,
        Option<string?> MeanPrior, Option<double?> DegreesOfFreedom, Option<string?> CovariancePrior)
    {
        public IEnumerable<Option> All => [Enabled, WeightPrior, WeightConcentration, MeanPrecision, MeanPrior, DegreesOfFreedom, CovariancePrior];

        public static VariationalOptions Create()
        {
            var options = new VariationalOptions(
                new Option<bool>("--variational") { Description = "Fit a variational Bayesian Gaussian mixture (scikit-learn's BayesianGaussianMixture): priors on the weights, means and precisions; the components the data do not need get small weights." },
                new Option<string>("--weight-prior") { Description = "For --variational: the prior on the weights, process (a Dirichlet process, stick-breaking) or distribution (a Dirichlet).", DefaultValueFactory = _ => "process" },
                new Option<double?>("--weight-concentration") { Description = "For --variational: the weight concentration prior (> 0; default 1/k)." },
                new Option<double?>("--mean-precision") { Description = "For --variational: the precision prior of the means (> 0; default 1)." },
                new Option<string?>("--mean-prior") { Description = "For --variational: the prior mean, d comma-separated numbers (default: the data mean)." },
                new Option<double?>("--degrees-of-freedom") { Description = "For --variational: the degrees-of-freedom prior of the precisions (> d − 1; default d)." },
                new Option<string?>("--covariance-prior") { Description = "For --variational: the covariance prior, comma-separated in the structure's shape (full, tied: d × d row by row; diag: d; spherical: 1; default: the data covariance as scikit-learn computes it)." });
            options.WeightPrior.AcceptOnlyFromAmong("process", "distribution");
            return options;
        }

        /// <summary>The options of the variational fit: the command line's common ones and its priors.</summary>
        public VariationalGaussianMixtureOptions Read(ParseResult parse, GaussianMixtureOptions o) =>
            FitCommand.WithCommon(o, new VariationalGaussianMixtureOptions
            {
                CovarianceType = o.CovarianceType, RegCovar = o.RegCovar, Kernel = o.Kernel,
                WeightPrior = parse.GetValue(WeightPrior) == "distribution" ? Emix.WeightPrior.Distribution : Emix.WeightPrior.Process,
                WeightConcentration = parse.GetValue(WeightConcentration), MeanPrecision = parse.GetValue(MeanPrecision),
                MeanPrior = Numbers(parse, MeanPrior), DegreesOfFreedom = parse.GetValue(DegreesOfFreedom), CovariancePrior = Numbers(parse, CovariancePrior),
            });

        private static double[]? Numbers(ParseResult parse, Option<string?> option)
        {
            if (parse.GetValue(option) is not { } text)
                return null;
            var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var values = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                    throw new UsageException($"{option.Name}: '{parts[i]}' is not a finite number; give comma-separated numbers.");
            }
            return values;
        }
    }

    /// <summary>The family names <c>--family</c> accepts.</summary>
    public static readonly string[] Names = ["gaussian", "student-t", "poisson", "bernoulli", "categorical"];

    public static FamilyOptions AddTo(Command command)
    {
        var options = new FamilyOptions(
            new Option<string>("--family")
            {
                Description = "Component family: gaussian, student-t (heavy-tailed, robust to outliers; full or diag scales), poisson (independent counts per feature; non-negative integers), bernoulli (independent 0/1 features: latent class analysis) or categorical (independent integer-coded features; levels found in the data).",
                DefaultValueFactory = _ => "gaussian",
            },
            new Option<string?>("--families")
            {
                Description = "A mixed-type fit: each listed column's family, e.g. \"age:gaussian,visits:poisson,smoker:bernoulli,region:categorical\" (columns by name or 1-based index; unlisted columns are gaussian); the columns are independent inside each component.",
            },
            new Option<double>("--pseudo-count")
            {
                Description = "For --family categorical: added to every level's count in each component's M-step (0: plain maximum likelihood, where a level a component never saw has probability 0).",
                DefaultValueFactory = _ => 0,
            },
            new Option<double?>("--df")
            {
                Description = "For --family student-t: fix the degrees of freedom of every component at this value (then not a free parameter in BIC); default: estimated per component.",
            },
            new Option<double>("--df-init")
            {
                Description = "For --family student-t: the degrees of freedom every component starts from when they are estimated.",
                DefaultValueFactory = _ => StudentTMixtureOptions.DefaultInitialDegreesOfFreedom,
            },
            VariationalOptions.Create());
        options.Family.AcceptOnlyFromAmong(Names);
        foreach (var option in new Option[] { options.Family, options.Families, options.PseudoCount, options.DegreesOfFreedom, options.InitialDegreesOfFreedom }.Concat(options.Variational.All))
            command.Options.Add(option);
        return options;
    }

    /// <summary>The chosen family, its own options checked against the family (usage errors before any data are read).</summary>
    /// <exception cref="UsageException">An option the family does not read, or a malformed <c>--families</c>.</exception>
    public Choice Read(ParseResult parse, GaussianMixtureOptions common)
    {
        string name = parse.GetValue(Family)!;
        IReadOnlyList<ColumnFamily>? columns = null;
        if (parse.GetValue(Families) is { } spec)
        {
            RequireAbsent(parse, "one family for every column; --families gives each column its own", Family);
            try
            {
                columns = ColumnFamily.ParseList(spec);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--families: {e.Message}");
            }
            name = "mixed";
        }
        if (name != "categorical")
            RequireAbsent(parse, "the categorical family only (--family categorical)", PseudoCount);
        if (name != "student-t")
            RequireAbsent(parse, "the student-t family only (--family student-t)", DegreesOfFreedom, InitialDegreesOfFreedom);
        VariationalGaussianMixtureOptions? variational = null;
        if (parse.GetValue(Variational.Enabled))
        {
            if (name != "gaussian")
                throw new UsageException("--variational fits Gaussian mixtures only; leave out --family/--families.");
            variational = Variational.Read(parse, common);
            variational.Validate();
        }
        else
        {
            RequireAbsent(parse, "variational fits only (--variational)", Variational.All.Skip(1).ToArray());
        }
        var choice = new Choice(name, columns, parse.GetValue(PseudoCount), parse.GetValue(DegreesOfFreedom), parse.GetValue(InitialDegreesOfFreedom)) { Variational = variational };
        if (name == "student-t")
            choice.StudentTOptions(common).Validate();
        return choice;
    }

    /// <summary>Refuses options given on the command line that the chosen family does not read: "NAME applies to <paramref name="appliesTo"/>".</summary>
    public static void RequireAbsent(ParseResult parse, string appliesTo, params Option?[] options)
    {
        foreach (var option in options)
        {
            if (option is not null && parse.GetResult(option) is { Implicit: false })
                throw new UsageException($"{option.Name} applies to {appliesTo}.");
        }
    }

    /// <summary>A family and its own options; <see cref="Fit"/> runs its estimator.</summary>
    /// <param name="Name">gaussian, student-t, poisson, bernoulli, categorical or mixed.</param>
    /// <param name="Columns">The columns' families of a mixed-type fit.</param>
    /// <param name="PseudoCount">The categorical pseudo-count.</param>
    /// <param name="DegreesOfFreedom">The Student-t fixed ν, or null.</param>
    /// <param name="InitialDegreesOfFreedom">The Student-t starting ν.</param>
    public sealed record Choice(string Name, IReadOnlyList<ColumnFamily>? Columns, double PseudoCount, double? DegreesOfFreedom, double InitialDegreesOfFreedom)
    {
        /// <summary>The variational fit's options (its priors; the common ones are taken again at the fit), or null for EM.</summary>
        public VariationalGaussianMixtureOptions? Variational { get; init; }

        /// <summary>Whether the family has covariance structures (the Gaussian's four; the Student-t's full and diag).</summary>
        public bool HasStructures => Name is "gaussian" or "student-t";

        /// <summary>
        /// Fits the family with the command line's common options <paramref name="o"/> (its k, structure,
        /// reg_covar, labels …) and the starting parameters that were read for it.
        /// </summary>
        public MixtureModel Fit(GaussianMixtureOptions o, RowSource rows, PoissonParameterValues? poissonStart, BernoulliParameterValues? bernoulliStart,
            IProgress<FitProgress>? progress, CancellationToken cancellationToken) => Name switch
        {
            "mixed" => new MixedMixture(FitCommand.WithCommon(o, new MixedMixtureOptions { Families = Columns!, RegCovar = o.RegCovar })).Fit(rows, progress, cancellationToken),
            "student-t" => new StudentTMixture(StudentTOptions(o)).Fit(rows, progress, cancellationToken),
            "poisson" => new PoissonMixture(FitCommand.WithCommon(o, new PoissonMixtureOptions { InitialParameters = poissonStart })).Fit(rows, progress, cancellationToken),
            "bernoulli" => new BernoulliMixture(FitCommand.WithCommon(o, new BernoulliMixtureOptions { InitialParameters = bernoulliStart })).Fit(rows, progress, cancellationToken),
            "categorical" => new CategoricalMixture(FitCommand.WithCommon(o, new CategoricalMixtureOptions { PseudoCount = PseudoCount })).Fit(rows, progress, cancellationToken),
            _ when Variational is { } v => new VariationalGaussianMixture(FitCommand.WithCommon(o, v with { CovarianceType = o.CovarianceType, RegCovar = o.RegCovar, Kernel = o.Kernel }))
                .Fit(rows, progress, cancellationToken),
            _ => new GaussianMixture(o).Fit(rows, progress, cancellationToken),
        };

        /// <summary>The Student-t fit's options: the common ones, its structure, reg_covar and degrees of freedom.</summary>
        public StudentTMixtureOptions StudentTOptions(GaussianMixtureOptions o) =>
            FitCommand.WithCommon(o, new StudentTMixtureOptions
            {
                CovarianceType = o.CovarianceType, RegCovar = o.RegCovar, DegreesOfFreedom = DegreesOfFreedom, InitialDegreesOfFreedom = InitialDegreesOfFreedom,
            });
    }
}
