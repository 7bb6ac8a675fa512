using System.Globalization;
using Emix.Families.Gaussian;
using Emix.Engine;
using Emix.Families.Gaussian.Kernels;

namespace Emix.Selection;

/// <summary>
/// Fits a grid of component counts × covariance structures and ranks the fits by BIC, AIC or ICL
/// (scikit-learn's sign: lower is better), as mclust's <c>Mclust()</c> does. A cell whose fit fails
/// (a collapsed component, more components than rows) is kept in the result with its reason instead
/// of ending the selection.
/// </summary>
/// <remarks>
/// Every cell is an independent fit with <see cref="ModelSelectionOptions.FitOptions"/> (same seed) and
/// the cell's k and structure. No work is shared between cells, but the initialisation effectively is:
/// the kmeans, k-means++, random and random_from_data initialisations draw their random numbers and
/// compute their responsibilities before anything depends on the covariance structure, so the cells
/// of one k start from the same responsibilities (the same k-means labels, for kmeans) and differ
/// only in the M-step that turns them into parameters — which is what scikit-learn does for each type
/// with one seed, and what a shared initialisation would give. (The k-means clustering is therefore
/// repeated once per structure; it is cheap next to EM.) The hierarchical initialisation is the exception
/// that is shared: its clustering is computed once per data set and cut at every k.
/// </remarks>
/// <example>
/// <code>
/// var result = new ModelSelection(new ModelSelectionOptions { ComponentCounts = [1, 2, 3, 4] }).Run(data);
/// GaussianMixtureModel best = result.Best!.Model!;
/// </code>
/// </example>
public sealed class ModelSelection
{
    /// <summary>Creates a selection; the options are validated here.</summary>
    public ModelSelection(ModelSelectionOptions? options = null)
    {
        Options = options ?? new ModelSelectionOptions();
        Options.Validate();
        Cells = (from k in Options.SortedComponentCounts
                 from type in Options.OrderedCovarianceTypes
                 select (k, type)).ToArray();
    }

    /// <summary>The options of the selection.</summary>
    public ModelSelectionOptions Options { get; }

    /// <summary>The cells of the grid in the order they are fitted: k ascending, then VII, VVI, EEE, VVV.</summary>
    public IReadOnlyList<(int ComponentCount, CovarianceType CovarianceType)> Cells { get; }

    /// <summary>Fits every cell of the grid and ranks the fits.</summary>
    /// <exception cref="ArgumentException">Initial parameters of the wrong shape, or fewer than 2 rows.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; no result.</exception>
    public ModelSelectionResult Run(RowSource data, IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var entries = new List<SelectionEntry>(Cells.Count);
        for (int c = 0; c < Cells.Count; c++)
        {
            var (k, type) = Cells[c];
            var fitProgress = progress is null ? null : new CellProgress(progress, c + 1, Cells.Count, k, type);
            entries.Add(FitCell(data, k, type, fitProgress, cancellationToken));
        }
        return new ModelSelectionResult(entries, Options.Criterion);
    }

    /// <summary>
    /// Fits one cell (whether or not it is in the grid) with the selection's fit options; <see cref="Run"/>
    /// is this for every cell. A numerical failure or more components than rows gives a failed entry.
    /// </summary>
    /// <exception cref="ArgumentException">Initial parameters of the wrong shape, or fewer than 2 rows.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public SelectionEntry FitCell(RowSource data, int componentCount, CovarianceType covarianceType,
        IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(componentCount, 1);
        SelectionEntry Failed(string reason) => new()
        {
            ComponentCount = componentCount, CovarianceType = covarianceType, RowCount = data.RowCount, SampleSize = data.TotalWeight, Failure = reason,
            Family = Options.Family,
        };
        if (componentCount > data.RowCount)
        {
            return Failed(string.Create(CultureInfo.InvariantCulture,
                $"{componentCount} components need at least {componentCount} rows; the data have {data.RowCount}."));
        }
        GaussianMixtureOptions? options = Options.FamilyFit is null ? FitOptionsFor(data) with
        {
            ComponentCount = componentCount,
            CovarianceType = covarianceType,
            InitialParameters = Options.InitialParametersFor?.Invoke(componentCount, covarianceType),
        } : null;
        MixtureModel fitted;
        try
        {
            fitted = options is null
                ? Options.FamilyFit!(componentCount, covarianceType, data, progress, cancellationToken)
                : new GaussianMixture(options).Fit(data, progress, cancellationToken);
        }
        catch (NumericalFailureException e)
        {
            return Failed(e.Message);
        }
        return new SelectionEntry
        {
            ComponentCount = componentCount,
            CovarianceType = covarianceType,
            Model = fitted as GaussianMixtureModel,
            FittedModel = fitted,
            Family = fitted.Family,
            RowCount = data.RowCount,
            SampleSize = data.TotalWeight,
            // The final E-step of the fit: the log-likelihood scikit-learn's bic(X) and aic(X) use.
            LogLikelihood = fitted.TrainingLogLikelihood!.Value,
            ParameterCount = fitted.FreeParameterCount,
            ClassificationEntropy = fitted is GaussianMixtureModel gaussian
                ? ClassificationEntropy(gaussian, data, options!, cancellationToken)
                : fitted.ClassificationEntropy(data, Options.FitOptions.MaxDegreeOfParallelism, cancellationToken),
        };
    }

    private HierarchicalClustering? _clustering;
    private RowSource? _clusteringData;

    /// <summary>
    /// The fit options, with the hierarchical clustering of <paramref name="data"/> computed once for every
    /// cell when the init is hierarchical (each fit would compute the same one from the same seed).
    /// </summary>
    private GaussianMixtureOptions FitOptionsFor(RowSource data)
    {
        var o = Options.FitOptions;
        if (o.Init != InitMethod.Hierarchical || o.InitialLabels is not null || o.Hierarchical.Clustering is not null)
            return o;
        if (!ReferenceEquals(_clusteringData, data))
        {
            // Rows with missing cells are clustered filled with column means, as the initialiser sees them.
            _clustering = HierarchicalClustering.Compute(Families.Gaussian.Missing.MissingValueEm.InitializationRows(data), o.Hierarchical, o.Seed, o.MaxDegreeOfParallelism);
            _clusteringData = data;
        }
        return o with { Hierarchical = o.Hierarchical with { Clustering = _clustering } };
    }

    /// <summary>
    /// Σᵢ −wᵢ·log maxⱼ p(j | xᵢ) (wᵢ = 1 without sample weights) at the model's parameters: one E-step pass. Chunks may finish on any
    /// thread, so each chunk's sum goes to its own slot and the slots are added in chunk order (the
    /// same bits for any thread count).
    /// </summary>
    internal static double ClassificationEntropy(GaussianMixtureModel model, RowSource data, GaussianMixtureOptions options, CancellationToken cancellationToken = default) =>
        Passes.ClassificationEntropy(GaussianFamily.For(KernelSelector.Create(options.Kernel), data), data, model.Parameters, options.MaxDegreeOfParallelism, cancellationToken);

    /// <summary>Forwards one cell's fit progress as selection progress.</summary>
    private sealed class CellProgress(IProgress<SelectionProgress> target, int cell, int cellCount, int k, CovarianceType type) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => target.Report(new SelectionProgress(cell, cellCount, k, type, value));
    }
}
