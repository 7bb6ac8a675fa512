namespace Emix.Plots;

/// <summary>
/// One cell of a model-selection table: the criterion (e.g. BIC) of a fitted mixture with
/// <paramref name="ComponentCount"/> components and <paramref name="CovarianceType"/> covariances.
/// A non-finite value marks a fit that failed; it is left out of the picture.
/// </summary>
/// <param name="ComponentCount">The number of components k.</param>
/// <param name="CovarianceType">The covariance structure.</param>
/// <param name="Value">The criterion's value.</param>
public readonly record struct CriterionValue(int ComponentCount, CovarianceType CovarianceType, double Value);
