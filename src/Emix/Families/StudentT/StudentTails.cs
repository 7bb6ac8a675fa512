using Emix.Internals;

namespace Emix.Families.StudentT;

/// <summary>
/// What turns a Gaussian component's Mahalanobis distance δ into a Student-t one's log-density and
/// weight: per component ν, (ν + d)/2, 1/ν, log((ν + d)/ν) and the constant
/// log w + log|U| + log Γ((ν + d)/2) − log Γ(ν/2) − (d/2)·log(νπ) (U the precision Cholesky factor), so
/// log w·t(x) = constant − ((ν + d)/2)·log(1 + δ/ν) and u = (ν + d)/(ν + δ). Never mutated.
/// </summary>
internal sealed class StudentTails
{
    public StudentTails(double[] degreesOfFreedom, bool isFixed, int d, ReadOnlySpan<double> logWeights, ReadOnlySpan<double> logDetPrecisionCholesky)
    {
        Fixed = isFixed;
        int k = degreesOfFreedom.Length;
        DegreesOfFreedom = degreesOfFreedom;
        HalfShape = new double[k];
        InverseDegrees = new double[k];
        LogWeightScale = new double[k];
        Constants = new double[k];
        for (int j = 0; j < k; j++)
        {
            double nu = degreesOfFreedom[j];
            HalfShape[j] = (nu + d) / 2;
            InverseDegrees[j] = 1 / nu;
            LogWeightScale[j] = Math.Log((nu + d) / nu);
            Constants[j] = logWeights[j] + logDetPrecisionCholesky[j] + SpecialFunctions.LogGamma((nu + d) / 2)
                - SpecialFunctions.LogGamma(nu / 2) - (0.5 * d * Math.Log(nu * Math.PI));
        }
    }

    /// <summary>Whether ν was fixed by the user (then it is not a free parameter).</summary>
    public bool Fixed { get; }

    /// <summary>ν per component.</summary>
    public double[] DegreesOfFreedom { get; }

    /// <summary>(ν + d)/2: the power of the density's kernel, and the numerator of u over 2.</summary>
    public double[] HalfShape { get; }

    /// <summary>1/ν.</summary>
    public double[] InverseDegrees { get; }

    /// <summary>log((ν + d)/ν): log u = this − log(1 + δ/ν).</summary>
    public double[] LogWeightScale { get; }

    /// <summary>log w plus the density's normalising constant.</summary>
    public double[] Constants { get; }
}
