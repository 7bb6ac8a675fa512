namespace Emix.Selection;

/// <summary>Progress of a model selection: which cell of the grid is being fitted, and that fit's progress.</summary>
/// <param name="Cell">1-based index of the cell in the order of <see cref="ModelSelection.Cells"/>.</param>
/// <param name="CellCount">Cells in the grid.</param>
/// <param name="ComponentCount">The cell's number of components k.</param>
/// <param name="CovarianceType">The cell's covariance structure.</param>
/// <param name="Fit">The progress of the cell's fit (one report per EM iteration).</param>
public readonly record struct SelectionProgress(int Cell, int CellCount, int ComponentCount, CovarianceType CovarianceType, FitProgress Fit);
