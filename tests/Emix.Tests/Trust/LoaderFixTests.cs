using System.Text;
using Emix.Data;
using Emix.Serialization;

namespace Emix.Tests.Trust;

/// <summary>The library side of the reader and loader fixes that the corpus checks through the CLI.</summary>
public class LoaderFixTests
{
    [Fact]
    public void A_semicolon_separated_csv_is_read_with_semicolons()
    {
        var data = CsvReader.Read(new StringReader("a;b\n1.5;2\n-3;4e1\n"), "european.csv");
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1.5, 2, -3, 40], data.Values.ToArray());
        // A comma anywhere in the first line keeps the comma.
        Assert.Equal(1, CsvReader.Read(new StringReader("a;b,c\n1,2\n3,4\n"), "mixed.csv").FeatureCount - 1);
    }

    [Fact]
    public void The_line_limit_is_not_reached_by_wide_real_rows()
    {
        // 100 000 columns of "-1.2345678901234567" (about 2 million characters) are far below the limit.
        string row = string.Join(',', Enumerable.Repeat("-1.2345678901234567", 100_000));
        var data = CsvReader.Read(new StringReader(row + "\n" + row + "\n"), "wide.csv");
        Assert.Equal(100_000, data.FeatureCount);
        Assert.True(row.Length < CsvReader.MaxLineLength / 8);
    }

    [Fact]
    public void Invalid_utf8_in_a_model_string_is_a_model_format_error()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"format\": \"emix"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\", \"version\": 1}")];
        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Read(new MemoryStream(bytes), "bad.json"));
        Assert.Equal("bad.json: not valid JSON (a string holds bytes that are not UTF-8 text).", e.Message);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData((1L << 53) + 1)]
    [InlineData(long.MinValue)]
    public void Any_seed_survives_a_save_and_load_with_the_same_bits(long seed)
    {
        // Found by the property tests: the seed went through a double and failed to load or lost bits.
        var data = TestData.Blobs(200);
        var model = new GaussianMixture(new() { ComponentCount = 2, Seed = seed }).Fit(data);
        byte[] bits = TestData.Bits(model);
        var loaded = ModelFile.Read(new MemoryStream(bits), "seed.json");
        Assert.Equal(seed, loaded.Fit!.Options.Seed);
        Assert.Equal(bits, TestData.Bits(loaded));
    }

    [Fact]
    public void Given_matrices_must_be_symmetric_and_positive_definite()
    {
        double[,] means = { { 0, 0 }, { 1, 1 } };
        var tied = Assert.Throws<ArgumentException>(() =>
            GaussianMixtureModel.Create(CovarianceType.Tied, [0.5, 0.5], means, [1, 0.5, 0.4, 1]));
        Assert.Contains("initial tied covariance is not symmetric: [0][1] = 0.5 but [1][0] = 0.4", tied.Message);

        // Symmetric to rounding is accepted (NumPy's A @ A.T may differ in the last bit).
        _ = GaussianMixtureModel.Create(CovarianceType.Tied, [0.5, 0.5], means, [1, 0.5, 0.5 * (1 + 1e-15), 1]);

        var notPd = Assert.Throws<ArgumentException>(() => new GaussianMixture(new()
        {
            ComponentCount = 2,
            InitialParameters = new() { Covariances = [1, 2, 2, 1, 1, 0, 0, 1] },
        }).Fit(TestData.Blobs(50, d: 2)));
        Assert.Contains("initial covariance of component 1 is not positive definite", notPd.Message);

        var precision = Assert.Throws<ArgumentException>(() => new GaussianMixture(new()
        {
            ComponentCount = 2,
            InitialParameters = new() { Precisions = [1, 0, 0, 1, 2, 1, -1, 2] },
        }).Fit(TestData.Blobs(50, d: 2)));
        Assert.Contains("initial precision of component 2 is not symmetric", precision.Message);
    }
}
