namespace Emix;

/// <summary>
/// The structure of the components' covariance matrices, as scikit-learn's <c>covariance_type</c>.
/// mclust's codes are given for reference: they are used in summaries and the CLI.
/// </summary>
public enum CovarianceType
{
    /// <summary>Each component has its own general covariance matrix (mclust VVV).</summary>
    Full,

    /// <summary>All components share one general covariance matrix (mclust EEE).</summary>
    Tied,

    /// <summary>Each component has its own diagonal covariance matrix (mclust VVI).</summary>
    Diagonal,

    /// <summary>Each component has its own single variance (mclust VII).</summary>
    Spherical,
}

/// <summary>How the first parameters of each EM run are chosen, as scikit-learn's <c>init_params</c>.</summary>
public enum InitMethod
{
    /// <summary>Responsibilities from a k-means clustering (k-means++ seeding, then Lloyd iterations).</summary>
    KMeans,

    /// <summary>Responsibilities that put each component on one point chosen by k-means++ seeding.</summary>
    KMeansPlusPlus,

    /// <summary>Uniform random responsibilities, normalised per row.</summary>
    Random,

    /// <summary>Responsibilities that put each component on one distinct random point.</summary>
    RandomFromData,

    /// <summary>
    /// mclust's start (<c>Mclust</c>'s default): hard labels from model-based agglomerative hierarchical
    /// clustering (<see cref="HierarchicalClustering"/>, settings in <see cref="MixtureOptions.Hierarchical"/>)
    /// cut at k clusters, or quantile classes with one feature; EM starts with the M-step from those labels.
    /// </summary>
    Hierarchical,
}

/// <summary>Names shared by the CLI, the model file and summaries.</summary>
public static class MixtureNames
{
    /// <summary>scikit-learn's name of a covariance type: full, tied, diag, spherical.</summary>
    public static string ToScikitName(this CovarianceType type) => type switch
    {
        CovarianceType.Full => "full",
        CovarianceType.Tied => "tied",
        CovarianceType.Diagonal => "diag",
        CovarianceType.Spherical => "spherical",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>mclust's code of a covariance type: VVV (full), EEE (tied), VVI (diag), VII (spherical).</summary>
    public static string ToMclustCode(this CovarianceType type) => Families.Gaussian.CovarianceStructure.For(type).MclustCode;

    /// <summary>Every covariance type, in mclust's table order (spherical VII, diag VVI, tied EEE, full VVV).</summary>
    public static IReadOnlyList<CovarianceType> CovarianceTypes { get; } =
        Families.Gaussian.CovarianceStructure.All.Select(s => s.Type).ToArray();

    /// <summary>The names <see cref="TryParseCovarianceType"/> accepts for the CLI to list: scikit-learn's, then mclust's codes.</summary>
    public static IReadOnlyList<string> CovarianceTypeNames { get; } =
        [.. CovarianceTypes.Reverse().Select(t => t.ToScikitName()), .. CovarianceTypes.Reverse().Select(t => t.ToMclustCode())];

    /// <summary>Parses full|tied|diag|diagonal|spherical or an mclust code (VVV, EEE, VVI, VII).</summary>
    public static bool TryParseCovarianceType(string? text, out CovarianceType type)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "FULL" or "VVV": type = CovarianceType.Full; return true;
            case "TIED" or "EEE": type = CovarianceType.Tied; return true;
            case "DIAG" or "DIAGONAL" or "VVI": type = CovarianceType.Diagonal; return true;
            case "SPHERICAL" or "VII": type = CovarianceType.Spherical; return true;
            default: type = default; return false;
        }
    }

    /// <summary>scikit-learn's name of an init method: kmeans, k-means++, random, random_from_data; hc for mclust's hierarchical start.</summary>
    public static string ToScikitName(this InitMethod method) => method switch
    {
        InitMethod.KMeans => "kmeans",
        InitMethod.KMeansPlusPlus => "k-means++",
        InitMethod.Random => "random",
        InitMethod.RandomFromData => "random_from_data",
        InitMethod.Hierarchical => "hc",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>Parses kmeans|k-means++|random|random_from_data|hc.</summary>
    public static bool TryParseInitMethod(string? text, out InitMethod method)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "kmeans" or "k-means": method = InitMethod.KMeans; return true;
            case "k-means++" or "kmeans++": method = InitMethod.KMeansPlusPlus; return true;
            case "random": method = InitMethod.Random; return true;
            case "random_from_data" or "random-from-data": method = InitMethod.RandomFromData; return true;
            case "hc" or "hierarchical": method = InitMethod.Hierarchical; return true;
            default: method = default; return false;
        }
    }
}
