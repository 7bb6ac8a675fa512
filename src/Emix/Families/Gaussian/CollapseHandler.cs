using Emix.Engine;

namespace Emix.Families.Gaussian;

/// <summary>
/// Turns the M-step's values into parameters and applies <see cref="CollapsePolicy"/> when a
/// component's covariance is not positive definite: reseed it or drop it, and record the event.
/// One instance per fit; <see cref="StartRun"/> resets it for each initialisation.
/// </summary>
/// <remarks>
/// <paramref name="data"/> is what the model explains (rows may have missing cells);
/// <paramref name="filledRows"/> are the same rows with missing cells filled (the initialisation's
/// view), which give a reseeded mean and the distances at initialisation.
/// </remarks>
internal sealed class CollapseHandler(CollapsePolicy policy, RowSource data, RowSource filledRows, IMixtureFamily<GaussianParameters> family, int? threads, CovarianceStructure structure, double regCovar)
{
    private readonly int _d = data.FeatureCount;
    private double[]? _variance;
    private int _reseeds;

    /// <summary>The run's events so far (a new list per run).</summary>
    public List<CollapseEvent> Events { get; private set; } = [];

    /// <summary>The run's frozen parameters, without the components dropped so far.</summary>
    public FrozenParts? Frozen { get; private set; }

    /// <summary>M-steps done in this run (0 during initialisation).</summary>
    public int Iteration { get; set; }

    public void StartRun(FrozenParts? frozen)
    {
        Events = [];
        Frozen = frozen;
        _reseeds = 0;
        Iteration = 0;
    }

    /// <summary>
    /// The parameters of these values, after reseeding or dropping any collapsed component.
    /// <paramref name="previous"/> (the E-step's parameters; null at initialisation) decides which
    /// row is worst explained. <paramref name="decomposition"/> (a constrained structure's) is kept while no
    /// component is reseeded or dropped.
    /// </summary>
    public GaussianParameters Build(double[] weights, double[] means, double[] covariances, GaussianParameters? previous,
        CovarianceDecomposition? decomposition = null)
    {
        while (true)
        {
            int k = weights.Length;
            try
            {
                return GaussianParameters.Create(structure, k, _d, weights, means, covariances, decomposition);
            }
            catch (NumericalFailureException e) when (policy != CollapsePolicy.Error && e.Component >= 0 && !structure.IsShared)
            {
                // A shared (tied) covariance belongs to every component: neither action applies, so it fails as scikit-learn.
                int j = e.Component;
                decomposition = null;
                if (policy == CollapsePolicy.Reseed && _reseeds < CollapseEvent.MaxReseeds)
                {
                    _reseeds++;
                    long row = previous is null ? FarthestRow(means, k, j) : WorstExplainedRow(previous);
                    Reseed(j, row, weights, means, covariances);
                    Events.Add(new CollapseEvent(Iteration, j, CollapsePolicy.Reseed, row));
                    continue;
                }
                if (k == 1)
                    throw;
                (weights, means, covariances) = Drop(j, k, weights, means, covariances);
                Frozen = Frozen?.WithoutComponent(j);
                Events.Add(new CollapseEvent(Iteration, j, CollapsePolicy.Drop, -1));
            }
        }
    }

    private (double[], double[], double[]) Drop(int j, int k, double[] weights, double[] means, double[] covariances)
    {
        int block = covariances.Length / k;
        var w = weights.Where((_, i) => i != j).ToArray();
        double sum = w.Sum();
        for (int i = 0; i < w.Length; i++)
            w[i] /= sum;
        var m = means.AsSpan(0, j * _d).ToArray().Concat(means.AsSpan((j + 1) * _d).ToArray()).ToArray();
        var c = covariances.AsSpan(0, j * block).ToArray().Concat(covariances.AsSpan((j + 1) * block).ToArray()).ToArray();
        return (w, m, c);
    }

    /// <summary>Mean at the row, covariance from the data's per-feature variances (+ reg_covar), weight 1/k, then weights renormalised.</summary>
    private void Reseed(int j, long row, double[] weights, double[] means, double[] covariances)
    {
        int k = weights.Length;
        double[]? buffer = null;
        filledRows.ReadRows((int)row, 1, ref buffer).CopyTo(means.AsSpan(j * _d, _d));
        _variance ??= Initialization.ColumnMoments.Compute(filledRows, threads).Variance;
        structure.ReseedCovariance(j, _d, _variance, regCovar, covariances);
        weights[j] = 1.0 / k;
        double sum = weights.Sum();
        for (int i = 0; i < k; i++)
            weights[i] /= sum;
    }

    /// <summary>The row of lowest log-density under <paramref name="p"/> (rows of weight 0 aside), the first on ties.</summary>
    private long WorstExplainedRow(GaussianParameters p)
    {
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        var lowest = new double[chunking.ChunkCount];
        var at = new long[chunking.ChunkCount];
        Passes.Evaluate(family, data, p, threads, (start, n, _, logNorm) =>
        {
            var weights = data.ReadWeights(start, n);
            double min = double.PositiveInfinity;
            long row = -1;
            for (int i = 0; i < n; i++)
            {
                if ((weights.IsEmpty || weights[i] > 0) && (row < 0 || logNorm[i] < min))
                {
                    min = logNorm[i];
                    row = start + i;
                }
            }
            lowest[start / Chunking.DefaultChunkRows] = row < 0 ? double.PositiveInfinity : min;
            at[start / Chunking.DefaultChunkRows] = row;
        });
        int best = -1;
        for (int c = 0; c < lowest.Length; c++)
            if (at[c] >= 0 && (best < 0 || lowest[c] < lowest[best]))
                best = c;
        return at[best];
    }

    /// <summary>At initialisation there is no model yet: the row farthest from its nearest other mean.</summary>
    private long FarthestRow(double[] means, int k, int collapsed)
    {
        long farthest = 0;
        double largest = -1;
        double[]? buffer = null;
        var chunking = new Chunking(data.RowCount, Chunking.DefaultChunkRows);
        for (int c = 0; c < chunking.ChunkCount; c++)
        {
            int start = chunking.Start(c), n = chunking.Length(c);
            var rows = filledRows.ReadRows(start, n, ref buffer);
            var weights = filledRows.ReadWeights(start, n);
            for (int i = 0; i < n; i++)
            {
                if (!weights.IsEmpty && weights[i] == 0)
                    continue;
                double nearest = double.PositiveInfinity;
                for (int j = 0; j < k; j++)
                    if (j != collapsed)
                        nearest = Math.Min(nearest, Initialization.KMeansPlusPlusSeeding.SquaredDistance(rows.Slice(i * _d, _d), means.AsSpan(j * _d, _d)));
                if (nearest > largest)
                {
                    largest = nearest;
                    farthest = start + i;
                }
            }
        }
        return farthest;
    }
}
