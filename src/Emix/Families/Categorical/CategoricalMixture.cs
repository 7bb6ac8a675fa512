using System.Globalization;
using Emix.Engine;
using Emix.Families.Categorical;

namespace Emix;

/// <summary>Options of a categorical mixture fit: those of every family, and a pseudo-count.</summary>
public sealed record CategoricalMixtureOptions : MixtureOptions
{
    /// <summary>
    /// Added to every level's count in each component's M-step (a symmetric Dirichlet prior of α + 1);
    /// 0, the default, is plain maximum likelihood, where a level a component never saw gets probability 0
    /// and a new row at that level can then come from no such component.
    /// </summary>
    public double PseudoCount { get; init; }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (!(PseudoCount >= 0) || !double.IsFinite(PseudoCount))
            Fail(nameof(PseudoCount), PseudoCount, "must be a finite number >= 0.");
    }
}

/// <summary>
/// Mixtures of independent categorical features (integer-coded columns; each column's levels are the
/// distinct values it holds), fitted by EM with the loop, restarts and final E-step of <see cref="GaussianMixture"/>.
/// </summary>
public sealed class CategoricalMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    public CategoricalMixture(CategoricalMixtureOptions? options = null)
    {
        Options = options ?? new CategoricalMixtureOptions();
        Options.Validate();
    }

    /// <summary>The options of every fit of this estimator.</summary>
    public CategoricalMixtureOptions Options { get; }

    /// <summary>Fits the mixture to <paramref name="data"/> (integer codes).</summary>
    /// <exception cref="DataFormatException">A cell is not an integer, or a column has more than 1,000 levels.</exception>
    public CategoricalMixtureModel Fit(RowSource data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        int k = o.ComponentCount, n = data.RowCount;
        FitInputs.RequireRows(data, k);
        var levels = CategoricalFamily.FindLevels(data);
        if (o.InitialLabels is { } labels)
            Initialization.InitialResponsibilities.GivenLabels.Check(labels, n, k, data.Source);
        var estimation = new CategoricalEstimation(o, data, levels, cancellationToken);
        var result = BatchDriver.Fit(estimation, data,
            new BatchDriver.Settings(o.MaxIterations, o.Tolerance, o.InitCount, o.ChunkRows, o.MaxDegreeOfParallelism), null, progress, cancellationToken);
        var fit = BatchDriver.Report(result, data, o);
        return new CategoricalMixtureModel(result.Parameters, data.FeatureNames, fit, result.ClusterSizes, result.LogLikelihood);
    }
}
