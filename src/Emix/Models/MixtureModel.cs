using System.Globalization;
using System.Text;

namespace Emix;

/// <summary>
/// A fitted mixture of any family: what every family's model answers (predictions, densities,
/// criteria, sampling, a summary, its model file). <see cref="GaussianMixtureModel"/> and
/// <see cref="PoissonMixtureModel"/> add their parameters. Every array a property returns is a copy.
/// </summary>
public abstract class MixtureModel
{
    private readonly double[] _lowerBoundHistory;

    private readonly Models.ModelEvaluation _evaluation;

    private protected MixtureModel(Models.ModelEvaluation evaluation, IReadOnlyList<string> featureNames, FitReport? fit, int[]? trainingClusterSizes, double? trainingLogLikelihood)
    {
        _evaluation = evaluation;
        FeatureNames = featureNames.ToArray();
        Fit = fit;
        _lowerBoundHistory = fit?.LowerBoundHistory.ToArray() ?? [];
        TrainingClusterSizes = trainingClusterSizes;
        TrainingLogLikelihood = trainingLogLikelihood;
    }

    /// <summary>The running statistics of a stepwise fit and their centres (kept in the model file so that the fit can resume).</summary>
    internal (double[] Values, double[] Centres)? StepwiseStatistics { get; init; }

    /// <summary>The component family: gaussian or poisson (the CLI's <c>--family</c>).</summary>
    public abstract string Family { get; }

    /// <summary>Number of components k.</summary>
    public int ComponentCount => _evaluation.ComponentCount;

    /// <summary>Number of features d.</summary>
    public int FeatureCount => _evaluation.FeatureCount;

    /// <summary>Names of the features the model was fitted on.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>How the model was fitted; null for a model built from given parameters.</summary>
    public FitReport? Fit { get; }

    /// <summary>Whether the kept EM run converged (false for a model that was not fitted).</summary>
    public bool Converged => Fit?.Converged ?? false;

    /// <summary>EM iterations of the kept run.</summary>
    public int IterationCount => Fit?.Iterations ?? 0;

    /// <summary>scikit-learn's <c>lower_bound_</c>: mean log-likelihood per sample before the last M-step.</summary>
    public double LowerBound => Fit?.LowerBound ?? double.NegativeInfinity;

    /// <summary>The lower bound after each iteration of the kept run.</summary>
    public IReadOnlyList<double> LowerBoundHistory => _lowerBoundHistory;

    /// <summary>Rows per component by <see cref="Predict"/> on the training data (the final E-step), when known.</summary>
    public IReadOnlyList<int>? TrainingClusterSizes { get; }

    /// <summary>Total log-likelihood of the training data at the final parameters, when known.</summary>
    public double? TrainingLogLikelihood { get; }

    /// <summary>Mixing weights (k), summing to 1.</summary>
    public double[] Weights => _evaluation.Weights;

    /// <summary>Free parameters, as BIC and AIC count them (the family's parameters and k − 1 weights).</summary>
    public abstract long FreeParameterCount { get; }

    /// <summary>The most probable component of every row.</summary>
    /// <exception cref="DataFormatException">The rows do not fit the model (columns, or values the family cannot take).</exception>
    public int[] Predict(DataSet data) => _evaluation.Predict(CheckData(data));

    /// <summary>Posterior probability of each component for every row (n×k); rows sum to 1.</summary>
    public double[,] PredictProbabilities(DataSet data) => _evaluation.Probabilities(CheckData(data));

    /// <summary>Log-density log p(x) of every row under the mixture (scikit-learn's <c>score_samples</c>).</summary>
    public double[] ScoreSamples(DataSet data) => _evaluation.ScoreSamples(CheckData(data));

    /// <summary>Σ wᵢ·log p(xᵢ) over the rows (Σ log p(xᵢ) without sample weights).</summary>
    public double LogLikelihood(DataSet data) => _evaluation.LogLikelihood(CheckData(data));

