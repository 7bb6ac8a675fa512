namespace Emix.Initialization.Hierarchical;

/// <summary>
/// mclust's model-based agglomerative clustering (Fraley 1998, "Algorithms for model-based Gaussian
/// hierarchical clustering", SIAM J. Sci. Comput. 20:270–281) from every row in its own cluster: at each
/// step the pair of clusters whose merge changes the classification likelihood least is merged.
/// </summary>
/// <remarks>
/// <para>
/// Equal partitions with mclust need the same merge order, ties included, so the bookkeeping follows
/// mclust's (src/mclust.f, hcvvv/hcvii/hceii): clusters sit in slots 0..g−1; the cost of merging
/// slots i &lt; j is stored in column j, row i of a packed triangle; the chosen pair is the last
/// minimum in column-major order (mclust scans with <c>&lt;=</c>); the merged cluster takes the lower
/// slot i and the last slot moves into slot j. Only the costs of pairs with the merged cluster change.
/// </para>
/// <para>
/// Instead of rescanning the whole triangle at every step (O(n³) in all, as mclust does), each
/// column keeps its minimum and the last row that has it; the last minimum overall is then the
/// last column whose minimum is the smallest, found in O(g) per step. A column is rescanned only
/// when the row that held its minimum changed to a larger value.
/// </para>
/// <para>
/// Cluster statistics: size nₖ, √nₖ·meanₖ (so that merging adds the vectors scaled by √(nᵢ/nᵢⱼ), √(nⱼ/nᵢⱼ)),
/// the within-cluster scatter's trace, and its log-likelihood term. EII (Ward) updates costs by the
/// Lance–Williams formula, as hceii; VII recomputes them from traces, as hcvii.
/// </para>
/// <para>
/// VVV follows hcvvv's triangular factors (<see cref="GivensFactor"/>) rather than the clusters' true
/// scatter matrices, because hcvvv's criterion is not quite the textbook one: it keeps the whole factor
/// only of the cluster merged last; for every other cluster it stores min(n−1, p) rows that are all copies
/// of the factor's first row (row k read back from entry k on); when it adds a cluster's rows to a factor
/// it places them by a count that skips rows, and the between-cluster row is written over whatever factor
/// row its count names. With the true scatter, merges differ from mclust's on raw data (use = VARS) where
/// determinants dominate; with hcvvv's operations every fixture merge agrees.
/// </para>
/// </remarks>
internal sealed class AgglomerativeMerger
{
    private readonly HierarchicalModel _model;
    private readonly int _p;
    private readonly double _alpha;
    private readonly double _logAlpha;

    // Per slot.
    private readonly int[] _size;
    private readonly int[] _name;          // smallest row index of the cluster in the slot
    private readonly double[] _scaledMean; // slot-major, p per slot: √n·mean
    private readonly double[] _trace;
    private readonly double[] _term;
    private readonly double[]? _firstRow;  // VVV: p per slot, the first row of the cluster's factor, all hcvvv keeps of it
    private readonly double[] _fresh;      // VVV: the whole factor of the cluster merged last, which hcvvv still holds
    private int _freshSlot = -1;
    private bool _factorReady;             // VVV: the merge in hand has its factor built already (RebuildFactor)

    // Packed costs: pair (i, j), i < j, at j(j−1)/2 + i.
    private readonly double[] _cost;
    private readonly double[] _columnMin;
    private readonly int[] _columnArgMin;

    // EII: the costs with the two merging slots, before the merge moves them.
    private readonly double[] _costWithI;
    private readonly double[] _costWithJ;

    // Scratch of the merge in hand (the parallel cost updates have their own).
    private readonly Scratch _main;
    private readonly int? _threads;

    /// <summary>What one pair's cost needs: the between-cluster row and the factor.</summary>
    private sealed class Scratch(int p)
    {
        public readonly double[] V = new double[p];
        public readonly double[] U = new double[p * p];
    }

    private AgglomerativeMerger(ReadOnlySpan<double> rows, int n, int p, HierarchicalModel model, double alpha, int? threads)
    {
        _model = model;
        _p = p;
        _alpha = alpha;
        _logAlpha = Math.Log(alpha);
        _size = new int[n];
        _name = new int[n];
        _scaledMean = rows[..(n * p)].ToArray();
        _trace = new double[n];
        _term = new double[n];
        if (model == HierarchicalModel.VVV)
            _firstRow = new double[(long)n * p];
        for (int i = 0; i < n; i++)
        {
            _size[i] = 1;
            _name[i] = i;
            _term[i] = SingletonTerm;
        }
        _cost = new double[Math.Max(1, (long)n * (n - 1) / 2)];
        _columnMin = new double[n];
        _columnArgMin = new int[n];
        _main = new Scratch(p);
        _threads = threads;
        _fresh = new double[p * p];
        _costWithI = model == HierarchicalModel.EII ? new double[n] : [];
        _costWithJ = model == HierarchicalModel.EII ? new double[n] : [];
    }

