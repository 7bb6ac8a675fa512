using System.Globalization;
using Emix.Initialization;

namespace Emix.Families.Gaussian;

/// <summary>
/// The conjugate prior's hyperparameters for one fit, with <c>defaultPrior</c>'s values in place of those
/// the user left null: κ (shrinkage), μ_p (mean), ν_p (degrees of freedom) and the scale, one value
/// (<see cref="ScalarScale"/>) for the structures with diagonal covariances, a d×d matrix
/// (<see cref="MatrixScale"/>) for the ellipsoidal ones.
/// </summary>
internal sealed class PriorHyperparameters
{
    private PriorHyperparameters(double shrinkage, double[] mean, double dof, double scalarScale, double[]? matrixScale)
    {
        Shrinkage = shrinkage;
        Mean = mean;
        DegreesOfFreedom = dof;
        ScalarScale = scalarScale;
        MatrixScale = matrixScale;
    }

    public double Shrinkage { get; }
    public double[] Mean { get; }
    public double DegreesOfFreedom { get; }

    /// <summary>The scale of the spherical and diagonal structures (0 for the ellipsoidal ones).</summary>
    public double ScalarScale { get; }

    /// <summary>The d×d scale (row-major) of the ellipsoidal structures; null for the others.</summary>
    public double[]? MatrixScale { get; }

    /// <summary>Whether <paramref name="structure"/> takes a d×d scale (mclust's EEE, EEV, VEV, VVV family) rather than one value.</summary>
    public static bool TakesMatrixScale(CovarianceStructure structure) => structure.Storage == CovarianceStorage.Full;

    /// <summary>
    /// mclust's <c>defaultPrior(data, G, modelName)</c> for what <paramref name="prior"/> leaves null; the data's
    /// column means and (co)variances come from one deterministic pass each over <paramref name="data"/>.
    /// </summary>
    public static PriorHyperparameters Resolve(ConjugatePrior prior, CovarianceStructure structure, int k, RowSource data, int? threads)
    {
        if (!ConjugatePrior.Supports(structure.Type))
            throw new ArgumentException(ConjugatePrior.NotAvailableMessage(structure.Type), nameof(structure));
        int d = data.FeatureCount, n = data.RowCount;
        bool matrix = TakesMatrixScale(structure);
        double[]? mean = prior.Mean?.ToArray();
        double[]? covariance = null;
        if (mean is null || prior.Scale is null)
        {
            var (columnMean, cov) = ColumnMoments.MeanAndCovariance(data, threads);
            mean ??= columnMean;
            covariance = cov;
        }
        if (mean.Length != d)
            throw new ArgumentException($"Prior.Mean has {mean.Length} values; the data have {d} features.", nameof(prior));
        double dof = prior.DegreesOfFreedom ?? (d + 2);
        // (1/G)^(2/d): in one dimension 1/G², mclust's var/G² for E and V.
        double factor = Math.Pow(1.0 / k, 2.0 / d);
        double scalar = 0;
        double[]? scaleMatrix = null;
        if (prior.Scale is { } given)
        {
            int expected = matrix ? d * d : 1;
            if (given.Count != expected)
                throw new ArgumentException(
                    $"Prior.Scale has {given.Count} values; {structure.MclustCode} takes {(matrix ? $"a {d}x{d} matrix ({expected} values)" : "one value")}.",
                    nameof(prior));
            if (matrix)
                scaleMatrix = given.ToArray();
            else
                scalar = given[0];
        }
        else if (matrix)
        {
            scaleMatrix = new double[d * d];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    if (n > d || a == b)
                        scaleMatrix[(a * d) + b] = factor * covariance![(a * d) + b];
        }
        else
        {
            double sum = 0;
            for (int a = 0; a < d; a++)
                sum += covariance![(a * d) + a];
            scalar = factor * sum / d;
        }
        return new PriorHyperparameters(prior.Shrinkage, mean, dof, scalar, scaleMatrix);
    }
}

/// <summary>
/// The MAP M-step under the conjugate prior, as mclust's <c>me*p</c> Fortran (mclust 6.0.0) does it, from the
/// reduced statistics: the sample means x̄_j and scatter matrices W_j of every component, n_j and n = Σ n_j.
/// With c_j = κ·n_j/(n_j + κ) and e_j = x̄_j − μ_p, the posterior scatter is B_j = W_j + c_j·e_j·e_jᵀ (+ the prior
/// scale), each structure then divides by its own count, and the means shrink to (n_j·x̄_j + κ·μ_p)/(n_j + κ).
/// The proportions stay n_j / n.
/// </summary>
/// <remarks>
/// Where mclust's formulas differ from Fraley and Raftery (2007) Emix follows mclust, since the aim is
/// mclust's numbers: EII (d &gt; 1) adds no prior scale, EEI leaves the means at x̄_j, and VEV's inner
/// iterations divide by d·n_j alone. [κ &gt; 0] below is 1 when the shrinkage is positive, else 0.
/// </remarks>
internal static class ConjugatePriorMStep
{
    /// <summary>mclust's threshold on a component's weight n_j, √eps.</summary>
    public const double MinimumComponentWeight = 1.4901161193847656e-08;

