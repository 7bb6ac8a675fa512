using System.Text.Json;
using Emix.Families.Gaussian;

namespace Emix.Serialization;

/// <summary>
/// Reads initial parameters from JSON: <c>{"weights": [k], "means": [[d] × k], "covariances": … or
/// "precisions": …}</c> with scikit-learn's shapes for the covariance type (full k×d×d, tied d×d,
/// diag k×d, spherical k; the constrained structures EII, EEI, … k×d×d, as their model files).
/// Any key may be absent; other keys are ignored, so a model file (which has "weights", "means"
/// and "covariances") is also a valid initial-parameter file.
/// </summary>
public static class InitialParametersFile
{
    /// <summary>Reads and checks the shapes against <paramref name="type"/>, <paramref name="componentCount"/> and <paramref name="featureCount"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, not JSON, or has the wrong shapes.</exception>
    public static InitialParameters Read(string path, CovarianceType type, int componentCount, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFormatException Error(string message) => new($"{path}: {message}");
        var document = ParseFile(path, ModelFile.JsonOptions, Error);
        using (document)
        {
            try
            {
                return FromJson(document.RootElement, type, componentCount, featureCount, Error);
            }
            catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
            {
                throw Error(ModelFile.InvalidUtf8);
            }
        }
    }

    /// <summary>
    /// Reads initial Poisson parameters: <c>{"weights": [k], "rates": [[d] × k]}</c>, both required
    /// (a Poisson model file is such a file), checked against the shapes and values.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, not JSON, or has wrong shapes or values.</exception>
    public static PoissonParameterValues ReadPoisson(string path, int componentCount, int featureCount)
    {
        var (weights, rates) = ReadWeightsAnd(path, "rates", componentCount, featureCount);
        var values = new PoissonParameterValues(weights, rates);
        Check(path, () => Families.Poisson.PoissonUserParameters.Check(values, componentCount, featureCount));
        return values;
    }

    /// <summary>Reads initial Bernoulli parameters: <c>{"weights": [k], "probabilities": [[d] × k]}</c> (a Bernoulli model file is such a file).</summary>
    /// <exception cref="ModelFormatException">The file is missing, not JSON, or has wrong shapes or values.</exception>
    public static BernoulliParameterValues ReadBernoulli(string path, int componentCount, int featureCount)
    {
        var (weights, probabilities) = ReadWeightsAnd(path, "probabilities", componentCount, featureCount);
        var values = new BernoulliParameterValues(weights, probabilities);
        Check(path, () => Families.Bernoulli.BernoulliUserParameters.Check(values, componentCount, featureCount));
        return values;
    }

    /// <summary>"weights" (k) and one k × d matrix, both required.</summary>
    private static (double[] Weights, double[] Matrix) ReadWeightsAnd(string path, string matrix, int k, int d)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFormatException Error(string message) => new($"{path}: {message}");
        using var document = ParseFile(path, ModelFile.JsonOptions, Error);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw Error($"expected a JSON object with weights and {matrix}, found {JsonArrays.Describe(root)}.");
        return (JsonArrays.Read(ModelFile.Required(root, "weights", Error), [k], "weights", Error),
            JsonArrays.Read(ModelFile.Required(root, matrix, Error), [k, d], matrix, Error));
    }

    /// <summary>Runs a family's value check, reporting a failure as a bad file.</summary>
    private static void Check(string path, Action check)
    {
        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"{path}: {e.Message}");
        }
    }

    /// <summary>
    /// Opens and parses an initial-parameters JSON file (untrusted input): missing, too large,
    /// unreadable or not JSON are named through <paramref name="error"/>.
    /// </summary>
    internal static JsonDocument ParseFile(string path, JsonDocumentOptions options, Func<string, ModelFormatException> error)
    {
        if (!File.Exists(path))
            throw error("initial-parameters file not found.");
        if (new FileInfo(path).Length > ModelFile.MaxFileBytes)
            throw error("file too large for initial parameters.");
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, options);
        }
        catch (JsonException e)
        {
            throw error($"not valid JSON ({e.Message.Split('\n')[0].TrimEnd('.')}).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error($"cannot read ({e.Message}).");
        }
    }

    internal static InitialParameters FromJson(JsonElement root, CovarianceType type, int componentCount, int featureCount, Func<string, ModelFormatException> error)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw error($"expected a JSON object with weights, means, covariances or precisions, found {JsonArrays.Describe(root)}.");
        int k = componentCount, d = featureCount;
        var structure = CovarianceStructure.For(type);
        bool constrained = structure is ConstrainedCovariance;
        var shape = constrained ? [k, d, d] : structure.Shape(k, d);
        double[]? Get(string name, int[] expected) =>
            root.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null ? JsonArrays.Read(e, expected, name, error) : null;
        double[]? Matrices(string name) => Get(name, shape) is { } values && constrained
            ? GaussianModelSection.Compress(structure, k, d, values, name, error) : Get(name, shape);
        var result = new InitialParameters
        {
            Weights = Get("weights", [k]),
            Means = Get("means", [k, d]),
            Covariances = Matrices("covariances"),
            Precisions = Matrices("precisions"),
        };
        if (result.Weights is null && result.Means is null && result.Covariances is null && result.Precisions is null)
            throw error("none of the keys weights, means, covariances, precisions is present.");
        try
        {
            // Values too (weights in [0, 1] summing to 1, symmetric positive-definite matrices), so that a bad
            // file is reported as a bad input naming the file, not later as a fit failure.
            _ = UserParameters.Check(result, structure, k, d);
        }
        catch (ArgumentException e)
        {
            throw error(ModelFile.WithoutPrefix(e.Message));
        }
        return result;
    }
}
