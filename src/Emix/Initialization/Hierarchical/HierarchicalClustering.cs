using System.Globalization;
using Emix.Initialization;
using Emix.Initialization.Hierarchical;
using Emix.Internals;

namespace Emix;

/// <summary>The Gaussian model whose classification likelihood drives the merges of <see cref="HierarchicalClustering"/> (mclust's <c>hc</c> models).</summary>
public enum HierarchicalModel
{
    /// <summary>Each cluster its own general covariance (mclust's default, hcVVV, with α = traceW(X/√(np)) and β = 1).</summary>
    VVV,

    /// <summary>Each cluster its own spherical covariance (hcVII, α = traceW(X/√(np))).</summary>
    VII,

    /// <summary>One spherical covariance for all clusters: Ward's criterion (hcEII).</summary>
    EII,
}

/// <summary>The variables the merges are computed on (mclust's <c>hc(use = ...)</c>).</summary>
public enum HierarchicalTransform
{
    /// <summary>
    /// Mclust's default: the standardised data (centred, divided by the n−1 standard deviation; constant
    /// columns dropped) rotated onto their right singular vectors and divided by the square roots of
    /// the singular values, <c>scale(X) V diag(1/√s)</c>.
    /// </summary>
    Svd,

    /// <summary>The data as they are (the default of mclust's <c>hc()</c> itself).</summary>
    Vars,

    /// <summary>The standardised data (centred, divided by the n−1 standard deviation; constant columns dropped).</summary>
    Std,
}

/// <summary>
/// How <see cref="InitMethod.Hierarchical"/> starts EM, as mclust's <c>Mclust</c>: the merge model, the
/// variables, and the most rows the merges run on.
/// </summary>
public sealed record HierarchicalInitOptions
{
    /// <summary>mclust's <c>mclust.options("subset")</c>: above this many rows the merges run on a random subset.</summary>
    public const int DefaultSubsetRows = 2000;

    /// <summary>The merge model (default VVV, as Mclust). Data with no more rows than columns use EII, as Mclust does.</summary>
    public HierarchicalModel Model { get; init; } = HierarchicalModel.VVV;

    /// <summary>The variables the merges see (default SVD, as Mclust).</summary>
    public HierarchicalTransform Transform { get; init; } = HierarchicalTransform.Svd;

    /// <summary>
    /// The merges (or, with one feature, the quantile classes) use all rows when there are at most this many,
    /// otherwise this many distinct rows drawn uniformly with Emix's generator seeded by the fit's seed
    /// (mclust draws 2000 with R's <c>sample()</c>, which Emix does not reproduce). The start is then the
    /// M-step on the subset's partition, followed by EM over all rows.
    /// </summary>
    public int SubsetRows { get; init; } = DefaultSubsetRows;

    /// <summary>
    /// A clustering already computed for these data with these settings and seed (see
    /// <see cref="HierarchicalClustering.Compute(RowSource, HierarchicalInitOptions, long, int?, CancellationToken)"/>),
    /// reused instead of computing it again; a model search sets it once for all its fits. Null computes it.
    /// </summary>
    public HierarchicalClustering? Clustering { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Model))
            throw new ArgumentException($"Hierarchical.Model = {Model}: unknown model; use VVV, VII or EII.", nameof(Model));
        if (!Enum.IsDefined(Transform))
            throw new ArgumentException($"Hierarchical.Transform = {Transform}: unknown transform; use Svd, Vars or Std.", nameof(Transform));
        if (SubsetRows < 2)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Hierarchical.SubsetRows = {SubsetRows}: must be at least 2."), nameof(SubsetRows));
    }
}