    /// <summary>
    /// Writes the MAP covariances of <paramref name="structure"/> into <paramref name="covariances"/> and returns the
    /// MAP means and, for the constrained structures, the decomposition.
    /// </summary>
    public static (double[] Means, CovarianceDecomposition? Decomposition) Estimate(CovarianceStructure structure, int k, int d,
        ReadOnlySpan<double> nk, ReadOnlySpan<double> delta, ReadOnlySpan<double> shifts, ReadOnlySpan<double> second, double regCovar,
        PriorHyperparameters prior, CovarianceDecomposition? previous, InnerIterations inner, Span<double> covariances)
    {
        double kappa = prior.Shrinkage, nu = prior.DegreesOfFreedom, scale = prior.ScalarScale;
        int positive = kappa > 0 ? 1 : 0;
        var pmu = prior.Mean;
        var c = new double[k];
        var e = new double[k * d];
        var means = new double[k * d];
        double n = 0;
        for (int j = 0; j < k; j++)
        {
            // mclust's me*p stop when a component's n_j falls to √eps ("mixing proportion fell below threshold").
            if (nk[j] <= MinimumComponentWeight)
                throw new NumericalFailureException(string.Create(CultureInfo.InvariantCulture,
                    $"Fitting the mixture model with the conjugate prior failed because the mixing proportion of component {j + 1} fell below threshold (its weight is {nk[j]:R} rows; mclust stops there too). {NumericalFailureException.CollapseAdvice}"))
                { Component = j };
            n += nk[j];
            double nj = nk[j], total = nj + kappa;
            c[j] = kappa * nj / total;
            for (int a = 0; a < d; a++)
            {
                double xbar = shifts[(j * d) + a] + delta[(j * d) + a];
                e[(j * d) + a] = xbar - pmu[a];
                means[(j * d) + a] = structure.Type == CovarianceType.DiagonalEqual ? xbar : ((nj / total) * xbar) + ((kappa / total) * pmu[a]);
            }
        }
        switch (structure.Type)
        {
            case CovarianceType.SphericalEqual:
            {
                var w = DiagonalScatter(k, d, nk, delta, second, regCovar);
                double sum = 0;
                for (int j = 0; j < k; j++)
                    for (int a = 0; a < d; a++)
                        sum += w[(j * d) + a] + (c[j] * e[(j * d) + a] * e[(j * d) + a]);
                // mclust's E (one dimension) adds the prior scale; its EII does not.
                double sigma = d == 1 ? (scale + sum) / (nu + n + k + 2) : sum / (nu + ((n + k) * d) + 2);
                ConstrainedCovariance.RequirePositive(0, [sigma], "variance");
                return (means, Compose(structure, new CovarianceDecomposition(k, d, ConstrainedCovariance.Same(sigma, k), ConstrainedCovariance.Same(1, k * d), null), covariances));
            }
            case CovarianceType.Spherical:
            {
                var w = DiagonalScatter(k, d, nk, delta, second, regCovar);
                for (int j = 0; j < k; j++)
                {
                    double sum = scale;
                    for (int a = 0; a < d; a++)
                        sum += w[(j * d) + a] + (c[j] * e[(j * d) + a] * e[(j * d) + a]);
                    covariances[j] = sum / (nu + (nk[j] * d) + 2 + (d * positive));
                    ConstrainedCovariance.RequirePositive(j, [covariances[j]], "variance");
                }
                return (means, null);
            }
            case CovarianceType.DiagonalEqual:
            {
                var w = DiagonalScatter(k, d, nk, delta, second, regCovar);
                var shape = new double[d];
                shape.AsSpan().Fill(scale);
                for (int j = 0; j < k; j++)
                    for (int a = 0; a < d; a++)
                        shape[a] += w[(j * d) + a] + (c[j] * e[(j * d) + a] * e[(j * d) + a]);
                ConstrainedCovariance.RequirePositive(0, shape, "variance");
                double lambda = ConstrainedCovariance.Normalise(shape) / (nu + 1 + positive + n);
                return (means, Compose(structure, new CovarianceDecomposition(k, d, ConstrainedCovariance.Same(lambda, k), ConstrainedCovariance.Repeat(shape, k), null), covariances));
            }
            case CovarianceType.DiagonalVariableVolume:
                return (means, Compose(structure, VariableVolumeDiagonal(k, d, PosteriorDiagonal(k, d, nk, delta, second, regCovar, scale, c, e), nk,
                    nu + 2 + positive, previous, inner), covariances));
            case CovarianceType.DiagonalVariableShape:
            {
                var b = PosteriorDiagonal(k, d, nk, delta, second, regCovar, scale, c, e);
                double sum = 0;
                for (int j = 0; j < k; j++)
                {
                    ConstrainedCovariance.RequirePositive(j, b.AsSpan(j * d, d), "variance");
                    sum += ConstrainedCovariance.Normalise(b.AsSpan(j * d, d));
                }
                double lambda = sum / (nu + 1 + n + positive);
                return (means, Compose(structure, new CovarianceDecomposition(k, d, ConstrainedCovariance.Same(lambda, k), b, null), covariances));
            }
            case CovarianceType.Diagonal:
            {
                var b = PosteriorDiagonal(k, d, nk, delta, second, regCovar, scale, c, e);
                for (int j = 0; j < k; j++)
                {
                    var shape = b.AsSpan(j * d, d);
                    ConstrainedCovariance.RequirePositive(j, shape, "variance");
                    double lambda = ConstrainedCovariance.Normalise(shape) / (nk[j] + nu + 2 + positive);
                    for (int a = 0; a < d; a++)
                        covariances[(j * d) + a] = lambda * shape[a];
                }
                return (means, null);
            }
            case CovarianceType.Tied:
            {
                var w = new double[d * d];
                TiedCovariance.Instance.EstimateCovariances(k, d, nk, delta, second, regCovar, w);
                double divisor = nu + d + 1 + (k * positive) + n;
                for (int a = 0; a < d; a++)
                {
                    for (int bb = 0; bb < d; bb++)
                    {
                        double sum = prior.MatrixScale![(a * d) + bb] + (n * w[(a * d) + bb]);
                        for (int j = 0; j < k; j++)
                            sum += c[j] * e[(j * d) + a] * e[(j * d) + bb];
                        covariances[(a * d) + bb] = sum / divisor;
                    }
                }
                return (means, null);
            }
            case CovarianceType.Full:
            {
                var b = PosteriorFull(k, d, nk, delta, second, regCovar, prior.MatrixScale!, c, e);
                for (int j = 0; j < k; j++)
                {
                    double divisor = nu + nk[j] + d + 2;
                    for (int i = 0; i < d * d; i++)
                        covariances[(j * d * d) + i] = b[(j * d * d) + i] / divisor;
                }
                return (means, null);
            }
            case CovarianceType.EllipsoidalVariableOrientation:
            {
                var s = new ConstrainedCovariance.Scatter(k, d, PosteriorFull(k, d, nk, delta, second, regCovar, prior.MatrixScale!, c, e), nk.ToArray(), n);
                var (values, vectors) = ConstrainedCovariance.Eigen(s);
                var shape = new double[d];
                for (int j = 0; j < k; j++)
                    for (int a = 0; a < d; a++)
                        shape[a] += values[(j * d) + a];
                double lambda = ConstrainedCovariance.Normalise(shape) / (nu + d + 1 + positive + n);
                return (means, Compose(structure, new CovarianceDecomposition(k, d, ConstrainedCovariance.Same(lambda, k), ConstrainedCovariance.Repeat(shape, k), vectors), covariances));
            }
            case CovarianceType.EllipsoidalEqualShape:
            {
                var s = new ConstrainedCovariance.Scatter(k, d, PosteriorFull(k, d, nk, delta, second, regCovar, prior.MatrixScale!, c, e), nk.ToArray(), n);
                if (previous is null || previous.ComponentCount != k || previous.FeatureCount != d)
                {
                    // mevevp's start: the pooled eigenvalues normalised, λ_j = their geometric mean / n_j.
                    var (values, _) = ConstrainedCovariance.Eigen(s);
                    var shape = new double[d];
                    for (int j = 0; j < k; j++)
                        for (int a = 0; a < d; a++)
                            shape[a] += values[(j * d) + a];
                    double g = ConstrainedCovariance.Normalise(shape);
                    var start = new double[k];
                    for (int j = 0; j < k; j++)
                        start[j] = g / nk[j];
                    previous = new CovarianceDecomposition(k, d, start, ConstrainedCovariance.Repeat(shape, k), null);
                }
                var constrained = (ConstrainedCovariance)structure;
                return (means, Compose(structure, constrained.FitScatter(s, previous, inner), covariances));
            }
            default:
                throw new ArgumentException(ConjugatePrior.NotAvailableMessage(structure.Type), nameof(structure));
        }
    }

