using System.Globalization;

namespace Emix.Selection;

/// <summary>
/// What a <see cref="ModelSelection"/> fits: the grid of component counts × covariance structures,
/// the criterion that ranks the fits, and the options of every fit. Immutable; <see cref="Validate"/>
/// is the one place that checks it.
/// </summary>
public sealed record ModelSelectionOptions
{
    /// <summary>Defaults, named once.</summary>
    public static class Defaults
    {
        /// <summary>mclust's default range of component counts, 1 to 9.</summary>
        public static IReadOnlyList<int> ComponentCounts { get; } = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        /// <summary>All four structures in mclust's table order: VII, VVI, EEE, VVV.</summary>
        public static IReadOnlyList<CovarianceType> CovarianceTypes { get; } = MixtureNames.CovarianceTypes;
    }

    /// <summary>The component counts k to fit (each at least 1; duplicates are ignored; fitted in ascending order).</summary>
    public IReadOnlyList<int> ComponentCounts { get; init; } = Defaults.ComponentCounts;

    /// <summary>The covariance structures to fit (duplicates are ignored; fitted and tabled in mclust's order EII, VII, EEI, …, VVV).</summary>
    public IReadOnlyList<CovarianceType> CovarianceTypes { get; init; } = Defaults.CovarianceTypes;

    /// <summary>The criterion that ranks the fits (lower is better).</summary>
    public SelectionCriterion Criterion { get; init; } = SelectionCriterion.Bic;

    /// <summary>
    /// Options of every fit (tolerance, iterations, restarts, init method, reg_covar, seed, threads, kernel …).
    /// Their <see cref="MixtureOptions.ComponentCount"/> and <see cref="GaussianMixtureOptions.CovarianceType"/>
    /// are replaced by each cell's; initial parameters, which depend on the cell, come from
    /// <see cref="InitialParametersFor"/> instead of <see cref="GaussianMixtureOptions.InitialParameters"/> (which must be null).
    /// </summary>
    public GaussianMixtureOptions FitOptions { get; init; } = new();

    /// <summary>
    /// Initial parameters of the cell (k, covariance type), or null to use the init method. Lets a caller
    /// start every cell from given parameters, e.g. those another tool started from.
    /// </summary>
    public Func<int, CovarianceType, InitialParameters?>? InitialParametersFor { get; init; }

    /// <summary>
    /// Fits one cell of a family other than the Gaussian — (k, structure, data, progress, cancellation)
    /// to a fitted model, e.g. <c>(k, _, data, p, ct) =&gt; new PoissonMixture(options with { ComponentCount = k }).Fit(data, p, ct)</c>;
    /// null fits Gaussians with <see cref="FitOptions"/>. A family without covariance structures takes
    /// one entry of <see cref="CovarianceTypes"/> (which it ignores). <see cref="Family"/> names it.
    /// </summary>
    public Func<int, CovarianceType, RowSource, IProgress<FitProgress>?, CancellationToken, MixtureModel>? FamilyFit { get; init; }

    /// <summary>The family <see cref="FamilyFit"/> fits, as its models name it (default "gaussian").</summary>
    public string Family { get; init; } = "gaussian";

    /// <summary>The distinct component counts, ascending.</summary>
    internal int[] SortedComponentCounts => ComponentCounts.Distinct().Order().ToArray();

    /// <summary>The distinct covariance types in mclust's table order (EII, VII, EEI, VEI, EVI, VVI, EEE, …, VVV).</summary>
    internal CovarianceType[] OrderedCovarianceTypes =>
        MixtureNames.AllCovarianceTypes.Where(t => CovarianceTypes.Contains(t)).ToArray();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (ComponentCounts is null || ComponentCounts.Count == 0)
            throw new ArgumentException("ComponentCounts: give at least one component count.", nameof(ComponentCounts));
        foreach (int k in ComponentCounts)
        {
            if (k < 1)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ComponentCounts: {k} components; each count must be at least 1."), nameof(ComponentCounts));
        }
        if (CovarianceTypes is null || CovarianceTypes.Count == 0)
            throw new ArgumentException("CovarianceTypes: give at least one covariance type.", nameof(CovarianceTypes));
        foreach (var type in CovarianceTypes)
        {
            if (!Enum.IsDefined(type))
                throw new ArgumentException($"CovarianceTypes: {type} is not a covariance type.", nameof(CovarianceTypes));
        }
        if (!Enum.IsDefined(Criterion))
            throw new ArgumentException($"Criterion: {Criterion} is not a criterion.", nameof(Criterion));
        ArgumentNullException.ThrowIfNull(FitOptions);
        if (FitOptions.InitialParameters is not null)
        {
            throw new ArgumentException(
                "FitOptions.InitialParameters: initial parameters depend on the cell's k and covariance type; give them with InitialParametersFor.",
                nameof(FitOptions));
        }
        FitOptions.Validate();
    }
}
