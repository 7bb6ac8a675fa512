namespace Emix;

/// <summary>
/// The structure of the components' covariance matrices: scikit-learn's four <c>covariance_type</c>s
/// and the other ten of the fourteen structures of Celeux and Govaert (1995) as mclust names them.
/// Each covariance is Σ_j = λ_j·D_j·A_j·D_jᵀ, volume λ_j, shape A_j (diagonal, det 1) and
/// orientation D_j (orthogonal); mclust's code names each of the three equal (E) or variable (V)
/// across components, I for the identity (see docs/covariance-structures.md).
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

    /// <summary>Spherical, equal volume: one variance shared by all components (mclust EII).</summary>
    SphericalEqual,

    /// <summary>Diagonal, equal volume and shape: one diagonal covariance shared by all components (mclust EEI).</summary>
    DiagonalEqual,

    /// <summary>Diagonal, variable volume, equal shape (mclust VEI; its M-step iterates).</summary>
    DiagonalVariableVolume,

    /// <summary>Diagonal, equal volume, variable shape (mclust EVI).</summary>
    DiagonalVariableShape,

    /// <summary>Ellipsoidal, variable volume, equal shape and orientation (mclust VEE; its M-step iterates).</summary>
    EllipsoidalVariableVolume,

    /// <summary>Ellipsoidal, equal volume and orientation, variable shape (mclust EVE; its M-step iterates).</summary>
    EllipsoidalVariableShape,

    /// <summary>Ellipsoidal, variable volume and shape, equal orientation (mclust VVE; its M-step iterates).</summary>
    EllipsoidalEqualOrientation,

    /// <summary>Ellipsoidal, equal volume and shape, variable orientation (mclust EEV).</summary>
    EllipsoidalVariableOrientation,

    /// <summary>Ellipsoidal, variable volume and orientation, equal shape (mclust VEV; its M-step iterates).</summary>
    EllipsoidalEqualShape,

    /// <summary>Ellipsoidal, equal volume, variable shape and orientation (mclust EVV).</summary>
    EllipsoidalEqualVolume,
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
    /// <summary>
    /// scikit-learn's name of a covariance type (full, tied, diag, spherical), or mclust's code for the
    /// structures scikit-learn does not have (EII, EEI, …): the name the CLI and the model file use.
    /// </summary>
    public static string ToScikitName(this CovarianceType type) => type switch
    {
        CovarianceType.Full => "full",
        CovarianceType.Tied => "tied",
        CovarianceType.Diagonal => "diag",
        CovarianceType.Spherical => "spherical",
        _ when Enum.IsDefined(type) => type.ToMclustCode(),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Whether the type is one of scikit-learn's four (full, tied, diag, spherical).</summary>
    public static bool IsScikitType(this CovarianceType type) =>
        type is CovarianceType.Full or CovarianceType.Tied or CovarianceType.Diagonal or CovarianceType.Spherical;

    /// <summary>mclust's code of a covariance type: VVV (full), EEE (tied), VVI (diag), VII (spherical), EII, EEI, ….</summary>
    public static string ToMclustCode(this CovarianceType type) => Families.Gaussian.CovarianceStructure.For(type).MclustCode;

    /// <summary>Every covariance type, in mclust's table order (spherical VII, diag VVI, tied EEE, full VVV).</summary>
    public static IReadOnlyList<CovarianceType> CovarianceTypes { get; } =
        Families.Gaussian.CovarianceStructure.All.Select(s => s.Type).ToArray();

    /// <summary>All fourteen structures in mclust's table order: EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV.</summary>
    public static IReadOnlyList<CovarianceType> AllCovarianceTypes { get; } =
        Families.Gaussian.CovarianceStructure.AllFourteen.Select(s => s.Type).ToArray();

    /// <summary>
    /// The names <see cref="TryParseCovarianceType"/> accepts for the CLI to list: scikit-learn's, then
    /// mclust's fourteen codes, then E and V (mclust's names of tied and full for one feature).
    /// </summary>
    public static IReadOnlyList<string> CovarianceTypeNames { get; } =
        [.. CovarianceTypes.Reverse().Select(t => t.ToScikitName()), .. AllCovarianceTypes.Select(t => t.ToMclustCode()), "E", "V"];

    /// <summary>
    /// Parses full|tied|diag|diagonal|spherical, an mclust code (EII, VII, EEI, VEI, EVI, VVI, EEE, VEE,
    /// EVE, VVE, EEV, VEV, EVV, VVV) or E|V (tied, full), case-insensitively.
    /// </summary>
    public static bool TryParseCovarianceType(string? text, out CovarianceType type)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "FULL" or "VVV" or "V": type = CovarianceType.Full; return true;
            case "TIED" or "EEE" or "E": type = CovarianceType.Tied; return true;
            case "DIAG" or "DIAGONAL" or "VVI": type = CovarianceType.Diagonal; return true;
            case "SPHERICAL" or "VII": type = CovarianceType.Spherical; return true;
            case { } code:
                foreach (var candidate in AllCovarianceTypes)
                {
                    if (candidate.ToMclustCode() == code)
                    {
                        type = candidate;
                        return true;
                    }
                }
                break;
        }
        type = default;
        return false;
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