    /// <summary>The log-likelihood term of a single row: log α (VVV with β = 1 and VII), 0 (EII, whose cost is the scatter's increase).</summary>
    private double SingletonTerm => _model == HierarchicalModel.EII ? 0.0 : _logAlpha;

    /// <summary>
    /// The n − 1 merges, each as the smallest row index of the two clusters (first &lt; second), for
    /// <paramref name="rows"/> (n×p, row-major). <paramref name="alpha"/> is mclust's α (VVV, VII).
    /// </summary>
    public static (int First, int Second)[] Merge(ReadOnlySpan<double> rows, int n, int p, HierarchicalModel model, double alpha, int? threads, CancellationToken cancellationToken)
    {
        var merges = new (int, int)[Math.Max(0, n - 1)];
        if (n < 2)
            return merges;
        var merger = new AgglomerativeMerger(rows, n, p, model, alpha, threads);
        merger.Run(n, merges, cancellationToken);
        return merges;
    }

    private static long Index(int i, int j) => ((long)j * (j - 1) / 2) + i;

    private void Run(int n, (int, int)[] merges, CancellationToken cancellationToken)
    {
        for (int j = 1; j < n; j++)
        {
            double min = double.MaxValue;
            int arg = 0;
            long at = Index(0, j);
            for (int i = 0; i < j; i++)
            {
                double c = PairCost(i, j, null, _main);
                _cost[at + i] = c;
                if (c <= min)
                {
                    min = c;
                    arg = i;
                }
            }
            _columnMin[j] = min;
            _columnArgMin[j] = arg;
        }
        int g = n;
        for (int step = 0; step < n - 1; step++)
        {
            if ((step & 63) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            // The last minimum in column-major order.
            int bestJ = 1;
            double best = _columnMin[1];
            for (int j = 2; j < g; j++)
            {
                if (_columnMin[j] <= best)
                {
                    best = _columnMin[j];
                    bestJ = j;
                }
            }
            int bestI = _columnArgMin[bestJ];
            int a = _name[bestI], b = _name[bestJ];
            merges[step] = a < b ? (a, b) : (b, a);
            if (g == 2)
                break;
            MergeSlots(bestI, bestJ, g);
            g--;
        }
    }

    /// <summary>Merges slot j into slot i (i &lt; j), moves the last slot into j, and updates the costs and column minima.</summary>
    private void MergeSlots(int i, int j, int g)
    {
        int last = g - 1;
        if (_model == HierarchicalModel.EII)
            SaveWardColumns(i, j, g);
        int ni = _size[i], nj = _size[j];
        double mergeCost = _cost[Index(i, j)];
        bool involvesFresh = i == _freshSlot || j == _freshSlot;
        double termsBefore = _term[i] + _term[j];
        // As hcvvv: a merge found among the costs of the last step's merged cluster keeps that
        // computation's term and factor; any other keeps the term its stored cost was computed with,
        // and its factor is rebuilt from the two clusters' stored rows.
        bool rebuild = _firstRow is not null && _freshSlot >= 0 && !involvesFresh;
        if (rebuild)
            RebuildFactor(i, j);
        _factorReady = rebuild;
        // The merged cluster's statistics (PairCost with a target writes them into slot i).
        PairCost(i, j, i, _main);
        _factorReady = false;
        if (_firstRow is not null)
        {
            if (rebuild)
                _term[i] = mergeCost + termsBefore;
            _main.U.AsSpan().CopyTo(_fresh);
            // What hcvvv keeps of the factor: its first row (see the remarks).
            _fresh.AsSpan(0, _p).CopyTo(_firstRow.AsSpan(i * _p, _p));
            _freshSlot = i;
        }
        _name[i] = Math.Min(_name[i], _name[j]);
        if (j != last)
        {
            MoveSlot(last, j);
            // Column j: rows m < j take the old last column's rows m.
            long to = Index(0, j), from = Index(0, last);
            for (int m = 0; m < j; m++)
                _cost[to + m] = _cost[from + m];
            // Columns m in (j, last): row j takes the old last column's row m.
            for (int m = j + 1; m < last; m++)
                _cost[Index(j, m)] = _cost[from + m];
        }
        g--;
        // Costs of the merged slot i with every other slot: independent of one another, so computed in
        // parallel blocks when there are many; each cost is the same whichever thread computes it.
        int threads = _threads ?? Environment.ProcessorCount;
        if (threads > 1 && g >= ParallelSlots)
        {
            int blocks = Math.Min(threads * 4, g / 64);
            int slots = g;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new Scratch(_p), (b, _, scratch) =>
            {
                UpdateCosts(i, j, last, ni, nj, mergeCost, (int)((long)slots * b / blocks), (int)((long)slots * (b + 1) / blocks), scratch);
                return scratch;
            }, _ => { });
        }
        else
        {
            UpdateCosts(i, j, last, ni, nj, mergeCost, 0, g, _main);
        }
        // Column minima: columns i and j were rewritten; in a column m > i, rows i and (m > j) j changed.
        RescanColumn(i);
        if (j < g)
            RescanColumn(j);
        for (int m = i + 1; m < g; m++)
        {
            if (m == j)
                continue;
            bool rowJChanged = j != last && m > j && j < g;
            int arg = _columnArgMin[m];
            double min = _columnMin[m];
            if ((arg == i && _cost[Index(i, m)] > min) || (rowJChanged && arg == j && _cost[Index(j, m)] > min))
            {
                RescanColumn(m);
                continue;
            }
            Offer(m, i);
            if (rowJChanged)
                Offer(m, j);
        }
    }