    private static CovarianceDecomposition Compose(CovarianceStructure structure, CovarianceDecomposition decomposition, Span<double> covariances)
    {
        ((ConstrainedCovariance)structure).Compose(decomposition, covariances);
        return decomposition;
    }

    /// <summary>The diagonals of W_j = n_j·(S_j/n_j − δ_jδ_jᵀ + reg·I), k×d.</summary>
    private static double[] DiagonalScatter(int k, int d, ReadOnlySpan<double> nk, ReadOnlySpan<double> delta, ReadOnlySpan<double> second, double regCovar)
    {
        var w = new double[k * d];
        DiagonalCovariance.Variances(k, d, nk, delta, second, regCovar, w);
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                w[(j * d) + a] *= nk[j];
        return w;
    }

    /// <summary>The diagonals of B_j = scale + W_j + c_j·e_j², k×d.</summary>
    private static double[] PosteriorDiagonal(int k, int d, ReadOnlySpan<double> nk, ReadOnlySpan<double> delta, ReadOnlySpan<double> second, double regCovar,
        double scale, double[] c, double[] e)
    {
        var w = DiagonalScatter(k, d, nk, delta, second, regCovar);
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
                w[(j * d) + a] = scale + w[(j * d) + a] + (c[j] * e[(j * d) + a] * e[(j * d) + a]);
        return w;
    }

