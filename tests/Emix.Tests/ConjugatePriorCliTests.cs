using Emix.Cli;
using Emix.Data;
using Emix.Serialization;

namespace Emix.Tests;

/// <summary><c>--prior conjugate</c> on the command line and the prior in the model file.</summary>
public sealed class ConjugatePriorCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-prior-").FullName;

    private static string Iris => Fixtures.Path_(Path.Combine("mclust", "iris.csv"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("fit", "VEE")]
    [InlineData("fit", "EVE")]
    [InlineData("fit", "VVE")]
    [InlineData("fit", "EVV")]
    [InlineData("select", "EII,EVV")]
    public void A_structure_without_a_prior_ends_with_one_line_and_exit_3_writing_nothing(string command, string covariance)
    {
        string model = Path.Combine(_folder, "m.json");
        var stderr = new StringWriter();
        string[] args = command == "fit"
            ? ["fit", Iris, "-k", "3", "--covariance", covariance, "--prior", "conjugate", "-o", model]
            : ["select", Iris, "-k", "2", "--covariance", covariance, "--prior", "conjugate", "-o", model];
        Assert.Equal(ExitCodes.BadInput, EmixApp.Run(args, new StringWriter(), stderr));
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("not available with the conjugate prior", lines[0], StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Fit_with_the_prior_matches_the_library_and_the_model_file_keeps_the_hyperparameters()
    {
        string model = Path.Combine(_folder, "m.json");
        Assert.Equal(ExitCodes.Success, EmixApp.Run(["fit", Iris, "-k", "3", "--covariance", "EEV", "--prior", "conjugate", "--quiet", "-o", model], new StringWriter(), new StringWriter()));
        var data = CsvReader.Read(Iris);
        var expected = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = CovarianceType.EllipsoidalVariableOrientation, Prior = ConjugatePrior.Default }).Fit(data);
        var loaded = (GaussianMixtureModel)ModelFile.Load(model);
        Assert.Equal(expected.LogLikelihood(data), loaded.LogLikelihood(data));
        var prior = ((GaussianMixtureOptions)loaded.Fit!.Options).Prior;
        Assert.NotNull(prior);
        Assert.Equal(0.01, prior.Shrinkage);
        Assert.Equal(6, prior.DegreesOfFreedom);
        Assert.Equal(4, prior.Mean!.Count);
        Assert.Equal(16, prior.Scale!.Count);
        // The recorded hyperparameters give the same fit again.
        var again = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 3, CovarianceType = CovarianceType.EllipsoidalVariableOrientation, Prior = prior }).Fit(data);
        Assert.Equal(expected.LogLikelihood(data), again.LogLikelihood(data));
    }

    [Fact]
    public void The_prior_is_refused_with_other_families()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Usage, EmixApp.Run(["fit", Iris, "-k", "2", "--family", "student-t", "--prior", "conjugate"], new StringWriter(), stderr));
        Assert.Contains("--prior conjugate", stderr.ToString(), StringComparison.Ordinal);
    }
}
