namespace Emix.Plots;

/// <summary>
/// The leading principal components of the standardised features, and the data and a Gaussian mixture
/// carried onto them. The map x ↦ A (x − m), with A = Wᵀ D⁻¹ (W the leading eigenvectors of the
/// correlation matrix, D the features' standard deviations, m their means), is linear, so each
/// component N(μ, Σ) becomes exactly N(A (μ − m), A Σ Aᵀ) in the projected space.
/// </summary>
internal sealed class PrincipalComponents
{
    private readonly double[] _center;
    private readonly double[,] _map; // count × d: A

    private PrincipalComponents(double[] center, double[,] map, double[] explained)
    {
        _center = center;
        _map = map;
        ExplainedShare = explained;
    }

    /// <summary>The share of the total (standardised) variance each kept component explains, largest first.</summary>
    public IReadOnlyList<double> ExplainedShare { get; }

    /// <summary>The number of components kept.</summary>
    public int Count => ExplainedShare.Count;

    /// <summary>The names of the kept components: PC1, PC2, …</summary>
    public string[] Names => Enumerable.Range(1, Count).Select(i => $"PC{i}").ToArray();

    /// <summary>The first <paramref name="count"/> principal components of the rows of <paramref name="data"/> (missing cells left out of the moments).</summary>
    public static PrincipalComponents Of(DataSet data, int count)
    {
        int n = data.RowCount, d = data.FeatureCount;
        count = Math.Min(count, d);
        var mean = new double[d];
        var observed = new int[d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                if (!double.IsNaN(data[i, a]))
                {
                    mean[a] += data[i, a];
                    observed[a]++;
                }
        for (int a = 0; a < d; a++)
            mean[a] = observed[a] > 0 ? mean[a] / observed[a] : 0;

        // Covariance of the pairs observed together; a constant feature keeps scale 1 (its correlations are 0).
        var covariance = new double[d, d];
        var pairs = new int[d, d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
            {
                double u = data[i, a] - mean[a];
                if (double.IsNaN(u))
                    continue;
                for (int b = a; b < d; b++)
                {
                    double v = data[i, b] - mean[b];
                    if (double.IsNaN(v))
                        continue;
                    covariance[a, b] += u * v;
                    pairs[a, b]++;
                }
            }
        var sd = new double[d];
        for (int a = 0; a < d; a++)
        {
            double variance = pairs[a, a] > 1 ? covariance[a, a] / (pairs[a, a] - 1) : 0;
            sd[a] = variance > 0 ? Math.Sqrt(variance) : 1;
        }
        var correlation = new double[d, d];
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++)
            {
                double c = pairs[a, b] > 1 ? covariance[a, b] / (pairs[a, b] - 1) / (sd[a] * sd[b]) : (a == b ? 1 : 0);
                correlation[a, b] = c;
                correlation[b, a] = c;
            }

        var (values, vectors) = SymmetricEigen(correlation);
        var order = Enumerable.Range(0, d).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        double total = values.Sum(v => Math.Max(v, 0));
        var map = new double[count, d];
        var explained = new double[count];
        for (int p = 0; p < count; p++)
        {
            int e = order[p];
            // A fixed sign (the largest loading positive): the same data give the same picture.
            int largest = 0;
            for (int a = 1; a < d; a++)
                if (Math.Abs(vectors[a, e]) > Math.Abs(vectors[largest, e]))
                    largest = a;
            double sign = vectors[largest, e] < 0 ? -1 : 1;
            for (int a = 0; a < d; a++)
                map[p, a] = sign * vectors[a, e] / sd[a];
            explained[p] = total > 0 ? Math.Max(values[e], 0) / total : 0;
        }
        return new PrincipalComponents(mean, map, explained);
    }

    /// <summary>The rows on the kept components (a missing cell counts as the feature's mean).</summary>
    public DataSet Project(DataSet data)
    {
        int n = data.RowCount, d = data.FeatureCount;
        var values = new double[n * Count];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < Count; p++)
            {
                double s = 0;
                for (int a = 0; a < d; a++)
                {
                    double x = data[i, a];
                    if (!double.IsNaN(x))
                        s += _map[p, a] * (x - _center[a]);
                }
                values[(i * Count) + p] = s;
            }
        return DataSet.Wrap(values, Count, Names, data.Source);
    }

    /// <summary>The mixture on the kept components: the same weights, means A (μ − m) and full covariances A Σ Aᵀ.</summary>
    public GaussianMixtureModel Project(GaussianMixtureModel model)
    {
        int k = model.ComponentCount, d = model.FeatureCount, c = Count;
        var means = model.Means;
        var projectedMeans = new double[k, c];
        var covariances = new double[k * c * c];
        for (int j = 0; j < k; j++)
        {
            var sigma = model.GetCovarianceMatrix(j);
            for (int p = 0; p < c; p++)
            {
                double s = 0;
                for (int a = 0; a < d; a++)
                    s += _map[p, a] * (means[j, a] - _center[a]);
                projectedMeans[j, p] = s;
            }
            // A Σ Aᵀ, symmetric by construction: computed once per pair and mirrored.
            var aSigma = new double[c, d];
            for (int p = 0; p < c; p++)
                for (int b = 0; b < d; b++)
                {
                    double s = 0;
                    for (int a = 0; a < d; a++)
                        s += _map[p, a] * sigma[a, b];
                    aSigma[p, b] = s;
                }
            for (int p = 0; p < c; p++)
                for (int q = p; q < c; q++)
                {
                    double s = 0;
                    for (int b = 0; b < d; b++)
                        s += aSigma[p, b] * _map[q, b];
                    covariances[(j * c * c) + (p * c) + q] = s;
                    covariances[(j * c * c) + (q * c) + p] = s;
                }
        }
        return GaussianMixtureModel.Create(CovarianceType.Full, model.Weights, projectedMeans, covariances, Names);
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations (d is small here).</summary>
    internal static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[d, d];
        for (int i = 0; i < d; i++)
            v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diagonal = 0;
            for (int p = 0; p < d; p++)
            {
                diagonal += a[p, p] * a[p, p];
                for (int q = p + 1; q < d; q++)
                    off += a[p, q] * a[p, q];
            }
            if (off <= 1e-30 * Math.Max(diagonal, 1e-300))
                break;
            for (int p = 0; p < d - 1; p++)
                for (int q = p + 1; q < d; q++)
                {
                    if (a[p, q] == 0)
                        continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    double cos = 1 / Math.Sqrt((t * t) + 1), sin = t * cos;
                    for (int r = 0; r < d; r++)
                    {
                        double arp = a[r, p], arq = a[r, q];
                        a[r, p] = (cos * arp) - (sin * arq);
                        a[r, q] = (sin * arp) + (cos * arq);
                    }
                    for (int r = 0; r < d; r++)
                    {
                        double apr = a[p, r], aqr = a[q, r];
                        a[p, r] = (cos * apr) - (sin * aqr);
                        a[q, r] = (sin * apr) + (cos * aqr);
                    }
                    for (int r = 0; r < d; r++)
                    {
                        double vrp = v[r, p], vrq = v[r, q];
                        v[r, p] = (cos * vrp) - (sin * vrq);
                        v[r, q] = (sin * vrp) + (cos * vrq);
                    }
                }
        }
        var values = new double[d];
        for (int i = 0; i < d; i++)
            values[i] = a[i, i];
        return (values, v);
    }
}
