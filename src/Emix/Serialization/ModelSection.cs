using System.Text.Json;

namespace Emix.Serialization;

/// <summary>
/// A family's part of the model file: its format name, the keys it writes before and after the
/// shared ones, its options in the fit report, and how it reads itself back (untrusted input:
/// shapes checked before allocating). <see cref="ModelFile"/> writes everything families share.
/// </summary>
internal abstract class ModelSection
{
    /// <summary>The value of the "format" key.</summary>
    public abstract string FormatName { get; }

    /// <summary>Keys written between "version" and "n_components" (the Gaussian's covariance_type).</summary>
    public abstract void WriteHeader(Utf8JsonWriter w, MixtureModel model);

    /// <summary>The parameters, after feature_names.</summary>
    public abstract void WriteParameters(Utf8JsonWriter w, MixtureModel model);

    /// <summary>The family's own fit options, written after "tol".</summary>
    public abstract void WriteOptions(Utf8JsonWriter w, MixtureOptions options);

    /// <summary>Reads a model whose format and version are checked.</summary>
    public abstract MixtureModel Read(JsonElement root, Func<string, ModelFormatException> error);

    private static readonly ModelSection[] Sections =
        [Families.Gaussian.GaussianModelSection.Instance, Families.Poisson.PoissonModelSection.Instance, Families.Bernoulli.BernoulliModelSection.Instance,
            Families.Categorical.CategoricalModelSection.Instance, Families.StudentT.StudentTModelSection.Instance, Families.Mixed.MixedModelSection.Instance, Families.Variational.VariationalModelSection.Instance];

    /// <summary>The section that reads files of <paramref name="format"/>; null for none.</summary>
    public static ModelSection? ForFormat(string format) => Array.Find(Sections, s => s.FormatName == format);

    /// <summary>The section that writes <paramref name="model"/>.</summary>
    public static ModelSection Of(MixtureModel model) => model switch
    {
        GaussianMixtureModel => Families.Gaussian.GaussianModelSection.Instance,
        PoissonMixtureModel => Families.Poisson.PoissonModelSection.Instance,
        BernoulliMixtureModel => Families.Bernoulli.BernoulliModelSection.Instance,
        CategoricalMixtureModel => Families.Categorical.CategoricalModelSection.Instance,
        StudentTMixtureModel => Families.StudentT.StudentTModelSection.Instance,
        MixedMixtureModel => Families.Mixed.MixedModelSection.Instance,
        VariationalGaussianMixtureModel => Families.Variational.VariationalModelSection.Instance,
        _ => throw new ArgumentException($"No model file section for {model.GetType().Name}.", nameof(model)),
    };
}
