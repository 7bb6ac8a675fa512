using System.Globalization;
using Emix.Engine;
using Emix.Families.Gaussian;

namespace Emix.Families.Variational;

/// <summary>
/// The priors of a fit: the given ones checked, the others scikit-learn's defaults from the data —
/// γ = 1/k, β₀ = 1, m₀ = the column means, ν₀ = d, Ψ₀ = the covariance with ddof 1 (diagonal: the
/// variances; spherical: their mean). With sample weights the means and covariances are weighted
/// (n − 1 becomes Σw − 1).
/// </summary>
internal static class VariationalPriorDefaults
{
    /// <exception cref="ArgumentException">A prior of the wrong length or out of range, naming the option and its valid range.</exception>
    public static VariationalPriors Resolve(VariationalGaussianMixtureOptions o, RowSource data)
    {
        int k = o.ComponentCount, d = data.FeatureCount;
        var structure = CovarianceStructure.For(o.CovarianceType);
        double nu = o.DegreesOfFreedom ?? d;
        if (!(nu > d - 1))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"DegreesOfFreedom = {nu}: the degrees-of-freedom prior must be greater than d − 1 = {d - 1} (d features)."));
        double[] mean, covariance;
        (mean, covariance) = o.MeanPrior is null || o.CovariancePrior is null ? Moments(data, o.MaxDegreeOfParallelism) : (Array.Empty<double>(), Array.Empty<double>());
        double[] meanPrior = o.MeanPrior?.ToArray() ?? mean;
        if (meanPrior.Length != d || !Array.TrueForAll(meanPrior, double.IsFinite))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MeanPrior: {meanPrior.Length} values for {d} features; each must be finite."));
        double[] covariancePrior;
        if (o.CovariancePrior is { } given)
        {
            covariancePrior = given.ToArray();
            int expected = o.CovarianceType switch { CovarianceType.Full or CovarianceType.Tied => d * d, CovarianceType.Diagonal => d, _ => 1 };
            if (covariancePrior.Length != expected)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"CovariancePrior: {covariancePrior.Length} values; {o.CovarianceType.ToScikitName()} takes {expected} ({(expected == d * d ? "a d × d matrix" : expected == d ? "one variance per feature" : "one variance")})."));
            CheckCovariancePrior(o.CovarianceType, covariancePrior, d);
        }
        else
        {
            covariancePrior = o.CovarianceType switch
            {
                CovarianceType.Full or CovarianceType.Tied => covariance,
                CovarianceType.Diagonal => Enumerable.Range(0, d).Select(a => covariance[(a * d) + a]).ToArray(),
                _ => [Enumerable.Range(0, d).Select(a => covariance[(a * d) + a]).Sum() / d],
            };
        }
        return new VariationalPriors(o.WeightPrior, o.WeightConcentration ?? 1.0 / k, o.MeanPrecision ?? 1.0, meanPrior, nu, covariancePrior);
    }

    private static void CheckCovariancePrior(CovarianceType type, double[] prior, int d)
    {
        if (type is CovarianceType.Full or CovarianceType.Tied)
        {
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    if (!double.IsFinite(prior[(a * d) + b]) || prior[(a * d) + b] != prior[(b * d) + a])
                        throw new ArgumentException("CovariancePrior: must be a finite symmetric positive-definite d × d matrix.");
            try
            {
                var factor = new double[d * d];
                CovarianceStructure.For(CovarianceType.Tied).PrecisionCholesky(1, d, prior, factor, new double[1]);
            }
            catch (NumericalFailureException)
            {
                throw new ArgumentException("CovariancePrior: must be a finite symmetric positive-definite d × d matrix.");
            }
            return;
        }
        if (!Array.TrueForAll(prior, v => v > 0 && double.IsFinite(v)))
            throw new ArgumentException("CovariancePrior: every variance must be finite and > 0.");
    }

    /// <summary>Column means and the covariance with ddof 1 (d × d), weighted by the rows' weights; two passes in chunk order.</summary>
    private static (double[] Mean, double[] Covariance) Moments(RowSource data, int? threads)
    {
        int d = data.FeatureCount;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var sums = new double[1 + d];
        ChunkRunner.Reduce<double[]?[]>(chunking, 1 + d, threads, static () => new double[]?[1], (c, s, buffer) =>
        {
            int start = chunking.Start(c), n = chunking.Length(c);
            var rows = data.ReadRows(start, n, ref buffer[0]);
            var weights = data.ReadWeights(start, n);
            for (int i = 0; i < n; i++)
            {
                double w = weights.IsEmpty ? 1 : weights[i];
                s[0] += w;
                for (int a = 0; a < d; a++)
                    s[1 + a] += w * rows[(i * d) + a];
            }
        }, sums, processes: data.Processes);
        var mean = new double[d];
        for (int a = 0; a < d; a++)
            mean[a] = sums[1 + a] / sums[0];
        var squares = new double[d * d];
        ChunkRunner.Reduce<double[]?[]>(chunking, d * d, threads, static () => new double[]?[1], (c, s, buffer) =>
        {
            int start = chunking.Start(c), n = chunking.Length(c);
            var rows = data.ReadRows(start, n, ref buffer[0]);
            var weights = data.ReadWeights(start, n);
            for (int i = 0; i < n; i++)
            {
                double w = weights.IsEmpty ? 1 : weights[i];
                for (int a = 0; a < d; a++)
                {
                    double ea = rows[(i * d) + a] - mean[a];
                    for (int b = a; b < d; b++)
                        s[(a * d) + b] += w * ea * (rows[(i * d) + b] - mean[b]);
                }
            }
        }, squares, processes: data.Processes);
        var covariance = new double[d * d];
        for (int a = 0; a < d; a++)
        {
            for (int b = a; b < d; b++)
            {
                double v = squares[(a * d) + b] / (sums[0] - 1);
                covariance[(a * d) + b] = v;
                covariance[(b * d) + a] = v;
            }
        }
        return (mean, covariance);
    }
}