    /// <summary>B_j = Λ + W_j + c_j·e_j·e_jᵀ (k×d×d) with Λ the prior's d×d scale.</summary>
    private static double[] PosteriorFull(int k, int d, ReadOnlySpan<double> nk, ReadOnlySpan<double> delta, ReadOnlySpan<double> second, double regCovar,
        double[] scale, double[] c, double[] e)
    {
        var b = new double[k * d * d];
        FullCovariance.Instance.EstimateCovariances(k, d, nk, delta, second, regCovar, b);
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                for (int bb = 0; bb < d; bb++)
                {
                    int at = (j * d * d) + (a * d) + bb;
                    b[at] = scale[(a * d) + bb] + (nk[j] * b[at]) + (c[j] * e[(j * d) + a] * e[(j * d) + bb]);
                }
            }
        }
        return b;
    }

    /// <summary>
    /// VEI under the prior (<c>meveip</c>): alternates λ_j = Σ_a B_ja / A_a / (d·n_j + <paramref name="extra"/>) and
    /// A = Σ_j B_j / λ_j normalised, from λ = 1, A = I at the start of a fit and from the last M-step's after, while
    /// the largest relative change exceeds the inner tolerance (and at most one more than the inner limit, as mclust).
    /// </summary>
    private static CovarianceDecomposition VariableVolumeDiagonal(int k, int d, double[] b, ReadOnlySpan<double> nk, double extra,
        CovarianceDecomposition? previous, InnerIterations inner)
    {
        if (previous is not null && (previous.ComponentCount != k || previous.FeatureCount != d))
            previous = null;
        var scale = previous is null ? ConstrainedCovariance.Same(1, k) : (double[])previous.Scale.Clone();
        var shape = previous is null ? ConstrainedCovariance.Same(1, d) : previous.ShapeOf(0).ToArray();
        var oldScale = new double[k];
        var oldShape = new double[d];
        int iterations = 0;
        double change;
        if (inner.MaxIterations > 0)
        {
            do
            {
                iterations++;
                scale.CopyTo(oldScale, 0);
                for (int j = 0; j < k; j++)
                {
                    double sum = 0;
                    for (int a = 0; a < d; a++)
                        sum += b[(j * d) + a] / shape[a];
                    scale[j] = sum / ((d * nk[j]) + extra);
                }
                ConstrainedCovariance.RequirePositive(0, scale, "volume");
                shape.CopyTo(oldShape, 0);
                for (int a = 0; a < d; a++)
                {
                    double sum = 0;
                    for (int j = 0; j < k; j++)
                        sum += b[(j * d) + a] / scale[j];
                    shape[a] = sum;
                }
                ConstrainedCovariance.RequirePositive(0, shape, "shape value");
                ConstrainedCovariance.Normalise(shape);
                change = 0;
                for (int j = 0; j < k; j++)
                    change = Math.Max(change, ConstrainedCovariance.Change(oldScale[j], scale[j]));
                for (int a = 0; a < d; a++)
                    change = Math.Max(change, ConstrainedCovariance.Change(oldShape[a], shape[a]));
            }
            while (change > inner.Tolerance && iterations <= inner.MaxIterations);
        }
        return new CovarianceDecomposition(k, d, scale, ConstrainedCovariance.Repeat(shape, k), null);
    }
}