/// <summary>
/// mclust's model-based agglomerative hierarchical clustering (<c>hc</c>) of the rows, computed once and
/// cut at any number of clusters (<see cref="Partition"/>, mclust's <c>hclass</c>); with one feature,
/// mclust's quantile classes (<c>qclass</c>) instead, as <c>Mclust</c> does.
/// </summary>
/// <remarks>
/// Every row starts in its own cluster (duplicated rows too, as <c>Mclust</c> calls <c>hc</c>). The merge
/// order, ties included, follows mclust's, so for the same rows the partitions equal <c>hclass</c>'s
/// (up to ties that rounding decides differently). No step depends on the thread count.
/// </remarks>
public sealed class HierarchicalClustering
{
    private readonly (int First, int Second)[] _merges;
    private readonly double[]? _values;

    private HierarchicalClustering(int rowCount, int[]? subset, HierarchicalModel model, HierarchicalTransform transform,
        (int, int)[] merges, double[]? values, double alpha)
    {
        RowCount = rowCount;
        SubsetRows = subset;
        Model = model;
        Transform = transform;
        _merges = merges;
        _values = values;
        Alpha = alpha;
    }

    /// <summary>Rows of the data the clustering was computed for (all of them, not only the subset).</summary>
    public int RowCount { get; }

    /// <summary>The rows clustered, ascending and 0-based, when a subset was drawn; null when every row was.</summary>
    public IReadOnlyList<int>? SubsetRows { get; }

    /// <summary>Number of rows clustered: the subset's size, or <see cref="RowCount"/>.</summary>
    public int ClusteredRowCount => SubsetRows?.Count ?? RowCount;

    /// <summary>The merge model (EII when there were no more rows than columns, as Mclust).</summary>
    public HierarchicalModel Model { get; }

    /// <summary>The variables the merges were computed on.</summary>
    public HierarchicalTransform Transform { get; }

    /// <summary>True for one feature: the partitions are quantile classes and there are no merges.</summary>
    public bool IsQuantile => _values is not null;

    /// <summary>mclust's α of the VVV and VII criteria, traceW(Z/√(n·p)) of the transformed rows Z (at least 2⁻⁵²); 0 otherwise.</summary>
    public double Alpha { get; }

    /// <summary>
    /// The merges in order: step s merged the clusters named by their smallest clustered-row index
    /// (0-based, into <see cref="SubsetRows"/> when there is a subset), First &lt; Second; n − 1 of them.
    /// </summary>
    public IReadOnlyList<(int First, int Second)> Merges => _merges;

    /// <summary>
    /// The partition into <paramref name="k"/> clusters of the clustered rows (subset order when there is
    /// a subset): 0-based labels numbered in order of first appearance, as mclust's
    /// <c>hclass</c> (then <c>partconv</c>); with one feature, <c>qclass</c>'s classes in increasing order of value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k below 1 or above the number of clustered rows.</exception>
    public int[] Partition(int k)
    {
        int n = ClusteredRowCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        if (_values is not null)
            return QuantileClasses.Classify(_values, k);
        // Each cluster's rows as a linked list headed by its name (smallest row), so that a merge is O(1).
        var next = new int[n];
        var tail = new int[n];
        for (int i = 0; i < n; i++)
        {
            next[i] = -1;
            tail[i] = i;
        }
        for (int s = 0; s < n - k; s++)
        {
            var (a, b) = _merges[s];
            next[tail[a]] = b;
            tail[a] = tail[b];
        }
        var isHead = new bool[n];
        Array.Fill(isHead, true);
        for (int s = 0; s < n - k; s++)
            isHead[_merges[s].Second] = false;
        var cluster = new int[n];
        for (int h = 0; h < n; h++)
        {
            if (isHead[h])
            {
                for (int r = h; r >= 0; r = next[r])
                    cluster[r] = h;
            }
        }
        // Renumber in order of first appearance (partconv(consec = TRUE)).
        var labelOf = new int[n];
        Array.Fill(labelOf, -1);
        var labels = new int[n];
        int label = 0;
        for (int i = 0; i < n; i++)
        {
            int h = cluster[i];
            if (labelOf[h] < 0)
                labelOf[h] = label++;
            labels[i] = labelOf[h];
        }
        return labels;
    }

