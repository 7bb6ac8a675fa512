using System.Text.Json;
using Emix.Serialization;

namespace Emix.Families.Gaussian;

/// <summary>
/// The Gaussian section of the model file (format "emix-gaussian-mixture", the round-1 layout
/// unchanged): covariance_type before the shape; weights, means and covariances in scikit-learn's
/// shapes after it; reg_covar among the fit options. See <see cref="ModelFile"/> for the whole layout.
/// The ten constrained structures write their code as covariance_type, k full d × d covariances, and
/// "decomposition": {"scale": k, "shape": k × d, "orientation": k × d × d (ellipsoidal only)}, with
/// inner_tolerance and max_inner_iterations among the fit options. A fit with the conjugate prior adds
/// "prior": {"kind": "conjugate", "shrinkage", "mean", "dof", "scale"} to the fit options, the hyperparameters as resolved.
/// </summary>
internal sealed class GaussianModelSection : ModelSection
{
    public static readonly GaussianModelSection Instance = new();

    public override string FormatName => ModelFile.FormatName;

    public override void WriteHeader(Utf8JsonWriter w, MixtureModel model) =>
        w.WriteString("covariance_type", ((GaussianMixtureModel)model).CovarianceType.ToScikitName());

    public override void WriteParameters(Utf8JsonWriter w, MixtureModel model)
    {
        var p = ((GaussianMixtureModel)model).Parameters;
        int k = p.ComponentCount, d = p.FeatureCount;
        w.WritePropertyName("weights");
        JsonArrays.Write(w, p.Weights, [k]);
        w.WritePropertyName("means");
        JsonArrays.Write(w, p.Means, [k, d]);
        w.WritePropertyName("covariances");
        if (p.Structure is not ConstrainedCovariance)
        {
            JsonArrays.Write(w, p.Covariances, p.Structure.Shape(k, d));
            return;
        }
        var full = new double[k * d * d];
        for (int j = 0; j < k; j++)
            p.Structure.ExpandCovariance(j, k, d, p.Covariances, full.AsSpan(j * d * d, d * d));
        JsonArrays.Write(w, full, [k, d, d]);
        var c = p.Decomposition ?? CovarianceDecomposition.Of(p.Structure, k, d, p.Covariances);
        w.WriteStartObject("decomposition");
        w.WritePropertyName("scale");
        JsonArrays.Write(w, c.Scale, [k]);
        w.WritePropertyName("shape");
        JsonArrays.Write(w, c.Shape, [k, d]);
        if (c.Orientation is { } orientation)
        {
            w.WritePropertyName("orientation");
            JsonArrays.Write(w, orientation, [k, d, d]);
        }
        w.WriteEndObject();
    }

    public override void WriteOptions(Utf8JsonWriter w, MixtureOptions options)
    {
        var o = (GaussianMixtureOptions)options;
        w.WriteNumber("reg_covar", o.RegCovar);
        if (!o.CovarianceType.IsScikitType())
        {
            w.WriteNumber("inner_tolerance", o.InnerTolerance);
            w.WriteNumber("max_inner_iterations", o.MaxInnerIterations);
        }
        if (o.Prior is { } prior)
        {
            // The hyperparameters as the fit used them (the defaults resolved from the data).
            w.WriteStartObject("prior");
            w.WriteString("kind", "conjugate");
            w.WriteNumber("shrinkage", prior.Shrinkage);
            if (prior.Mean is { } mean)
            {
                w.WritePropertyName("mean");
                JsonArrays.Write(w, [.. mean], [mean.Count]);
            }
            if (prior.DegreesOfFreedom is { } dof)
                w.WriteNumber("dof", dof);
            if (prior.Scale is { } scale)
            {
                int d = (int)Math.Round(Math.Sqrt(scale.Count));
                w.WritePropertyName("scale");
                JsonArrays.Write(w, [.. scale], scale.Count == 1 ? [1] : [d, d]);
            }
            w.WriteEndObject();
        }
    }

