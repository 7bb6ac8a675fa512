using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Emix.Serialization;

namespace Emix.Cli;

/// <summary><c>emix fit DATA …</c>: fits a mixture, prints the summary (or one JSON line) and saves the model.</summary>
internal static class FitCommand
{
    public static Command Create(CliContext context)
    {
        var data = CommonOptions.DataArgument();
        var components = new Option<int>("--components", "-k")
        {
            Description = "Number of mixture components.",
            DefaultValueFactory = _ => GaussianMixtureOptions.Defaults.ComponentCount,
        };
        var covariance = new Option<string>("--covariance")
        {
            Description = "Covariance structure: full (VVV), tied (EEE), diag (VVI), spherical (VII), or one of mclust's codes EII, EEI, VEI, EVI, VEE, EVE, VVE, EEV, VEV, EVV (case-insensitive; see docs/covariance-structures.md).",
            DefaultValueFactory = _ => "full",
        };
        var initParams = new Option<string?>("--init-params")
        {
            Description = "JSON with initial \"weights\", \"means\", \"covariances\" or \"precisions\" (scikit-learn's shapes; any subset); for --family poisson, \"weights\" and \"rates\". A model file works too.",
        };
        var initLabels = new Option<string?>("--init-labels")
        {
            Description = "File of one 0-based component per data row (# lines and blank lines skipped): start with one M-step from these labels instead of --init; with --max-iter N --tol 0 the model comes from N + 1 M-steps.",
        };
        var quiet = CommonOptions.Quiet();
        var output = CommonOptions.Output("Write the fitted model to this JSON file (atomically).");
        var memoryLimit = new Option<string?>("--memory-limit")
        {
            Description = "Memory for the fit, e.g. 2G: data larger than half of it are streamed from disk on every pass (out of core) instead of loaded. Default: half the available memory.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON line (family, n_iter, converged, lower_bound, log_likelihood, n_parameters, fit_seconds, seconds_per_iter, bic, aic, n_samples, n_features, out_of_core) instead of the summary.",
        };

        var missing = MissingValuesOption.Create();
        var command = new Command("fit", "Fit a mixture (Gaussian by default) to DATA by EM and print its summary.");
        command.Arguments.Add(data);
        command.Options.Add(components);
        var families = FamilyOptions.AddTo(command);
        command.Options.Add(covariance);
        var fitOptions = FitOptionSet.AddTo(command);
        foreach (var option in new Option[] { initParams, initLabels, memoryLimit, missing, output, json, quiet })
            command.Options.Add(option);
        var dataOptions = CommonOptions.DataOptions.AddTo(command);
        var constraints = FitConstraintOptions.AddTo(command);
        var distributed = DistributedFit.Options.AddTo(command);
        var online = OnlineFit.Options.AddTo(command);

        command.SetAction(parse =>
        {
            var type = CommonOptions.ParseCovarianceType(parse.GetValue(covariance));
            var options = fitOptions.Read(parse) with { ComponentCount = parse.GetValue(components), CovarianceType = type };
            FitOptionSet.RequirePriorSupported(options, [type]);
            options.Validate(); // before reading a possibly large file
            var choice = families.Read(parse, options);
            string familyName = choice.Name;
            bool poisson = familyName == "poisson", bernoulli = familyName == "bernoulli", categorical = familyName == "categorical";
            if (familyName != "gaussian")
                RequireGaussianOnlyAbsent(parse, familyName == "student-t" ? null : covariance, familyName is "student-t" or "mixed" ? null : fitOptions.RegCovar,
                    constraints.Fix, constraints.OnCollapse);
            if (options.Prior is not null && (familyName != "gaussian" || choice.Variational is not null || parse.GetValue(online.Enabled)))
                throw new UsageException("--prior conjugate: available for batch EM of the gaussian family only (not with --family, --families, --variational or --online).");
            if (choice.Variational is not null)
            {
                FamilyOptions.RequireAbsent(parse, "EM fits, not --variational", constraints.Fix, constraints.OnCollapse, initParams, online.Enabled);
                if (MissingValuesOption.Parse(parse.GetValue(missing)) != MissingValuePolicy.Error)
                    throw new UsageException("--missing drop|em is not supported with --variational; fill or drop the missing cells first.");
            }
            if (familyName is "student-t" or "mixed" && parse.GetValue(online.Enabled))
                throw new UsageException($"--online: stepwise EM is not available for {(familyName == "mixed" ? "a mixed-type fit (--families)" : "--family student-t (its degrees-of-freedom step has no running statistic)")}; fit in batch, out of core if the data are large.");
            options = constraints.ApplyTo(options, parse);
            bool stepwise = parse.GetValue(online.Enabled);
            int batchRows = parse.GetValue(online.BatchRows), passes = parse.GetValue(online.Passes);
            double stepPower = parse.GetValue(online.StepPower);
            if (stepwise)
            {
                OnlineFit.CheckOptions(parse, online, batchRows, stepPower, passes, distributed.Enabled, initLabels, constraints.Fix, constraints.OnCollapse, fitOptions.InitCount);
            }
            else
            {
                RequireOnlineOptionsAbsent(parse, online);
            }
            if (stepwise && parse.GetValue(data) == "-")
            {
                if (parse.GetValue(initParams) is not null)
                    throw new UsageException("--init-params with DATA - (standard input): not supported; the first batch is initialised by --init.");
                var stepper = OnlineFit.Stepper.For(familyName, options, stepPower, null, null, choice.PseudoCount);
                var streamed = ProgressDisplay.Run(context, "fit", batchRows, 1, parse.GetValue(quiet),
                    progress => OnlineFit.FitStandardInput(context, dataOptions.ReadOptions(parse), stepper, options.ComponentCount, batchRows, stepPower, passes, progress));
                context.CancellationToken.ThrowIfCancellationRequested();
                if (parse.GetValue(output) is { } streamedPath)
                    CommonOptions.SaveModel(streamed, streamedPath);
                context.Out.Write(streamed.Summary());
                return ExitCodes.Success;
            }
            long? limit = parse.GetValue(memoryLimit) is { } text ? DataPlan.ParseSize(text) : null;
            var missingValues = MissingValuesOption.Parse(parse.GetValue(missing));
            if (parse.GetValue(distributed.Enabled))
                DistributedFit.RequireSupported(options, missingValues, parse.GetValue(constraints.WeightColumn));
            var mpi = DistributedFit.Start(parse, distributed, context);
            using var plan = mpi is null
                ? DataPlan.Open(parse.GetValue(data)!, limit, dataOptions, parse, missingValues)
                : DistributedFit.OpenData(mpi, parse.GetValue(data)!, limit, dataOptions, parse);
            var rows = constraints.WithWeights(plan.Rows, parse);
            if (plan.MissingNote is { } note && !parse.GetValue(quiet))
                context.Error.WriteLine(note);
            if (rows.RowCount < options.ComponentCount)
                throw new UsageException($"{rows.Source}: {rows.RowCount} row{(rows.RowCount == 1 ? "" : "s")}, fewer than the {options.ComponentCount} components asked for (-k); use fewer components.");
            PoissonParameterValues? poissonStart = null;
            BernoulliParameterValues? bernoulliStart = null;
            if (parse.GetValue(initParams) is { } initPath)
            {
                if (poisson)
                    poissonStart = InitialParametersFile.ReadPoisson(initPath, options.ComponentCount, rows.FeatureCount);
                else if (bernoulli)
                    bernoulliStart = InitialParametersFile.ReadBernoulli(initPath, options.ComponentCount, rows.FeatureCount);
                else if (familyName != "gaussian")
                    throw new UsageException($"--init-params is not read for {(familyName == "mixed" ? "--families" : $"--family {familyName}")}; start from --init-labels or --init.");
                else
                    options = options with { InitialParameters = InitialParametersFile.Read(initPath, type, options.ComponentCount, rows.FeatureCount) };
            }
            if (parse.GetValue(initLabels) is { } labelsPath)
                options = options with { InitialLabels = LabelsFile.Read(labelsPath, rows.RowCount, options.ComponentCount) };
            options.Validate(); // frozen parts need their initial values

            var clock = Stopwatch.StartNew();
            var iterationEnds = new IterationClock(clock);
            var traffic = mpi is null ? null : new DistributedFit.TrafficMeter(mpi);
            var model = ProgressDisplay.Run(context, "fit", rows.RowCount, options.InitCount, parse.GetValue(quiet) || mpi is { Rank: > 0 },
                progress =>
                {
                    var report = iterationEnds.Then(traffic?.Then(progress) ?? progress);
                    if (stepwise)
                        return OnlineFit.FitRows(OnlineFit.Stepper.For(familyName, options, stepPower, poissonStart, bernoulliStart, choice.PseudoCount), rows, options.ComponentCount, batchRows, stepPower, passes, report, context.CancellationToken);
                    return choice.Fit(options, rows, poissonStart, bernoulliStart, report, context.CancellationToken);
                });
            double seconds = clock.Elapsed.TotalSeconds;
            context.CancellationToken.ThrowIfCancellationRequested(); // a Ctrl-C during the last iteration still writes nothing
            if (mpi is { Rank: > 0 })
            {
                // Every rank holds the same model; rank 0 alone writes and prints it.
                DistributedFit.End(mpi);
                return ExitCodes.Success;
            }

            if (parse.GetValue(output) is { } path)
                CommonOptions.SaveModel(model, path);
            if (parse.GetValue(json))
                context.Out.WriteLine(JsonLine(model, rows, seconds, iterationEnds.SecondsPerIteration, plan.Streamed, traffic));
            else
            {
                context.Out.Write(model.Summary());
                if (parse.GetValue(output) is { } saved)
                    context.Out.WriteLine($"Model written to {saved}");
            }
            DistributedFit.End(mpi);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Times EM iterations from the progress reports: the mean gap between consecutive iteration
    /// ends of the same run, which excludes initialisation and the final E-step (for benchmarks).
    /// </summary>
    private sealed class IterationClock(Stopwatch clock) : IProgress<FitProgress>
    {
        private double _first, _last;
        private int _run, _count;

        public void Report(FitProgress value)
        {
            double now = clock.Elapsed.TotalSeconds;
            if (value.Run != _run)
            {
                (_run, _first, _count) = (value.Run, now, 0);
            }
            _last = now;
            _count++;
        }

        public double? SecondsPerIteration => _count >= 2 ? (_last - _first) / (_count - 1) : null;

        /// <summary>This clock, then <paramref name="next"/> (when there is one), on every report.</summary>
        public IProgress<FitProgress> Then(IProgress<FitProgress>? next) => next is null ? this : new Both(this, next);

        private sealed class Both(IProgress<FitProgress> first, IProgress<FitProgress> second) : IProgress<FitProgress>
        {
            public void Report(FitProgress value)
            {
                first.Report(value);
                second.Report(value);
            }
        }
    }

    /// <summary><paramref name="target"/> (another family's options) with the command line's options that every family has.</summary>
    internal static T WithCommon<T>(GaussianMixtureOptions o, T target)
        where T : MixtureOptions =>
        (T)((MixtureOptions)target with
        {
            ComponentCount = o.ComponentCount, Tolerance = o.Tolerance, MaxIterations = o.MaxIterations, InitCount = o.InitCount, Init = o.Init,
            Hierarchical = o.Hierarchical, InitialLabels = o.InitialLabels, Seed = o.Seed, MaxDegreeOfParallelism = o.MaxDegreeOfParallelism, ChunkRows = o.ChunkRows,
            InitSampleRows = o.InitSampleRows,
        });

    /// <summary>Refuses the stepwise options without --online (they would be silently ignored).</summary>
    private static void RequireOnlineOptionsAbsent(ParseResult parse, OnlineFit.Options online)
    {
        foreach (Option option in new Option[] { online.BatchRows, online.StepPower, online.Passes })
        {
            if (parse.GetResult(option) is { Implicit: false })
                throw new UsageException($"{option.Name} applies to stepwise EM only (--online).");
        }
    }

    /// <summary>Refuses the options that only a Gaussian fit reads when another family is asked for.</summary>
    private static void RequireGaussianOnlyAbsent(ParseResult parse, params Option?[] gaussianOnly) =>
        FamilyOptions.RequireAbsent(parse, "the gaussian family only (--family gaussian)", gaussianOnly);

    private static string JsonLine(MixtureModel model, RowSource rows, double seconds, double? secondsPerIteration, bool streamed, DistributedFit.TrafficMeter? traffic)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("family", model.Family);
            w.WriteNumber("n_iter", model.IterationCount);
            w.WriteBoolean("converged", model.Converged);
            if (double.IsFinite(model.LowerBound))
                w.WriteNumber("lower_bound", model.LowerBound);
            else
                w.WriteNull("lower_bound");
            w.WriteNumber("fit_seconds", seconds);
            if (secondsPerIteration is { } perIteration)
                w.WriteNumber("seconds_per_iter", perIteration);
            // The log-likelihood, BIC and AIC of the training data at the saved parameters, from the final E-step of the fit (no
            // extra pass); a stepwise fit has none (its lower bound is the running one), so they are null there.
            w.WriteNumber("n_parameters", model.FreeParameterCount);
            if (model.TrainingLogLikelihood is { } logLikelihood)
            {
                w.WriteNumber("log_likelihood", logLikelihood);
                w.WriteNumber("bic", InformationCriteria.Bic(logLikelihood, model.FreeParameterCount, rows.TotalWeight));
                w.WriteNumber("aic", InformationCriteria.Aic(logLikelihood, model.FreeParameterCount));
            }
            else
            {
                w.WriteNull("log_likelihood");
                w.WriteNull("bic");
                w.WriteNull("aic");
            }
            w.WriteNumber("n_samples", rows.RowCount);
            w.WriteNumber("n_features", rows.FeatureCount);
            w.WriteBoolean("out_of_core", streamed);
            if (rows.IsWeighted)
                w.WriteNumber("weight_total", rows.TotalWeight);
            if (model.Fit is { Collapses.Count: > 0 } fit)
                w.WriteNumber("collapses", fit.Collapses.Count);
            traffic?.WriteJson(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