    /// <summary>Σᵢ −wᵢ·log maxⱼ p(j | xᵢ) over the rows a fit saw (ICL's penalty beyond BIC), in one pass.</summary>
    internal double ClassificationEntropy(RowSource data, int? threads, CancellationToken cancellationToken = default) =>
        _evaluation.ClassificationEntropy(data, threads, cancellationToken);

    /// <summary>Mean log-likelihood per row (scikit-learn's <c>score</c>); weighted rows give Σ w·log p / Σ w.</summary>
    public double Score(DataSet data) => LogLikelihood(data) / data.TotalWeight;

    /// <summary>
    /// Bayesian information criterion, scikit-learn's sign: −2·log L + p·ln n; lower is better.
    /// (mclust reports the negative, where higher is better.) With sample weights, log L = Σ w·log p
    /// and n = Σ w (<see cref="RowSource.TotalWeight"/>).
    /// </summary>
    public double Bic(DataSet data) => InformationCriteria.Bic(LogLikelihood(data), FreeParameterCount, data.TotalWeight);

    /// <summary>Akaike information criterion, scikit-learn's sign: −2·log L + 2p; lower is better.</summary>
    public double Aic(DataSet data) => InformationCriteria.Aic(LogLikelihood(data), FreeParameterCount);

    /// <summary>
    /// Draws <paramref name="count"/> rows from the mixture: component counts from a multinomial on
    /// the weights, rows grouped by component as scikit-learn's <c>sample</c> returns them.
    /// </summary>
    public abstract MixtureSample Sample(int count, long seed = 0);

