namespace Emix.Selection;

/// <summary>
/// One cell of a model-selection grid: the fit with <see cref="ComponentCount"/> components and
/// <see cref="CovarianceType"/> covariances (for families with covariance structures), its criteria,
/// or why it failed. Criteria have scikit-learn's sign (lower is better) and are NaN for a failed cell.
/// </summary>
public sealed record SelectionEntry
{
    /// <summary>The number of components k.</summary>
    public required int ComponentCount { get; init; }

    /// <summary>The covariance structure.</summary>
    public required CovarianceType CovarianceType { get; init; }

    /// <summary>The fitted Gaussian model, or null when the fit failed or is of another family (see <see cref="FittedModel"/>).</summary>
    public GaussianMixtureModel? Model { get; init; }

    private readonly MixtureModel? _fittedModel;

    /// <summary>The fitted model of any family, or null when the fit failed.</summary>
    public MixtureModel? FittedModel
    {
        get => _fittedModel ?? Model;
        init => _fittedModel = value;
    }

    /// <summary>The component family of the cell ("gaussian", "student-t", "poisson" …; the CLI's <c>--family</c>).</summary>
    public string Family { get; init; } = "gaussian";

    /// <summary>
    /// The cell's model as tables show it: "full (VVV)" for a Gaussian, "student-t full" for a t with
    /// its scale structure, the family's name for families without covariance structures; mclust's code
    /// alone ("VEV") for the structures scikit-learn does not have.
    /// </summary>
    public string Description => Family switch
    {
        "gaussian" when !CovarianceType.IsScikitType() => ModelCode,
        "gaussian" => $"{CovarianceType.ToScikitName()} ({ModelCode})",
        "gaussian-variational" => $"variational {CovarianceType.ToScikitName()} ({ModelCode})",
        "student-t" => $"student-t {CovarianceType.ToScikitName()}",
        _ => Family,
    };

    /// <summary>The cell in a list ("k=2 full"): the structure's scikit-learn name for a Gaussian, else as <see cref="Description"/>.</summary>
    public string ShortDescription => Family == "gaussian" ? CovarianceType.ToScikitName() : Description;

    /// <summary>Why the fit failed (one line), or null when it succeeded.</summary>
    public string? Failure { get; init; }

    /// <summary>Whether the fit succeeded (<see cref="Model"/> is set).</summary>
    public bool Succeeded => FittedModel is not null;

    /// <summary>mclust's code of the structure (EII, VII, …, VVV) for a Gaussian; the family's name otherwise.</summary>
    public string ModelCode => Family is "gaussian" or "gaussian-variational" ? CovarianceType.ToMclustCode() : Family;

    /// <summary>Rows the model was fitted on.</summary>
    public int RowCount { get; init; }

    /// <summary>Total log-likelihood log L of the data at the fitted parameters (NaN when failed).</summary>
    public double LogLikelihood { get; init; } = double.NaN;

    /// <summary>Free parameters p, as scikit-learn counts them (0 when failed).</summary>
    public long ParameterCount { get; init; }

    /// <summary>
    /// Σᵢ −log maxⱼ p(j | xᵢ): the entropy of the hard assignment of the rows to their most probable
    /// component, ICL's penalty beyond BIC (NaN when failed).
    /// </summary>
    public double ClassificationEntropy { get; init; } = double.NaN;

    /// <summary>
    /// The n of BIC: <see cref="RowCount"/>, or Σ w for rows with sample weights (their log-likelihood
    /// and entropy are weighted too), as <see cref="RowSource.TotalWeight"/>.
    /// </summary>
    public double SampleSize { get; init; }

    /// <summary>BIC = −2·log L + p·ln n (lower is better).</summary>
    public double Bic => Succeeded ? InformationCriteria.Bic(LogLikelihood, ParameterCount, SampleSize) : double.NaN;

    /// <summary>AIC = −2·log L + 2p (lower is better).</summary>
    public double Aic => Succeeded ? InformationCriteria.Aic(LogLikelihood, ParameterCount) : double.NaN;

    /// <summary>ICL = BIC + 2·Σᵢ −log maxⱼ p(j | xᵢ) (lower is better; mclust's ICL negated).</summary>
    public double Icl => Succeeded ? InformationCriteria.Icl(LogLikelihood, ParameterCount, SampleSize, ClassificationEntropy) : double.NaN;

    /// <summary>The value of <paramref name="criterion"/> (NaN when failed).</summary>
    public double Value(SelectionCriterion criterion) => criterion switch
    {
        SelectionCriterion.Bic => Bic,
        SelectionCriterion.Aic => Aic,
        SelectionCriterion.Icl => Icl,
        SelectionCriterion.Bound => Succeeded ? -FittedModel!.LowerBound : double.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(criterion), criterion, null),
    };
}
