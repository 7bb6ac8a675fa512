using System.Globalization;
using System.Text.Json;

namespace Emix.Serialization;

/// <summary>
/// Reads initial parameters for the cells of a model selection from JSON:
/// <c>{"cells": [{"k": 2, "covariance": "full", "init": {"weights": …, "means": …, "precisions": …}}, …]}</c>.
/// Each cell's parameters are those of <see cref="InitialParametersFile"/> (scikit-learn's shapes, any
/// subset), under <c>"init"</c> or directly in the cell object; <c>"covariance"</c> is a scikit-learn name
/// or an mclust code. Other keys are ignored, so the fixtures of tests/fixtures/sklearn/selection are valid
/// files. Cells the file does not list start from the init method.
/// </summary>
public static class SelectionInitialParametersFile
{
    /// <summary>Reads the file and checks every cell's shapes against its k and <paramref name="featureCount"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, not JSON, or a cell is malformed.</exception>
    public static IReadOnlyDictionary<(int ComponentCount, CovarianceType CovarianceType), InitialParameters> Read(string path, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(path);
        ModelFormatException Error(string message) => new($"{path}: {message}");
        // The cells nest one level deeper than a model file.
        var document = InitialParametersFile.ParseFile(path, ModelFile.JsonOptions with { MaxDepth = ModelFile.JsonOptions.MaxDepth + 4 }, Error);
        using (document)
        {
            try
            {
                return FromJson(document.RootElement, featureCount, Error);
            }
            catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
            {
                throw Error(ModelFile.InvalidUtf8);
            }
        }
    }

    private static Dictionary<(int, CovarianceType), InitialParameters> FromJson(JsonElement root, int featureCount, Func<string, ModelFormatException> error)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("cells", out var cells) || cells.ValueKind != JsonValueKind.Array)
            throw error("expected a JSON object with a \"cells\" array of {\"k\", \"covariance\", \"init\": {weights, means, precisions or covariances}}.");
        var result = new Dictionary<(int, CovarianceType), InitialParameters>();
        int index = 0;
        foreach (var cell in cells.EnumerateArray())
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"cells[{index}]");
            if (cell.ValueKind != JsonValueKind.Object)
                throw error($"{at}: expected an object, found {JsonArrays.Describe(cell)}.");
            if (!cell.TryGetProperty("k", out var kElement) || !kElement.TryGetInt32(out int k) || k < 1)
                throw error($"{at}: \"k\" must be a whole number of components, at least 1.");
            if (!cell.TryGetProperty("covariance", out var typeElement) || typeElement.ValueKind != JsonValueKind.String
                || !MixtureNames.TryParseCovarianceType(typeElement.GetString(), out var type))
            {
                throw error($"{at}: \"covariance\" must be full, tied, diag or spherical (or VVV, EEE, VVI, VII).");
            }
            var parameters = cell.TryGetProperty("init", out var init) ? init : cell;
            var cellLabel = string.Create(CultureInfo.InvariantCulture, $"{at} (k={k}, {type.ToScikitName()})");
            if (!result.TryAdd((k, type), InitialParametersFile.FromJson(parameters, type, k, featureCount, m => error($"{cellLabel}: {m}"))))
                throw error($"{cellLabel}: a second entry for the same cell.");
            index++;
        }
        return result;
    }
}