    /// <summary>
    /// A summary in the manner of mclust's: the model, log-likelihood, n, df, BIC, AIC (scikit-learn's
    /// sign: lower is better), the EM run, cluster sizes, weights and the family's parameters.
    /// </summary>
    public string Summary()
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(SummaryHeading);
        s.AppendLine(new string('-', SummaryHeading.Length));
        s.AppendLine(SummaryModelLine);
        s.AppendLine();
        if (Fit is { } fit && TrainingLogLikelihood is { } logL)
        {
            double n = fit.WeightTotal ?? fit.RowCount;
            double bic = InformationCriteria.Bic(logL, FreeParameterCount, n);
            double aic = InformationCriteria.Aic(logL, FreeParameterCount);
            var header = new[] { "log-likelihood", "n", "df", "BIC", "AIC" };
            var cells = new[]
            {
                logL.ToString("F4", inv), n.ToString("G", inv), FreeParameterCount.ToString(inv),
                bic.ToString("F4", inv), aic.ToString("F4", inv),
            };
            AppendTable(s, header, cells);
            s.AppendLine("(BIC and AIC as scikit-learn: lower is better; mclust prints BIC with the opposite sign.)");
            s.AppendLine();
            foreach (var e in fit.Collapses)
            {
                string action = e.Action == CollapsePolicy.Reseed
                    ? string.Create(inv, $"reseeded at row {e.Row + 1}")
                    : "dropped";
                s.AppendLine(inv, $"Collapsed: component {e.Component + 1} at iteration {e.Iteration}, {action}.");
            }
            string start = fit.StartedFromLabels ? "given labels" : fit.Options.Init.ToScikitName();
            s.AppendLine(inv, $"EM: {fit.Iterations} iteration{(fit.Iterations == 1 ? "" : "s")}, {(fit.Converged ? "converged" : "NOT converged")} (tol {fit.Options.Tolerance.ToString("G", inv)}), lower bound {fit.LowerBound.ToString("F6", inv)}, best of {fit.Options.InitCount} init{(fit.Options.InitCount == 1 ? "" : "s")} ({start})");
            s.AppendLine();
        }
        if (Fit is { Stepwise: { } stepwise } online)
        {
            s.AppendLine(inv, $"Stepwise EM: {stepwise.Steps} step{(stepwise.Steps == 1 ? "" : "s")} over {stepwise.RowsSeen} rows (step power {stepwise.StepPower.ToString("G", inv)}), log-likelihood per row of the last pass {online.LowerBound.ToString("F6", inv)} (each batch under the parameters before its step)");
            s.AppendLine();
        }
        if (TrainingClusterSizes is { } sizes)
        {
            s.AppendLine("Clustering table (rows per component, 0-based as Predict):");
            AppendTable(s, Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv)).ToArray(),
                sizes.Select(c => c.ToString(inv)).ToArray());
            s.AppendLine();
        }
        s.AppendLine("Mixing weights:");
        AppendTable(s, Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv)).ToArray(),
            Weights.Select(w => w.ToString("F4", inv)).ToArray());
        s.AppendLine();
        AppendParameterSummary(s);
        return s.ToString();
    }

    /// <summary>The summary's first line (what kind of model).</summary>
    private protected abstract string SummaryHeading { get; }

    /// <summary>The summary's line naming the model, its components and features.</summary>
    private protected abstract string SummaryModelLine { get; }

    /// <summary>Appends the family's parameters to the summary.</summary>
    private protected abstract void AppendParameterSummary(StringBuilder s);

    /// <summary>A table of one value per feature (rows) and component (columns), k×d row-major, under <paramref name="title"/>.</summary>
    private protected void AppendFeatureTable(StringBuilder s, string title, ReadOnlySpan<double> values)
    {
        var inv = CultureInfo.InvariantCulture;
        s.AppendLine(title);
        var header = Enumerable.Repeat("", 1).Concat(Enumerable.Range(0, ComponentCount).Select(j => j.ToString(inv))).ToArray();
        var rows = new List<string[]>();
        for (int a = 0; a < FeatureCount; a++)
        {
            var row = new string[ComponentCount + 1];
            row[0] = FeatureNames[a];
            for (int j = 0; j < ComponentCount; j++)
                row[j + 1] = values[(j * FeatureCount) + a].ToString("G6", inv);
            rows.Add(row);
        }
        AppendTable(s, header, [.. rows]);
    }

    private protected static void AppendTable(StringBuilder s, string[] header, params string[][] rows)
    {
        var widths = new int[header.Length];
        for (int c = 0; c < header.Length; c++)
            widths[c] = Math.Max(header[c].Length, rows.Max(r => r[c].Length));
        s.AppendLine(string.Join("  ", header.Select((h, c) => h.PadLeft(widths[c]))).TrimEnd());
        foreach (var row in rows)
            s.AppendLine(string.Join("  ", row.Select((v, c) => c == 0 && header[0].Length == 0 ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))).TrimEnd());
    }

    private protected static void AppendTable(StringBuilder s, string[] header, string[] row) => AppendTable(s, header, [row]);

    /// <summary>Saves the model file atomically (see <see cref="Serialization.ModelFile"/> for the layout).</summary>
    public void Save(string path) => Serialization.ModelFile.Save(this, path);

    /// <summary>Loads and validates a model file of any family.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed or inconsistent.</exception>
    public static MixtureModel LoadAny(string path) => Serialization.ModelFile.LoadAny(path);

    /// <summary>A k×d matrix of row-major values (component by component).</summary>
    private protected static double[,] ToMatrix(ReadOnlySpan<double> values, int k, int d)
    {
        var result = new double[k, d];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                result[j, a] = values[(j * d) + a];
        return result;
    }

    /// <summary>Refuses data whose column count is not the model's.</summary>
    private protected DataSet CheckData(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new DataFormatException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{data.Source}: has {data.FeatureCount} column{(data.FeatureCount == 1 ? "" : "s")}, but the model was fitted on {FeatureCount} ({string.Join(", ", FeatureNames)})."));
        return data;
    }
}

/// <summary>Rows drawn from a mixture and the component each came from.</summary>
/// <param name="Data">The drawn rows.</param>
/// <param name="Labels">The component of each row.</param>
public sealed record MixtureSample(DataSet Data, int[] Labels);
