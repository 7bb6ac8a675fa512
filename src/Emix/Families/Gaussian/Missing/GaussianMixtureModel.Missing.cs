namespace Emix;

/// <summary>Imputation of missing cells from a fitted model.</summary>
public sealed partial class GaussianMixtureModel
{
    /// <summary>
    /// Fills every missing cell (NaN in a data set made with <see cref="DataSet.WrapWithMissing"/> or
    /// read with missing values allowed) with its conditional mean E[x_m | x_o] under the mixture, and
    /// gives its conditional variance. Observed cells are returned unchanged with variance 0.
    /// </summary>
    /// <remarks>
    /// E[x_m | x_o] = Σ_j r_j(x_o)·x̂_j, with r_j(x_o) the posterior of component j given the observed
    /// coordinates and x̂_j = μ_jm + Σ_j,mo·Σ_j,oo⁻¹·(x_o − μ_jo); the variance is the diagonal of
    /// Σ_j r_j·(C_j + (x̂_j − E)(x̂_j − E)ᵀ), C_j = Σ_j,mm − Σ_j,mo·Σ_j,oo⁻¹·Σ_j,om.
    /// A row with nothing observed gets the mixture mean and variance.
    /// </remarks>
    /// <exception cref="DataFormatException">The data have a different number of columns than the model.</exception>
    public Imputation Impute(DataSet data)
    {
        CheckData(data);
        int n = data.RowCount, d = FeatureCount;
        var means = new double[n * d];
        var variances = new double[n * d];
        Families.Gaussian.Missing.MissingValueEm.Impute(data, Parameters, means, variances);
        var grid = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                grid[i, a] = variances[(i * d) + a];
        return new Imputation(DataSet.Wrap(means, d, data.FeatureNames, data.Source), grid, data.MissingCount);
    }
}

/// <summary>Missing cells filled by <see cref="GaussianMixtureModel.Impute"/>.</summary>
/// <param name="Values">Every row, missing cells replaced by their conditional means.</param>
/// <param name="Variances">The conditional variance of every cell (n×d); 0 where the cell was observed.</param>
/// <param name="ImputedCount">How many cells were filled.</param>
public sealed record Imputation(DataSet Values, double[,] Variances, long ImputedCount);
