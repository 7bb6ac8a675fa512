namespace Emix.Selection;

/// <summary>
/// The information criterion a model selection ranks by. All three have scikit-learn's sign:
/// lower is better (mclust reports BIC and ICL negated, higher is better; see docs/criteria.md).
/// </summary>
public enum SelectionCriterion
{
    /// <summary>Bayesian information criterion: −2·log L + p·ln n.</summary>
    Bic,

    /// <summary>Akaike information criterion: −2·log L + 2p.</summary>
    Aic,

    /// <summary>
    /// Integrated completed likelihood: BIC + 2·Σᵢ −log maxⱼ p(j | xᵢ), i.e. BIC plus twice the entropy of
    /// the hard assignment (mclust's ICL with the sign turned).
    /// </summary>
    Icl,

    /// <summary>
    /// The variational lower bound negated (−lower_bound_, so that lower is better as for the others): for
    /// variational fits, where it compares fits of the same data and priors. Not a criterion for EM fits.
    /// </summary>
    Bound,
}

/// <summary>Names of the criteria for the CLI, tables and messages.</summary>
public static class SelectionCriterionNames
{
    /// <summary>The criterion's short upper-case name: BIC, AIC or ICL.</summary>
    public static string ToDisplayName(this SelectionCriterion criterion) => criterion switch
    {
        SelectionCriterion.Bic => "BIC",
        SelectionCriterion.Aic => "AIC",
        SelectionCriterion.Icl => "ICL",
        SelectionCriterion.Bound => "−bound",
        _ => throw new ArgumentOutOfRangeException(nameof(criterion), criterion, null),
    };

    /// <summary>Parses bic, aic, icl or bound (any case).</summary>
    public static bool TryParse(string? text, out SelectionCriterion criterion)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "BIC": criterion = SelectionCriterion.Bic; return true;
            case "AIC": criterion = SelectionCriterion.Aic; return true;
            case "ICL": criterion = SelectionCriterion.Icl; return true;
            case "BOUND": criterion = SelectionCriterion.Bound; return true;
            default: criterion = default; return false;
        }
    }
}