    /// <summary>Before a Ward merge of i and j: every old slot's costs with i and with j (slot order of the step).</summary>
    private void SaveWardColumns(int i, int j, int g)
    {
        for (int m = 0; m < g; m++)
        {
            _costWithI[m] = m == i ? 0 : _cost[m < i ? Index(m, i) : Index(i, m)];
            _costWithJ[m] = m == j ? 0 : _cost[m < j ? Index(m, j) : Index(j, m)];
        }
    }

    /// <summary>
    /// Ward's cost of merging old slot m with the merged cluster, by the Lance–Williams update that mclust's
    /// hceii uses (the same operations, so that ties fall as they fall there).
    /// </summary>
    private double WardUpdate(int oldSlot, int ni, int nj, double mergeCost)
    {
        double rm = _size[oldSlot], si = ni, sj = nj, sij = ni + nj;
        double c = ((rm + si) * _costWithI[oldSlot]) + ((rm + sj) * _costWithJ[oldSlot]);
        return (c - (rm * mergeCost)) / (rm + sij);
    }

    /// <summary>Slots from which the cost updates of a step run in parallel.</summary>
    private const int ParallelSlots = 512;

    /// <summary>The costs of the merged slot i with slots [from, to) (other than i).</summary>
    private void UpdateCosts(int i, int j, int last, int ni, int nj, double mergeCost, int from, int to, Scratch scratch)
    {
        for (int m = from; m < to; m++)
        {
            if (m == i)
                continue;
            double c = _model == HierarchicalModel.EII
                ? WardUpdate(m == j ? last : m, ni, nj, mergeCost)
                : m < i ? PairCost(m, i, null, scratch) : PairCost(i, m, null, scratch);
            _cost[m < i ? Index(m, i) : Index(i, m)] = c;
        }
    }

    private void Offer(int column, int row)
    {
        double c = _cost[Index(row, column)];
        if (c < _columnMin[column] || (c == _columnMin[column] && row > _columnArgMin[column]))
        {
            _columnMin[column] = c;
            _columnArgMin[column] = row;
        }
    }

    private void RescanColumn(int j)
    {
        if (j == 0)
            return;
        double min = double.MaxValue;
        int arg = 0;
        long at = Index(0, j);
        for (int i = 0; i < j; i++)
        {
            double c = _cost[at + i];
            if (c <= min)
            {
                min = c;
                arg = i;
            }
        }
        _columnMin[j] = min;
        _columnArgMin[j] = arg;
    }

    private void MoveSlot(int from, int to)
    {
        int p = _p;
        _size[to] = _size[from];
        _name[to] = _name[from];
        _trace[to] = _trace[from];
        _term[to] = _term[from];
        Array.Copy(_scaledMean, (long)from * p, _scaledMean, (long)to * p, p);
        if (_firstRow is not null)
            Array.Copy(_firstRow, (long)from * p, _firstRow, (long)to * p, p);
    }

