using System.Globalization;
using Emix.Engine;
using Emix.Families.Gaussian;
using Emix.Families.StudentT;

namespace Emix;

/// <summary>
/// The multivariate Student-t mixture estimator: robust clustering by the ECM algorithm of Peel and
/// McLachlan (2000), with the loop, restarts, tolerance and final E-step of <see cref="GaussianMixture"/>.
/// Heavy tails let a component keep its mean and scale when a few rows lie far away: such rows get a
/// small weight u (see <see cref="StudentTMixtureModel.OutlierScores"/>).
/// </summary>
/// <example>
/// <code>
/// var model = new StudentTMixture(new StudentTMixtureOptions { ComponentCount = 3 }).Fit(data);
/// double[] u = model.OutlierScores(data); // small u: an outlier
/// </code>
/// </example>
public sealed class StudentTMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    public StudentTMixture(StudentTMixtureOptions? options = null)
    {
        Options = options ?? new StudentTMixtureOptions();
        Options.Validate();
    }

    /// <summary>The options of every fit of this estimator.</summary>
    public StudentTMixtureOptions Options { get; }

    /// <summary>Fits the mixture to <paramref name="data"/>.</summary>
    /// <exception cref="DataFormatException">A missing cell, or a constant column with <see cref="StudentTMixtureOptions.RegCovar"/> = 0.</exception>
    /// <exception cref="ArgumentException">Fewer rows than components, or labels that do not fit.</exception>
    /// <exception cref="NumericalFailureException">A scale matrix lost positive definiteness.</exception>
    public StudentTMixtureModel Fit(RowSource data, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(data, null, progress, cancellationToken);

    /// <summary>Continues ECM from <paramref name="warmStart"/> (its parameters and lower bound) for one run.</summary>
    public StudentTMixtureModel Fit(RowSource data, StudentTMixtureModel warmStart, IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warmStart);
        return FitCore(data, warmStart, progress, cancellationToken);
    }

    private StudentTMixtureModel FitCore(RowSource data, StudentTMixtureModel? warmStart, IProgress<FitProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = Options;
        int k = o.ComponentCount, d = data.FeatureCount, n = data.RowCount;
        FitInputs.RequireRows(data, k);
        if (data.HasMissing)
            throw new DataFormatException($"{data.Source}: has {data.MissingCount} missing cells; the Student-t family needs every value (drop the incomplete rows).");
        CellChecks.RequireAll(data, double.IsFinite, "is not a finite number.");
        if (o.RegCovar == 0)
            StudentTChecks.RequireNoConstantColumn(data);
        if (warmStart is not null && (warmStart.CovarianceType != o.CovarianceType || warmStart.ComponentCount != k || warmStart.FeatureCount != d))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Warm start model ({warmStart.CovarianceType.ToScikitName()}, k={warmStart.ComponentCount}, d={warmStart.FeatureCount}) does not match the options ({o.CovarianceType.ToScikitName()}, k={k}) and data (d={d})."),
                nameof(warmStart));
        if (o.InitialLabels is { } labels)
            Initialization.InitialResponsibilities.GivenLabels.Check(labels, n, k, data.Source);

        var kernel = Families.Gaussian.Kernels.KernelSelector.Create(o.Kernel);
        var estimation = new StudentTEstimation(o, data, kernel, cancellationToken);
        var result = BatchDriver.Fit(estimation, data,
            new BatchDriver.Settings(o.MaxIterations, o.Tolerance, o.InitCount, o.ChunkRows, o.MaxDegreeOfParallelism),
            warmStart is null ? null : (warmStart.Parameters, warmStart.LowerBound),
            progress, cancellationToken);
        var fit = BatchDriver.Report(result, data, o);
        return new StudentTMixtureModel(result.Parameters, data.FeatureNames, fit, result.ClusterSizes, result.LogLikelihood);
    }
}
