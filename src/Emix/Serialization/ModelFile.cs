using System.Globalization;
using System.Text.Json;
using Emix.Families.Gaussian;
using Emix.Data;

namespace Emix.Serialization;

/// <summary>
/// The model file: versioned JSON, every double written in its shortest round-trip form so that
/// a saved and loaded model has the same bits.
/// </summary>
/// <remarks>
/// Layout of version 1 (keys in this order; unknown keys are ignored on reading):
/// <code>
/// {
///   "format": "emix-gaussian-mixture",      // fixed
///   "version": 1,                           // newer versions are refused with a clear message
///   "covariance_type": "full",              // full | tied | diag | spherical
///   "n_components": 3, "n_features": 4,
///   "feature_names": ["a", ...],            // n_features strings
///   "weights": [...],                       // n_components, in [0, 1], sum 1 (±1e-8)
///   "means": [[...], ...],                  // n_components × n_features
///   "covariances": ...,                     // scikit-learn's shape: full k×d×d, tied d×d, diag k×d, spherical k
///   "fit": {                                // optional: absent for a model built from given parameters
///     "converged": true, "n_iter": 12, "lower_bound": -1.2, "lower_bound_history": [...],
///     "n_samples": 150, "best_run": 1, "log_likelihood": -180.1, "cluster_sizes": [50, 45, 55],
///     "weight_total": 212.5,                // only after a fit with sample weights: Σ w, the n of BIC
///     "collapses": [{"iteration": 3, "component": 1, "action": "reseed", "row": 17}],  // only when some were handled
///     "options": {"tol": 0.001, "reg_covar": 1e-06, "max_iter": 100, "n_init": 1,
///                 "init": "kmeans", "seed": 0, "chunk_rows": 1024}
///   }
/// }
/// </code>
/// Precisions and their Cholesky factors are not stored: they are recomputed from the
/// covariances on loading, by the same code as after a fit, so they too have the same bits.
/// The loader treats the file as untrusted: size, shapes (before allocating), finiteness,
/// weights and positive definiteness are checked, and the first problem is named.
/// </remarks>
public static class ModelFile
{
    /// <summary>The value of the "format" key.</summary>
    public const string FormatName = "emix-gaussian-mixture";

    /// <summary>The version this code writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Largest model file read (far above any real model: 4096 components × 64 features full is ~300 MB of text).</summary>
    public const long MaxFileBytes = 512L * 1024 * 1024;

    /// <summary>Largest number of covariance values accepted, checked before allocating.</summary>
    public const long MaxValues = 50_000_000;

