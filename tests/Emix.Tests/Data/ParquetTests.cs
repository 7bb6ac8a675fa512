using Emix.Data;
using Emix.Parquet;
using Parquet;
using Parquet.Schema;

namespace Emix.Tests.Data;

/// <summary>Parquet input (numeric columns by name) and output (float64 and int32 columns).</summary>
public class ParquetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("emix-parquet-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Written_columns_read_back_bit_for_bit()
    {
        var iris = Fixtures.Data("iris");
        var columns = Enumerable.Range(0, 4).Select(a => ParquetColumn.Of(iris.FeatureNames[a], Enumerable.Range(0, iris.RowCount).Select(i => iris[i, a]).ToArray())).ToList();
        columns.Add(ParquetColumn.Of("label", Enumerable.Range(0, iris.RowCount).Select(i => i % 3).ToArray()));
        string path = PathOf("iris.parquet");
        ParquetDataWriter.Write(path, columns);

        var all = ParquetDataReader.Read(path); // every numeric column, the int32 one included
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width", "label"], all.FeatureNames);
        Assert.Equal(2.0, all[2, 4]);

        var four = ParquetDataReader.Read(path, iris.FeatureNames.ToArray());
        Assert.Equal(iris.Values.ToArray(), four.Values.ToArray());
        Assert.Equal(path, four.Source);

        var chosen = ParquetDataReader.Read(path, ["petal_width", "1"]);
        Assert.Equal(["petal_width", "sepal_length"], chosen.FeatureNames);
        Assert.Equal(iris[7, 3], chosen[7, 0]);
        Assert.Equal(iris[7, 0], chosen[7, 1]);
    }

    [Fact]
    public async Task Several_row_groups_and_nullable_and_other_numeric_types_are_read()
    {
        string path = PathOf("types.parquet");
        var f32 = new DataField("f32", typeof(float), isNullable: false);
        var i64 = new DataField("i64", typeof(long), isNullable: true);
        var name = new DataField("name", typeof(string), isNullable: true);
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(f32, i64, name), stream))
        {
            foreach (var (floats, longs, names) in new[] { (new[] { 1.5f, 2.5f }, new long?[] { 10, 20 }, new[] { "a", "b" }), ([3.5f], [30], ["c"]) })
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<float>(f32, floats.AsMemory());
                await group.WriteAsync<long>(i64, longs.AsMemory());
                await group.WriteAsync(name, names);
            }
        }
        var data = ParquetDataReader.Read(path);
        Assert.Equal(["f32", "i64"], data.FeatureNames); // the text column is left out
        Assert.Equal([1.5, 10, 2.5, 20, 3.5, 30], data.Values.ToArray());
    }

    [Fact]
    public async Task A_null_a_non_numeric_column_an_unknown_name_and_a_non_parquet_file_are_one_line_errors()
    {
        string path = PathOf("gaps.parquet");
        var x = new DataField("x", typeof(double), isNullable: true);
        var name = new DataField("name", typeof(string), isNullable: true);
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(x, name), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<double>(x, new double?[] { 1, null, 3 }.AsMemory());
            await group.WriteAsync(name, new[] { "a", "b", "c" });
        }

        var gap = Assert.Throws<DataFormatException>(() => ParquetDataReader.Read(path, ["x"]));
        Assert.Contains("row 2, column 1", gap.Message);
        Assert.Contains("'x' is missing (null)", gap.Message);

        var text = Assert.Throws<DataFormatException>(() => ParquetDataReader.Read(path, ["name"]));
        Assert.Contains("column 'name' holds text, not numbers", text.Message);

        var unknown = Assert.Throws<DataFormatException>(() => ParquetDataReader.Read(path, ["y"]));
        Assert.Contains("no column named 'y'", unknown.Message);
        Assert.Contains("'x' (float64), 'name' (text)", unknown.Message);

        File.WriteAllText(PathOf("fake.parquet"), "a,b\n1,2\n");
        var fake = Assert.Throws<DataFormatException>(() => ParquetDataReader.Read(PathOf("fake.parquet")));
        Assert.Contains("not a readable Parquet file", fake.Message);

        var missing = Assert.Throws<DataFormatException>(() => ParquetDataReader.Read(PathOf("missing.parquet")));
        Assert.Contains("file not found", missing.Message);
    }

    [Fact]
    public void Columns_of_different_lengths_or_repeated_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ParquetDataWriter.Write(PathOf("x.parquet"), [ParquetColumn.Of("a", [1.0]), ParquetColumn.Of("b", [1, 2])]));
        Assert.Throws<ArgumentException>(() => ParquetDataWriter.Write(PathOf("x.parquet"), [ParquetColumn.Of("a", [1.0]), ParquetColumn.Of("a", [1])]));
        Assert.False(File.Exists(PathOf("x.parquet")));
    }
}
