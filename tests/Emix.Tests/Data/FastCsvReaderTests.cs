using Emix.Cli;
using Emix.Data;

namespace Emix.Tests.Data;

/// <summary>The CLI's Sep path reads exactly what the core reader reads, and steps aside for everything else.</summary>
public class FastCsvReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-sep-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string File_(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public static TheoryData<string, string[]?, HeaderMode> Files() => new()
    {
        { "data/iris.csv", null, HeaderMode.Detect },
        { "data/faithful.csv", null, HeaderMode.Detect },
        { "data/wine.csv", null, HeaderMode.Detect },
        { "data/seed_demo.csv", null, HeaderMode.Detect },
        { "data/iris.csv", ["petal_width", "2"], HeaderMode.Detect },
        { "data/iris.csv", null, HeaderMode.Present },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixtures_read_the_same_as_with_the_core_reader(string file, string[]? columns, HeaderMode header)
    {
        string path = Fixtures.Path_(file);
        var options = new CsvReadOptions { Columns = columns, Header = header };
        var fast = FastCsvReader.TryRead(path, options);
        Assert.NotNull(fast);
        Same(CsvReader.Read(path, options), fast);
    }

    [Fact]
    public void Tsv_headerless_padded_and_crlf_files_read_the_same()
    {
        foreach (var (name, text, columns) in new (string, string, string[]?)[]
        {
            ("a.tsv", "a\tb\n1\t2\n3.5\t-4e-3\n", null),
            ("b.csv", "1,2,3\n4,5,6\n", ["x3", "1"]),
            ("c.csv", " a , b \r\n 1 , 2 \r\n3,4\r\n", null),
            ("d.txt", "1\t2\n3\t4\n", null),
            ("e.csv", "a;b\n1;2\n", null),
        })
        {
            string path = File_(name, text);
            var options = new CsvReadOptions { Columns = columns, Delimiter = name == "e.csv" ? ';' : null };
            var fast = FastCsvReader.TryRead(path, options);
            Assert.NotNull(fast);
            Same(CsvReader.Read(path, options), fast);
        }
    }

    [Theory]
    [InlineData("a,b\n# comment\n1,2\n")]
    [InlineData("# comment\na,b\n1,2\n")]
    [InlineData("a,b\n1,2\n\n3,4\n")]
    [InlineData("\"a\",b\n1,2\n")]
    [InlineData("a,b\n\"1\",2\n")]
    [InlineData("a,b\n1,NA\n")]
    [InlineData("1,NA\n2,3\n")]
    [InlineData("a,b\n1,2\n3\n")]
    [InlineData("a,b\n1,abc\n")]
    [InlineData("a,b\n1,2abc\n")]
    [InlineData("a,b\n1,2 3\n")]
    [InlineData("a,b\n1,0x10\n")]
    [InlineData("a,b\n1,1e999\n")]
    [InlineData("a,b\n1,inf\n")]
    [InlineData("a,b\n1,\n")]
    [InlineData("a,b\n1,NaN\n")]
    [InlineData("a,a\n1,2\n")]
    [InlineData("")]
    [InlineData("a,b\n")]
    public void Anything_unusual_is_left_to_the_core_reader(string text)
    {
        string path = File_("odd.csv", text);
        var options = new CsvReadOptions { Columns = text.StartsWith("a,a", StringComparison.Ordinal) ? ["a"] : null };
        Assert.Null(FastCsvReader.TryRead(path, options));
    }

    private static void Same(DataSet expected, DataSet actual)
    {
        Assert.Equal(expected.FeatureNames, actual.FeatureNames);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.Values.ToArray(), actual.Values.ToArray());
    }
}
