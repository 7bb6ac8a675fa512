using Emix.Engine;
using System.Globalization;
using Emix.Families.Gaussian;

namespace Emix.Families.Gaussian;

/// <summary>
/// The frozen part of the parameters, resolved per live component with its given values, applied
/// inside the M-step (<see cref="GaussianEm.MStepValues"/>). Components can be removed (a dropped collapse).
/// </summary>
internal sealed class FrozenParts
{
    private readonly CovarianceStructure _structure;
    private readonly int _d;
    private readonly List<ParameterKinds> _kinds;
    private readonly List<double> _weights;
    private readonly List<double[]> _means;
    private readonly List<double[]> _covariances; // one block per component, or the single tied block

    private FrozenParts(CovarianceStructure structure, int d, List<ParameterKinds> kinds, List<double> weights, List<double[]> means, List<double[]> covariances)
    {
        _structure = structure;
        _d = d;
        _kinds = kinds;
        _weights = weights;
        _means = means;
        _covariances = covariances;
    }

    /// <summary>Null when nothing is frozen. Checks what the options alone cannot (tied covariances, weights that leave nothing free).</summary>
    public static FrozenParts? Create(FrozenParameters? frozen, UserParameters? given, CovarianceStructure structure, int k, int d)
    {
        if (frozen is null || given is null)
            return null;
        var kinds = Enumerable.Range(0, k).Select(frozen.For).ToList();
        if (kinds.TrueForAll(x => x == ParameterKinds.None))
            return null;
        if (structure.IsShared)
        {
            int frozenCovariances = kinds.Count(x => x.HasFlag(ParameterKinds.Covariances));
            if (frozenCovariances is > 0 && frozenCovariances < k)
                throw new ArgumentException("Frozen: a tied covariance is shared by all components; freeze it for all or none.");
        }
        int block = structure.BlockLength(d);
        var weights = new List<double>();
        var means = new List<double[]>();
        var covariances = new List<double[]>();
        int blocks = structure.CovarianceCount(k);
        for (int j = 0; j < k; j++)
        {
            weights.Add(given.Weights is { } w ? w[j] : double.NaN);
            means.Add(given.Means is { } m ? m.AsSpan(j * d, d).ToArray() : []);
        }
        for (int b = 0; b < blocks; b++)
            covariances.Add(given.Covariances is { } c ? c.AsSpan(b * block, block).ToArray() : []);
        var parts = new FrozenParts(structure, d, kinds, weights, means, covariances);
        parts.CheckWeights();
        return parts;
    }

    private bool IsFrozen(int j, ParameterKinds kind) => _kinds[j].HasFlag(kind);

    private void CheckWeights()
    {
        double frozenSum = 0;
        bool anyFree = false;
        for (int j = 0; j < _kinds.Count; j++)
        {
            if (IsFrozen(j, ParameterKinds.Weights))
                frozenSum += _weights[j];
            else
                anyFree = true;
        }
        if (anyFree && frozenSum >= 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Frozen: the frozen weights sum to {frozenSum:R}, which leaves nothing for the free components."));
    }

    /// <summary>Frozen means replace the estimates, and δ = 0 so covariances are estimated around them.</summary>
    /// <remarks>
    /// Exact because the E-step's statistics are centred on the E-step's means, which for a frozen
    /// component are the frozen mean itself: Σ r(x − μ)(x − μ)ᵀ/nk is then the second moment alone.
    /// </remarks>
    public void ApplyMeans(Span<double> means, Span<double> delta)
    {
        for (int j = 0; j < _kinds.Count; j++)
        {
            if (!IsFrozen(j, ParameterKinds.Means))
                continue;
            _means[j].CopyTo(means.Slice(j * _d, _d));
            delta.Slice(j * _d, _d).Clear();
        }
    }

    /// <summary>Frozen covariances replace the estimates.</summary>
    public void ApplyCovariances(Span<double> covariances)
    {
        int block = _structure.BlockLength(_d);
        for (int b = 0; b < _covariances.Count; b++)
            if (IsFrozen(b, ParameterKinds.Covariances))
                _covariances[b].CopyTo(covariances.Slice(b * block, block));
    }

    /// <summary>
    /// Frozen weights stay; free ones maximise Σ nk·log w under Σ w = 1: w_j = nk_j / Σ_free nk · (1 − Σ frozen).
    /// </summary>
    public void ApplyWeights(Span<double> weights, ReadOnlySpan<double> nkReg)
    {
        double frozenSum = 0, freeNk = 0;
        bool any = false;
        for (int j = 0; j < _kinds.Count; j++)
        {
            if (IsFrozen(j, ParameterKinds.Weights))
            {
                frozenSum += _weights[j];
                any = true;
            }
            else
            {
                freeNk += nkReg[j];
            }
        }
        if (!any)
            return;
        for (int j = 0; j < _kinds.Count; j++)
            weights[j] = IsFrozen(j, ParameterKinds.Weights) ? _weights[j] : nkReg[j] / freeNk * (1 - frozenSum);
    }

    /// <summary>The same constraints without component <paramref name="j"/> (after a drop).</summary>
    public FrozenParts WithoutComponent(int j)
    {
        var kinds = new List<ParameterKinds>(_kinds);
        var weights = new List<double>(_weights);
        var means = new List<double[]>(_means);
        var covariances = new List<double[]>(_covariances);
        kinds.RemoveAt(j);
        weights.RemoveAt(j);
        means.RemoveAt(j);
        if (!_structure.IsShared)
            covariances.RemoveAt(j);
        var parts = new FrozenParts(_structure, _d, kinds, weights, means, covariances);
        parts.CheckWeights();
        return parts;
    }
}
