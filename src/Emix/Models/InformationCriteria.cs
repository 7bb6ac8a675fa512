namespace Emix;

/// <summary>
/// BIC, AIC and ICL from a log-likelihood, a free-parameter count and a sample size: the one place
/// the formulas are written. scikit-learn's and flexmix's sign: lower is better (mclust reports
/// BIC and ICL with the opposite sign, where higher is better).
/// </summary>
public static class InformationCriteria
{
    /// <summary>−2·log L + p·ln n. With sample weights, log L = Σ w·log p and n = Σ w.</summary>
    public static double Bic(double logLikelihood, long parameterCount, double sampleSize) =>
        (-2 * logLikelihood) + (parameterCount * Math.Log(sampleSize));

    /// <summary>−2·log L + 2p.</summary>
    public static double Aic(double logLikelihood, long parameterCount) =>
        (-2 * logLikelihood) + (2.0 * parameterCount);

    /// <summary>
    /// BIC + 2·E, with E = Σᵢ −wᵢ·log maxⱼ p(j | xᵢ) the classification entropy of the hard
    /// assignment (Biernacki, Celeux and Govaert 2000, in the form mclust's <c>icl</c> uses).
    /// </summary>
    public static double Icl(double logLikelihood, long parameterCount, double sampleSize, double classificationEntropy) =>
        Bic(logLikelihood, parameterCount, sampleSize) + (2 * classificationEntropy);
}