    /// <summary>
    /// The change of the criterion when slots i and j merge; with <paramref name="target"/> the merged
    /// statistics are also written into that slot (one of i, j).
    /// </summary>
    private double PairCost(int i, int j, int? target, Scratch scratch)
    {
        int p = _p;
        int ni = _size[i], nj = _size[j], nij = ni + nj;
        double rij = nij;
        double qij = 1.0 / rij;
        double si = Math.Sqrt(ni * qij), sj = Math.Sqrt(nj * qij);
        var xi = _scaledMean.AsSpan(i * p, p);
        var xj = _scaledMean.AsSpan(j * p, p);
        var v = scratch.V.AsSpan();
        // v = √(nⱼ/nᵢⱼ)·xᵢ − √(nᵢ/nᵢⱼ)·xⱼ = √(nᵢnⱼ/nᵢⱼ)(meanᵢ − meanⱼ).
        // mclust's hcvvv forms the difference of two single rows first, then scales it by √½.
        bool twoRows = _model == HierarchicalModel.VVV && nij == 2;
        double vv = 0;
        for (int a = 0; a < p; a++)
        {
            v[a] = twoRows ? (xi[a] - xj[a]) * Math.Sqrt(0.5) : (sj * xi[a]) - (si * xj[a]);
            vv += v[a] * v[a];
        }
        double trace = (_trace[i] + _trace[j]) + vv;
        double term, cost;
        switch (_model)
        {
            case HierarchicalModel.EII:
                term = trace;
                cost = vv;
                break;
            case HierarchicalModel.VII:
                term = rij * Math.Log((trace + _alpha) / rij);
                cost = term - (_term[i] + _term[j]);
                break;
            default:
                term = VvvTerm(i, j, nij, trace, target is not null, scratch);
                cost = term - (_term[i] + _term[j]);
                break;
        }
        if (target is int t)
        {
            var merged = _scaledMean.AsSpan(t * p, p);
            for (int a = 0; a < p; a++)
                merged[a] = (si * xi[a]) + (sj * xj[a]);
            _size[t] = nij;
            _trace[t] = trace;
            _term[t] = term;
        }
        return cost;
    }

    /// <summary>
    /// mclust's vvvtij (β = 1) for merging slots i and j: nᵢⱼ·log(det(W/nᵢⱼ) + (tr W + α)/nᵢⱼ), or nᵢⱼ·log((tr W + α)/nᵢⱼ)
    /// while the cluster has at most p rows or the factor has a zero on its diagonal; W is the scatter
    /// whose factor hcvvv builds (left in the scratch), which is not always the pair's true scatter (see the remarks).
    /// </summary>
    private double VvvTerm(int i, int j, int nij, double trace, bool forMerge, Scratch scratch)
    {
        if (_factorReady)
            return double.NaN; // the caller keeps hcvvv's term and the factor already built
        int p = _p;
        double l = nij;
        // Up to p rows (or no spread) the term needs no factor; only a merge keeps one.
        if (!forMerge && (nij <= p || trace == 0))
            return nij <= p ? l * Math.Log((trace + _alpha) / l) : l * Math.Log(_alpha / l);
        var u = scratch.U.AsSpan();
        if (_size[i] == 1 && _size[j] == 1)
        {
            u.Clear();
            // Two single rows: the factor is the one row v.
            scratch.V.AsSpan().CopyTo(u[..p]);
            return 2 * Math.Log((trace + _alpha) / 2);
        }
        // Costs are computed with the cluster merged last, whose factor hcvvv still holds whole.
        int fresh = i == _freshSlot ? i : j;
        int other = fresh == i ? j : i;
        int nf = _size[fresh], no = _size[other];
        CopyUpperRows(_fresh, Math.Min(nf - 1, p), u);
        AddStoredRows(other, no, u, firstCount: nf, countUp: true);
        // hcvvv's own v for this pair: √(n_f/nᵢⱼ)·x_other − √(n_other/nᵢⱼ)·x_fresh (the same products as above, so the same vv).
        var v = scratch.V.AsSpan();
        double sf = Math.Sqrt(nf * (1.0 / l)), so = Math.Sqrt(no * (1.0 / l));
        var xf = _scaledMean.AsSpan(fresh * p, p);
        var xo = _scaledMean.AsSpan(other * p, p);
        for (int a = 0; a < p; a++)
            v[a] = (sf * xo[a]) - (so * xf[a]);
        GivensFactor.Add(nij, p, v, u, p, 0);
        double traceTerm = (trace + _alpha) / l;
        if (nij <= p)
            return l * Math.Log(traceTerm);
        if (trace == 0)
            return l * Math.Log(_alpha / l);
        double detLog = GivensFactor.LogDeterminant(u, p, Math.Sqrt(1.0 / l));
        double value;
        if (double.IsNegativeInfinity(detLog))
            value = Math.Log(traceTerm);
        else if (detLog <= 0)
            value = Math.Log(Math.Exp(detLog) + traceTerm);
        else
            value = Math.Log(1.0 + (Math.Exp(-detLog) * traceTerm)) + detLog;
        return l * value;
    }

