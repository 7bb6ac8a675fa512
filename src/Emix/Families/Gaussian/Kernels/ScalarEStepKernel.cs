using Emix.Families.Gaussian;

namespace Emix.Families.Gaussian.Kernels;

/// <summary>The scalar reference kernel: the structure's own loops, one row and one component at a time.</summary>
internal sealed class ScalarEStepKernel : IEStepKernel
{
    public static readonly ScalarEStepKernel Instance = new();

    private sealed class Scratch(int chunkRows, int k, int d)
    {
        public readonly double[] Responsibilities = new double[chunkRows * k];
        public readonly double[] Row = new double[Math.Max(d, 1)];
        public readonly double[] LogNorm = new double[chunkRows];
        public readonly double[] Distances = new double[chunkRows * k];
    }

    public object CreateScratch(int chunkRows, GaussianParameters p) => new Scratch(chunkRows, p.ComponentCount, p.FeatureCount);

    public void Accumulate(GaussianParameters p, ReadOnlySpan<double> rows, ReadOnlySpan<double> weights, int n, GaussianStatisticsLayout layout, Span<double> stats, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount;
        var resp = s.Responsibilities.AsSpan(0, n * k);
        var logNorm = s.LogNorm.AsSpan(0, n);
        var distances = s.Distances.AsSpan(0, n * k);
        double logLikelihood = EStepKernel.LogResponsibilities(p, rows, n, resp, logNorm, s.Row, distances);
        EStepKernel.Exponentiate(resp);
        if (!weights.IsEmpty)
        {
            logLikelihood = EStepKernel.WeightRows(resp, logNorm, weights, k);
        }
        stats[GaussianStatisticsLayout.LogLikelihoodOffset] += logLikelihood;
        if (p.Tails is not { } tails)
        {
            GaussianEm.AccumulateChunk(p.Structure, layout, rows, n, resp, p.Means, stats, s.Row);
            return;
        }
        // Student-t: nk from r, then the moments weighted by r·u, u = (ν + d)/(ν + δ).
        var nk = layout.Nk(stats);
        var momentWeights = layout.MomentWeights(stats);
        var tailTerms = layout.TailTerms(stats);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
            {
                int at = (i * k) + j;
                double r = resp[at], delta = distances[at];
                double u = 2 * tails.HalfShape[j] / (tails.DegreesOfFreedom[j] + delta);
                double logU = tails.LogWeightScale[j] - Math.Log(1 + (delta * tails.InverseDegrees[j]));
                nk[j] += r;
                tailTerms[j] += r * (logU - u);
                resp[at] = r * u;
                momentWeights[j] += resp[at];
            }
        }
        p.Structure.Accumulate(rows, n, k, layout.FeatureCount, resp, p.Means, layout.FirstMoment(stats), layout.SecondMoment(stats), s.Row);
    }

    public double LogResponsibilities(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<double> logResp, Span<double> logNorm, object scratch) =>
        EStepKernel.LogResponsibilities(p, rows, n, logResp, logNorm, ((Scratch)scratch).Row);

    public double MostProbable(GaussianParameters p, ReadOnlySpan<double> rows, int n, Span<int> labels, Span<double> logNorm, object scratch)
    {
        var s = (Scratch)scratch;
        int k = p.ComponentCount;
        var logResp = s.Responsibilities.AsSpan(0, n * k);
        double total = EStepKernel.LogResponsibilities(p, rows, n, logResp, logNorm, s.Row);
        for (int i = 0; i < n; i++)
            labels[i] = Engine.Passes.MostProbable(logResp.Slice(i * k, k));
        return total;
    }
}