    /// <summary>The "prior" of the stored fit options (null when absent): mclust's conjugate prior with the hyperparameters given.</summary>
    private static ConjugatePrior? ReadPrior(JsonElement root, int d, Func<string, ModelFormatException> error)
    {
        if (!root.TryGetProperty("fit", out var fit) || fit.ValueKind != JsonValueKind.Object
            || !fit.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Object
            || !options.TryGetProperty("prior", out var e) || e.ValueKind == JsonValueKind.Null)
            return null;
        ModelFormatException Error(string message) => error("fit.options.prior." + message);
        if (e.ValueKind != JsonValueKind.Object)
            throw error($"fit.options.prior: expected an object, found {JsonArrays.Describe(e)}.");
        string kind = ModelFile.RequiredString(e, "kind", Error);
        if (kind != "conjugate")
            throw Error($"kind is \"{kind}\"; expected \"conjugate\".");
        double Number(string name)
        {
            var v = ModelFile.Required(e, name, Error);
            return v.ValueKind == JsonValueKind.Number && double.IsFinite(v.GetDouble()) ? v.GetDouble() : throw Error($"{name}: expected a finite number, found {JsonArrays.Describe(v)}.");
        }
        var prior = new ConjugatePrior { Shrinkage = Number("shrinkage") };
        if (e.TryGetProperty("mean", out _))
            prior = prior with { Mean = JsonArrays.Read(e.GetProperty("mean"), [d], "mean", Error) };
        if (e.TryGetProperty("dof", out _))
            prior = prior with { DegreesOfFreedom = Number("dof") };
        if (e.TryGetProperty("scale", out var scale))
            prior = prior with { Scale = JsonArrays.Read(scale, scale.GetArrayLength() == 1 && scale[0].ValueKind == JsonValueKind.Number ? [1] : [d, d], "scale", Error) };
        try
        {
            prior.Validate();
        }
        catch (ArgumentException x)
        {
            throw Error(x.Message);
        }
        return prior;
    }

    /// <summary>
    /// The shape, feature names, weights (k), means (k × d) and covariances (the structure's shape) of a
    /// Gaussian-shaped section (the Gaussian's and the Student-t's, whose scales sit in "covariances"),
    /// the sizes checked before anything is allocated.
    /// </summary>
    internal static (int K, int D, IReadOnlyList<string> FeatureNames, double[] Weights, double[] Means, double[] Covariances) ReadMoments(
        JsonElement root, CovarianceStructure structure, Func<string, ModelFormatException> error)
    {
        var (k, d) = ModelFile.ReadShape(root, error);
        long covarianceValues = 1;
        foreach (int extent in structure.Shape(k, d))
            covarianceValues *= extent;
        if (covarianceValues > ModelFile.MaxValues || (long)k * d > ModelFile.MaxValues)
            throw error($"n_components = {k} and n_features = {d} claim {covarianceValues} covariance values, more than this emix accepts ({ModelFile.MaxValues}).");
        var featureNames = ModelFile.ReadFeatureNames(root, d, error);
        var weights = JsonArrays.Read(ModelFile.Required(root, "weights", error), [k], "weights", error);
        var means = JsonArrays.Read(ModelFile.Required(root, "means", error), [k, d], "means", error);
        var covariances = structure is ConstrainedCovariance
            ? Compress(structure, k, d, JsonArrays.Read(ModelFile.Required(root, "covariances", error), [k, d, d], "covariances", error), "covariances", error)
            : JsonArrays.Read(ModelFile.Required(root, "covariances", error), structure.Shape(k, d), "covariances", error);
        return (k, d, featureNames, weights, means, covariances);
    }