    /// <summary>Rows 0..count−1 of <paramref name="source"/> from their diagonal on into <paramref name="target"/> (cleared).</summary>
    private void CopyUpperRows(ReadOnlySpan<double> source, int count, Span<double> target)
    {
        int p = _p;
        target.Clear();
        for (int k = 0; k < count; k++)
            source.Slice((k * p) + k, p - k).CopyTo(target.Slice((k * p) + k, p - k));
    }

    /// <summary>
    /// Adds the min(n−1, p) rows hcvvv stored for slot <paramref name="slot"/> — each its factor's first row,
    /// row k read from entry k on — to the factor <paramref name="u"/>, as mclrup calls on the trailing block at (k, k).
    /// hcvvv counts the rows up from <paramref name="firstCount"/> + 1 when it adds to the last merged cluster's
    /// factor, and passes <paramref name="firstCount"/> + 1 for every row when it rebuilds a factor.
    /// </summary>
    private void AddStoredRows(int slot, int size, Span<double> u, int firstCount, bool countUp)
    {
        int p = _p;
        Span<double> row = stackalloc double[p];
        var first = _firstRow.AsSpan(slot * p, p);
        int rows = Math.Min(size - 1, p);
        for (int k = 0; k < rows; k++)
        {
            first[k..].CopyTo(row);
            GivensFactor.Add(countUp ? firstCount + k + 1 : firstCount + 1, p - k, row[..(p - k)], u, p, k);
        }
    }

    /// <summary>
    /// hcvvv's factor for a merge of slots i &lt; j neither of which was merged last: j's stored rows, i's added,
    /// then the between-cluster row, into the main scratch.
    /// </summary>
    private void RebuildFactor(int i, int j)
    {
        int p = _p;
        int ni = _size[i], nj = _size[j];
        var u = _main.U.AsSpan();
        u.Clear();
        var xi = _scaledMean.AsSpan(i * p, p);
        var xj = _scaledMean.AsSpan(j * p, p);
        var firstI = _firstRow.AsSpan(i * p, p);
        var v = _main.V.AsSpan();
        int nij = ni + nj;
        double l = nij, q = 1.0 / l;
        if (ni == 1 && nj == 1)
        {
            for (int a = 0; a < p; a++)
                u[a] = (xi[a] - xj[a]) * Math.Sqrt(0.5);
            return;
        }
        if (nj == 1)
        {
            CopyStoredRows(firstI, ni, u);
            double si = Math.Sqrt(ni * q), sj = Math.Sqrt(q);
            for (int a = 0; a < p; a++)
                v[a] = (sj * xi[a]) - (si * xj[a]);
        }
        else
        {
            CopyStoredRows(_firstRow.AsSpan(j * p, p), nj, u);
            double si = Math.Sqrt(ni * q), sj = Math.Sqrt(nj * q);
            if (ni > 1)
            {
                Span<double> row = stackalloc double[p];
                int rows = Math.Min(ni - 1, p);
                for (int k = 0; k < rows; k++)
                {
                    firstI[k..].CopyTo(row);
                    GivensFactor.Add(nj + 1, p - k, row[..(p - k)], u, p, k);
                }
            }
            for (int a = 0; a < p; a++)
                v[a] = (sj * xi[a]) - (si * xj[a]);
        }
        GivensFactor.Add(nij, p, v, u, p, 0);
    }

    /// <summary>A cluster's stored rows placed as hcvvv places them when it starts a factor from them: row k from entry k on.</summary>
    private void CopyStoredRows(ReadOnlySpan<double> first, int size, Span<double> u)
    {
        int p = _p;
        int rows = Math.Min(size - 1, p);
        for (int k = 0; k < rows; k++)
            first[k..].CopyTo(u.Slice((k * p) + k, p - k));
    }
}