    /// <summary>
    /// The clustering Mclust starts from, for rows n×d (row-major): the transformed rows, then the merges
    /// with the given model (EII when n ≤ d); with d = 1 the quantile classes of the single column.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 rows, a non-finite value, or no column left after the transform.</exception>
    public static HierarchicalClustering Compute(ReadOnlySpan<double> rows, int featureCount, HierarchicalModel model = HierarchicalModel.VVV,
        HierarchicalTransform transform = HierarchicalTransform.Svd, CancellationToken cancellationToken = default) =>
        Compute(rows, featureCount, rows.Length / Math.Max(1, featureCount), null, model, transform, null, cancellationToken);

    /// <summary>
    /// The clustering <see cref="InitMethod.Hierarchical"/> starts from for <paramref name="data"/>: all rows
    /// when there are at most <see cref="HierarchicalInitOptions.SubsetRows"/>, otherwise that many drawn
    /// with a generator seeded by <paramref name="seed"/> (the fit's seed). Sample weights are not used,
    /// except that rows of weight 0 are left out (they then start in no component, as rows outside a subset).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 rows, a non-finite value, or no column left after the transform.</exception>
    public static HierarchicalClustering Compute(RowSource data, HierarchicalInitOptions options, long seed, int? threads = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int d = data.FeatureCount;
        var rng = RandomSource.ForStream(seed, SubsetStream);
        double[]? buffer = null;
        if (data.IsWeighted && data.Processes is null && data.Weights.IndexOf(0.0) >= 0)
        {
            // Rows of weight 0 take no part in a fit, so none in its start: only the others are clustered.
            var weights = data.Weights;
            var positive = new List<int>();
            for (int i = 0; i < weights.Length; i++)
            {
                if (weights[i] > 0)
                    positive.Add(i);
            }
            int[] chosen = positive.Count <= options.SubsetRows
                ? [.. positive]
                : rng.ChooseDistinct(positive.Count, options.SubsetRows).Select(c => positive[c]).Order().ToArray();
            var values = new double[chosen.Length * d];
            for (int c = 0; c < chosen.Length; c++)
                data.ReadRows(chosen[c], 1, ref buffer).CopyTo(values.AsSpan(c * d, d));
            return Compute(values, d, data.RowCount, chosen, options.Model, options.Transform, threads, cancellationToken);
        }
        var (sample, subset) = RowSample.Draw(data, options.SubsetRows, rng, threads);
        var rows = sample.ReadRows(0, sample.RowCount, ref buffer).ToArray();
        return Compute(rows, d, data.RowCount, subset, options.Model, options.Transform, threads, cancellationToken);
    }

    /// <summary>The stream of the fit's seed the subset is drawn from (any fixed number, apart from the runs' streams).</summary>
    private const long SubsetStream = 0x6863; // "hc"

    private static HierarchicalClustering Compute(ReadOnlySpan<double> rows, int d, int rowCount, int[]? subset,
        HierarchicalModel model, HierarchicalTransform transform, int? threads, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        int n = rows.Length / d;
        if (n < 2)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"hierarchical clustering needs at least 2 rows; there are {n}."));
        for (int i = 0; i < n * d; i++)
        {
            if (!double.IsFinite(rows[i]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"hierarchical clustering: row {(i / d) + 1}, column {(i % d) + 1} is {rows[i]}; every value must be finite."));
        }
        if (d == 1)
            return new HierarchicalClustering(rowCount, subset, model, transform, [], rows[..n].ToArray(), 0);
        if (n <= d)
            model = HierarchicalModel.EII;
        var (z, p) = HierarchicalTransforms.Apply(rows[..(n * d)], n, d, transform);
        if (p == 0)
            throw new ArgumentException("hierarchical clustering: no column varies, so none is left after standardising.");
        double alpha = Math.Max(HierarchicalTransforms.TraceW(z, n, p) / (n * (double)p), Math.Pow(2, -52));
        var merges = AgglomerativeMerger.Merge(z, n, p, model, alpha, threads, cancellationToken);
        return new HierarchicalClustering(rowCount, subset, model, transform, merges, null, alpha);
    }
}