    /// <summary>A constrained structure's k full matrices in its storage: as they are, their diagonals, or their one variance.</summary>
    internal static double[] Compress(CovarianceStructure structure, int k, int d, double[] full, string name, Func<string, ModelFormatException> error)
    {
        if (structure.Storage == CovarianceStorage.Full)
            return full;
        var stored = new double[structure.ValueCount(k, d)];
        for (int j = 0; j < k; j++)
        {
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b < d; b++)
                {
                    double v = full[(j * d * d) + (a * d) + b];
                    if (a != b && v != 0)
                        throw error($"{name}[{j}][{a}][{b}] is {v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; a {structure.MclustCode} covariance is diagonal.");
                }
                double diagonal = full[(j * d * d) + (a * d) + a];
                if (structure.Storage == CovarianceStorage.Diagonal)
                    stored[(j * d) + a] = diagonal;
                else if (a == 0)
                    stored[j] = diagonal;
                else if (diagonal != stored[j])
                    throw error($"{name}[{j}]: the diagonal is not constant; a {structure.MclustCode} covariance is a multiple of the identity.");
            }
        }
        return stored;
    }

    /// <summary>The optional "decomposition" of a constrained structure (null when absent).</summary>
    private static CovarianceDecomposition? ReadDecomposition(JsonElement root, CovarianceStructure structure, int k, int d, Func<string, ModelFormatException> error)
    {
        if (structure is not ConstrainedCovariance || !root.TryGetProperty("decomposition", out var e) || e.ValueKind == JsonValueKind.Null)
            return null;
        if (e.ValueKind != JsonValueKind.Object)
            throw error($"decomposition: expected an object, found {JsonArrays.Describe(e)}.");
        ModelFormatException Error(string message) => error("decomposition." + message);
        var scale = JsonArrays.Read(ModelFile.Required(e, "scale", Error), [k], "scale", Error);
        var shape = JsonArrays.Read(ModelFile.Required(e, "shape", Error), [k, d], "shape", Error);
        double[]? orientation = structure.Storage == CovarianceStorage.Full
            ? JsonArrays.Read(ModelFile.Required(e, "orientation", Error), [k, d, d], "orientation", Error)
            : null;
        return new CovarianceDecomposition(k, d, scale, shape, orientation);
    }

    public override MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error)
    {
        string typeName = ModelFile.RequiredString(root, "covariance_type", error);
        if (!MixtureNames.TryParseCovarianceType(typeName, out var type))
            throw error($"\"covariance_type\" is \"{typeName}\"; expected one of {string.Join(", ", MixtureNames.CovarianceTypeNames)}.");
        var structure = CovarianceStructure.For(type);
        var (k, d, featureNames, weights, means, covariances) = ReadMoments(root, structure, error);
        GaussianParameters parameters;
        try
        {
            var user = UserParameters.Check(new InitialParameters { Weights = weights, Means = means, Covariances = covariances }, structure, k, d);
            parameters = user.Apply(null, structure, k, d).WithDecomposition(ReadDecomposition(root, structure, k, d, error));
        }
        catch (Exception e) when (e is ArgumentException or NumericalFailureException)
        {
            throw error(ModelFile.WithoutPrefix(e.Message).Replace("Fitting the mixture model failed because ", "", StringComparison.Ordinal));
        }

        var stored = ModelFile.ReadFit(root, k, new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type },
            static (options, number) => (GaussianMixtureOptions)options with
            {
                RegCovar = number("reg_covar", ((GaussianMixtureOptions)options).RegCovar),
                InnerTolerance = number("inner_tolerance", ((GaussianMixtureOptions)options).InnerTolerance),
                MaxInnerIterations = (int)Math.Clamp(number("max_inner_iterations", ((GaussianMixtureOptions)options).MaxInnerIterations), 0, int.MaxValue),
            },
            error);
        if (ReadPrior(root, d, error) is { } storedPrior && stored.Report is { } report)
            stored = stored with { Report = report with { Options = (GaussianMixtureOptions)report.Options with { Prior = storedPrior } } };
        if (stored.StepwiseStatistics is { } running)
        {
            var layout = parameters.StatisticsLayout;
            if (running.Values.Length != layout.Length || running.Centres.Length != layout.CentreLength)
                throw error($"fit.stepwise: {running.Values.Length} statistics and {running.Centres.Length} centres, where this model has {layout.Length} and {layout.CentreLength}.");
        }
        return GaussianMixtureModel.FromStored(parameters, featureNames, stored.Report, stored.ClusterSizes, stored.LogLikelihood, stored.StepwiseStatistics);
    }
}