    /// <summary>
    /// How model and initial-parameter files are parsed: at most 16 levels deep, and a key given twice is an
    /// error (which of two "weights" was meant cannot be known).
    /// </summary>
    internal static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public static void Save(MixtureModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream => Write(model, stream));
    }

    /// <summary>Writes the model as JSON to a stream.</summary>
    public static void Write(MixtureModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        var section = ModelSection.Of(model);
        int k = model.ComponentCount, d = model.FeatureCount;
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", section.FormatName);
        w.WriteNumber("version", CurrentVersion);
        section.WriteHeader(w, model);
        w.WriteNumber("n_components", k);
        w.WriteNumber("n_features", d);
        w.WriteStartArray("feature_names");
        foreach (var name in model.FeatureNames)
            w.WriteStringValue(name);
        w.WriteEndArray();
        section.WriteParameters(w, model);
        if (model.Fit is { } fit)
        {
            w.WriteStartObject("fit");
            w.WriteBoolean("converged", fit.Converged);
            w.WriteNumber("n_iter", fit.Iterations);
            WriteDouble(w, "lower_bound", fit.LowerBound);
            w.WriteStartArray("lower_bound_history");
            foreach (double v in fit.LowerBoundHistory)
                w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteNumber("n_samples", fit.RowCount);
            w.WriteNumber("best_run", fit.BestRun);
            if (fit.WeightTotal is { } weightTotal)
                WriteDouble(w, "weight_total", weightTotal);
            if (fit.Collapses.Count > 0)
            {
                w.WriteStartArray("collapses");
                foreach (var e in fit.Collapses)
                {
                    w.WriteStartObject();
                    w.WriteNumber("iteration", e.Iteration);
                    w.WriteNumber("component", e.Component);
                    w.WriteString("action", e.Action == CollapsePolicy.Reseed ? "reseed" : "drop");
                    w.WriteNumber("row", e.Row);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (model.TrainingLogLikelihood is { } logL)
                WriteDouble(w, "log_likelihood", logL);
            if (model.TrainingClusterSizes is { } sizes)
            {
                w.WriteStartArray("cluster_sizes");
                foreach (int s in sizes)
                    w.WriteNumberValue(s);
                w.WriteEndArray();
            }
            var o = fit.Options;
            w.WriteStartObject("options");
            w.WriteNumber("tol", o.Tolerance);
            section.WriteOptions(w, o);
            w.WriteNumber("max_iter", o.MaxIterations);
            w.WriteNumber("n_init", o.InitCount);
            w.WriteString("init", o.Init.ToScikitName());
            if (o.Init == InitMethod.Hierarchical)
            {
                // What the merge tree was built from, so that the start can be made again from the file.
                w.WriteString("hc_model", o.Hierarchical.Model.ToString());
                w.WriteString("hc_use", o.Hierarchical.Transform.ToString().ToUpperInvariant());
                w.WriteNumber("hc_subset_rows", o.Hierarchical.SubsetRows);
            }
            if (fit.StartedFromLabels)
                w.WriteBoolean("init_labels", true);
            w.WriteNumber("seed", o.Seed);
            w.WriteNumber("chunk_rows", o.ChunkRows);
            w.WriteEndObject();
            if (fit.Stepwise is { } stepwise)
            {
                w.WriteStartObject("stepwise");
                w.WriteNumber("step_power", stepwise.StepPower);
                w.WriteNumber("steps", stepwise.Steps);
                w.WriteNumber("rows_seen", stepwise.RowsSeen);
                if (model.StepwiseStatistics is { } statistics)
                {
                    w.WriteStartArray("statistics");
                    foreach (double v in statistics.Values)
                        w.WriteNumberValue(v);
                    w.WriteEndArray();
                    w.WriteStartArray("centres");
                    foreach (double v in statistics.Centres)
                        w.WriteNumberValue(v);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    // A lower bound is -inf when max_iter is 0 (as scikit-learn); JSON has no infinity, so write null.
    internal static void WriteDouble(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    /// <summary>Reads and validates a Gaussian mixture's model file.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed, inconsistent, from a newer version or of another family.</exception>
    public static GaussianMixtureModel Load(string path) => Gaussian(LoadAny(path), path);

    /// <summary>Reads and validates a model file of any family.</summary>
    /// <exception cref="ModelFormatException">The file is missing, malformed, inconsistent or from a newer version.</exception>
    public static MixtureModel LoadAny(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
                throw new ModelFormatException($"{path}: model file not found.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelFormatException($"{path}: cannot open the model file ({e.Message}).", e);
        }
        if (info.Length > MaxFileBytes)
            throw new ModelFormatException($"{path}: {info.Length} bytes is larger than any model file this version writes ({MaxFileBytes} bytes at most).");
        try
        {
            using var stream = File.OpenRead(path);
            return ReadAny(stream, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the model file ({e.Message}).", e);
        }
    }

    /// <summary>Reads and validates a Gaussian mixture from a stream; <paramref name="source"/> names it in messages.</summary>
    public static GaussianMixtureModel Read(Stream stream, string source) => Gaussian(ReadAny(stream, source), source);

    private static GaussianMixtureModel Gaussian(MixtureModel model, string source) => model as GaussianMixtureModel
        ?? throw new ModelFormatException($"{source}: a {model.Family} mixture model, where a Gaussian one is needed.");

    /// <summary>Reads and validates a model of any family from a stream; <paramref name="source"/> names it in messages.</summary>
    public static MixtureModel ReadAny(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: not valid JSON ({e.Message.Split('\n')[0].TrimEnd('.')}). Is this an emix model file?", e);
        }
        using (document)
        {
            try
            {
                return FromJson(document.RootElement, source);
            }
            catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
            {
                // The parser checks structure, not the bytes inside strings: they fail when a string is read.
                throw new ModelFormatException($"{source}: {InvalidUtf8}", e);
            }
        }
    }

    /// <summary>The problem of a JSON string holding bytes that are not UTF-8 (found by fuzzing).</summary>
    internal const string InvalidUtf8 = "not valid JSON (a string holds bytes that are not UTF-8 text).";

    private static MixtureModel FromJson(JsonElement root, string source)
    {
        ModelFormatException Error(string message) => new($"{source}: {message}");
        if (root.ValueKind != JsonValueKind.Object)
            throw Error($"expected a JSON object, found {JsonArrays.Describe(root)}.");
        string format = RequiredString(root, "format", Error);
        var section = ModelSection.ForFormat(format)
            ?? throw Error($"\"format\" is \"{format}\", not \"{FormatName}\": not an emix model file.");
        int version = RequiredInt(root, "version", 1, int.MaxValue, Error);
        if (version > CurrentVersion)
            throw Error($"model file version {version} is newer than this emix reads (version {CurrentVersion}); upgrade emix.");
        return section.Read(root, Error);
    }

    /// <summary>n_components, n_features and feature_names, checked (the first two before anything is allocated from them).</summary>
    internal static (int K, int D) ReadShape(JsonElement root, Func<string, ModelFormatException> error) =>
        (RequiredInt(root, "n_components", 1, 1_000_000, error), RequiredInt(root, "n_features", 1, 1_000_000, error));

    /// <summary>feature_names: d strings.</summary>
    internal static List<string> ReadFeatureNames(JsonElement root, int d, Func<string, ModelFormatException> error)
    {
        var names = Required(root, "feature_names", error);
        if (names.ValueKind != JsonValueKind.Array || names.GetArrayLength() != d)
            throw error($"feature_names: expected an array of {d} strings, found {JsonArrays.Describe(names)}.");
        var featureNames = new List<string>(d);
        foreach (var name in names.EnumerateArray())
        {
            if (name.ValueKind != JsonValueKind.String)
                throw error($"feature_names[{featureNames.Count}]: expected a string, found {JsonArrays.Describe(name)}.");
            featureNames.Add(name.GetString()!);
        }
        return featureNames;
    }

    /// <summary>What the "fit" object holds, when there is one.</summary>
    internal sealed record StoredFit(FitReport? Report, int[]? ClusterSizes, double? LogLikelihood)
    {
        /// <summary>A stepwise fit's running statistics and centres (checked against the family's layout by its section).</summary>
        public (double[] Values, double[] Centres)? StepwiseStatistics { get; init; }
    }

    /// <summary>
    /// Reads the optional "fit" object of a model of <paramref name="k"/> components; its options start from
    /// <paramref name="defaults"/> (the family's options with k) and <paramref name="familyOptions"/> reads the family's own.
    /// </summary>
    internal static StoredFit ReadFit(JsonElement root, int k, MixtureOptions defaults,
        Func<MixtureOptions, Func<string, double, double>, MixtureOptions> familyOptions, Func<string, ModelFormatException> Error)
    {
        FitReport? fit = null;
        int[]? sizes = null;
        double? logLikelihood = null;
        (double[], double[])? stepwiseStatistics = null;
        if (root.TryGetProperty("fit", out var f) && f.ValueKind != JsonValueKind.Null)
        {
            if (f.ValueKind != JsonValueKind.Object)
                throw Error($"fit: expected an object, found {JsonArrays.Describe(f)}.");
            ModelFormatException FitError(string message) =>
                Error((message.StartsWith("missing key", StringComparison.Ordinal) ? "fit: " : "fit.") + message);
            bool converged = Required(f, "converged", FitError).ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw FitError("converged: expected true or false."),
            };
            int iterations = RequiredInt(f, "n_iter", 0, int.MaxValue, FitError);
            var lb = Required(f, "lower_bound", FitError);
            double lowerBound = lb.ValueKind == JsonValueKind.Null ? double.NegativeInfinity
                : lb.ValueKind == JsonValueKind.Number && lb.TryGetDouble(out double v) && double.IsFinite(v) ? v
                : throw FitError($"lower_bound: expected a finite number or null, found {JsonArrays.Describe(lb)}.");
            var historyElement = Required(f, "lower_bound_history", FitError);
            if (historyElement.ValueKind != JsonValueKind.Array || historyElement.GetArrayLength() != iterations)
                throw FitError($"lower_bound_history: expected an array of n_iter = {iterations} numbers, found {JsonArrays.Describe(historyElement)}.");
            var history = JsonArrays.Read(historyElement, [iterations], "lower_bound_history", FitError);
            int n = RequiredInt(f, "n_samples", 1, int.MaxValue, FitError);
            int bestRun = RequiredInt(f, "best_run", 1, int.MaxValue, FitError);
            if (f.TryGetProperty("log_likelihood", out var ll) && ll.ValueKind != JsonValueKind.Null)
                logLikelihood = ll.ValueKind == JsonValueKind.Number && ll.TryGetDouble(out double l) && double.IsFinite(l) ? l
                    : throw FitError($"log_likelihood: expected a finite number, found {JsonArrays.Describe(ll)}.");
            if (f.TryGetProperty("cluster_sizes", out var cs) && cs.ValueKind != JsonValueKind.Null)
            {
                var raw = JsonArrays.Read(cs, [k], "cluster_sizes", FitError);
                sizes = new int[k];
                for (int j = 0; j < k; j++)
                {
                    if (raw[j] < 0 || raw[j] > n || raw[j] != Math.Floor(raw[j]))
                        throw FitError($"cluster_sizes[{j}]: {raw[j].ToString(CultureInfo.InvariantCulture)} is not a count between 0 and n_samples = {n}.");
                    sizes[j] = (int)raw[j];
                }
            }
            double? weightTotal = null;
            if (f.TryGetProperty("weight_total", out var wt) && wt.ValueKind != JsonValueKind.Null)
                weightTotal = wt.ValueKind == JsonValueKind.Number && wt.TryGetDouble(out double t) && double.IsFinite(t) && t > 0 ? t
                    : throw FitError($"weight_total: expected a positive finite number, found {JsonArrays.Describe(wt)}.");
            var collapses = new List<CollapseEvent>();
            if (f.TryGetProperty("collapses", out var cl) && cl.ValueKind != JsonValueKind.Null)
            {
                if (cl.ValueKind != JsonValueKind.Array)
                    throw FitError($"collapses: expected an array, found {JsonArrays.Describe(cl)}.");
                int index = 0;
                foreach (var e in cl.EnumerateArray())
                {
                    string at = $"collapses[{index++}]";
                    if (e.ValueKind != JsonValueKind.Object)
                        throw FitError($"{at}: expected an object, found {JsonArrays.Describe(e)}.");
                    ModelFormatException EventError(string message) => FitError(at + (message.StartsWith("missing key", StringComparison.Ordinal) ? ": " : ".") + message);
                    int iteration = RequiredInt(e, "iteration", 0, int.MaxValue, EventError);
                    int component = RequiredInt(e, "component", 0, int.MaxValue, EventError);
                    var action = Required(e, "action", EventError).GetString() switch
                    {
                        "reseed" => CollapsePolicy.Reseed,
                        "drop" => CollapsePolicy.Drop,
                        _ => throw EventError("action: expected \"reseed\" or \"drop\"."),
                    };
                    var rowElement = Required(e, "row", EventError);
                    long row = rowElement.ValueKind == JsonValueKind.Number && rowElement.TryGetInt64(out long r) && r >= -1 ? r
                        : throw EventError($"row: expected an integer >= -1, found {JsonArrays.Describe(rowElement)}.");
                    collapses.Add(new CollapseEvent(iteration, component, action, row));
                }
            }
            var options = ReadOptions(f, defaults, familyOptions, FitError);
            bool fromLabels = f.TryGetProperty("options", out var stored) && stored.ValueKind == JsonValueKind.Object
                && stored.TryGetProperty("init_labels", out var given) && given.ValueKind == JsonValueKind.True;
            StepwiseReport? stepwise = null;
            if (f.TryGetProperty("stepwise", out var sw) && sw.ValueKind != JsonValueKind.Null)
            {
                if (sw.ValueKind != JsonValueKind.Object)
                    throw FitError($"stepwise: expected an object, found {JsonArrays.Describe(sw)}.");
                ModelFormatException StepwiseError(string message) => FitError("stepwise" + (message.StartsWith("missing key", StringComparison.Ordinal) ? ": " : ".") + message);
                var power = Required(sw, "step_power", StepwiseError);
                double stepPower = power.ValueKind == JsonValueKind.Number && power.TryGetDouble(out double a) && (a == 0 || (a > 0.5 && a <= 1)) ? a
                    : throw StepwiseError($"step_power: expected 0 or a number in (0.5, 1], found {JsonArrays.Describe(power)}.");
                long Count(string name) => Required(sw, name, StepwiseError) is var e && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long c) && c >= 0 ? c
                    : throw StepwiseError($"{name}: expected a non-negative integer.");
                stepwise = new StepwiseReport(stepPower, Count("steps"), Count("rows_seen"));
                if (sw.TryGetProperty("statistics", out var st) && st.ValueKind != JsonValueKind.Null)
                {
                    var centres = Required(sw, "centres", StepwiseError);
                    if (st.ValueKind != JsonValueKind.Array || st.GetArrayLength() > MaxValues || centres.ValueKind != JsonValueKind.Array || centres.GetArrayLength() > MaxValues)
                        throw StepwiseError("statistics and centres: expected arrays of numbers.");
                    stepwiseStatistics = (JsonArrays.Read(st, [st.GetArrayLength()], "stepwise.statistics", FitError),
                        JsonArrays.Read(centres, [centres.GetArrayLength()], "stepwise.centres", FitError));
                }
            }
            fit = new FitReport(converged, iterations, lowerBound, history, n, bestRun, options)
            {
                WeightTotal = weightTotal, Collapses = collapses, StartedFromLabels = fromLabels, Stepwise = stepwise,
            };
        }
        return new StoredFit(fit, sizes, logLikelihood) { StepwiseStatistics = stepwiseStatistics };
    }

    private static MixtureOptions ReadOptions(JsonElement fit, MixtureOptions defaults, Func<MixtureOptions, Func<string, double, double>, MixtureOptions> familyOptions,
        Func<string, ModelFormatException> error)
    {
        var options = defaults;
        if (!fit.TryGetProperty("options", out var o) || o.ValueKind == JsonValueKind.Null)
            return options;
        if (o.ValueKind != JsonValueKind.Object)
            throw error($"options: expected an object, found {JsonArrays.Describe(o)}.");
        double Number(string name, double fallback) => o.TryGetProperty(name, out var e)
            ? (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v) ? v : throw error($"options.{name}: expected a finite number, found {JsonArrays.Describe(e)}."))
            : fallback;
        // Integers are read as integers: a seed beyond 2^53 would lose its low bits through a double, and
        // long.MaxValue would not even convert back (found by the property tests).
        long Integer(string name, long fallback, bool isInt32) => o.TryGetProperty(name, out var e)
            ? (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && (!isInt32 || v == (int)v) ? v
                : throw error($"options.{name}: expected {(isInt32 ? "a 32-bit integer" : "an integer")}, found {JsonArrays.Describe(e)}."))
            : fallback;
        TEnum HierarchicalName<TEnum>(string name, TEnum fallback)
            where TEnum : struct, Enum => o.TryGetProperty(name, out var e)
            ? (e.ValueKind == JsonValueKind.String && Enum.TryParse(e.GetString(), ignoreCase: true, out TEnum v) && Enum.IsDefined(v) ? v
                : throw error($"options.{name}: expected one of {string.Join(", ", Enum.GetNames<TEnum>())}, found {JsonArrays.Describe(e)}."))
            : fallback;
        string init = o.TryGetProperty("init", out var ie) && ie.ValueKind == JsonValueKind.String ? ie.GetString()! : "kmeans";
        if (!MixtureNames.TryParseInitMethod(init, out var method))
            throw error($"options.init: unknown init method \"{init}\".");
        try
        {
            options = options with
            {
                Tolerance = Number("tol", options.Tolerance),
                MaxIterations = (int)Integer("max_iter", options.MaxIterations, isInt32: true),
                InitCount = (int)Integer("n_init", options.InitCount, isInt32: true),
                Init = method,
                Seed = Integer("seed", options.Seed, isInt32: false),
                ChunkRows = (int)Integer("chunk_rows", options.ChunkRows, isInt32: true),
            };
            if (method == InitMethod.Hierarchical)
            {
                options = options with
                {
                    Hierarchical = options.Hierarchical with
                    {
                        Model = HierarchicalName<HierarchicalModel>("hc_model", options.Hierarchical.Model),
                        Transform = HierarchicalName<HierarchicalTransform>("hc_use", options.Hierarchical.Transform),
                        SubsetRows = (int)Integer("hc_subset_rows", options.Hierarchical.SubsetRows, isInt32: true),
                    },
                };
            }
            options = familyOptions(options, Number);
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw error($"options: {e.Message.Split('\n')[0]}");
        }
        return options;
    }

    /// <summary>A <see cref="UserParameters"/> message as it reads about a file: "weight 1 is …", not "InitialParameters: initial weight 1 is …".</summary>
    internal static string WithoutPrefix(string message)
    {
        const string Prefix = "InitialParameters: ", Initial = "initial ";
        if (message.StartsWith(Prefix, StringComparison.Ordinal))
            message = message[Prefix.Length..];
        if (message.StartsWith(Initial, StringComparison.Ordinal))
            message = message[Initial.Length..];
        return message;
    }

    internal static JsonElement Required(JsonElement obj, string name, Func<string, ModelFormatException> error) =>
        obj.TryGetProperty(name, out var value) ? value : throw error($"missing key \"{name}\".");

    internal static string RequiredString(JsonElement obj, string name, Func<string, ModelFormatException> error)
    {
        var e = Required(obj, name, error);
        return e.ValueKind == JsonValueKind.String ? e.GetString()! : throw error($"\"{name}\": expected a string, found {JsonArrays.Describe(e)}.");
    }

    internal static int RequiredInt(JsonElement obj, string name, int min, int max, Func<string, ModelFormatException> error)
    {
        var e = Required(obj, name, error);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v))
            throw error($"\"{name}\": expected an integer, found {JsonArrays.Describe(e)}.");
        if (v < min || v > max)
            throw error($"\"{name}\" is {v}; expected {min} to {max}.");
        return (int)v;
    }
}
