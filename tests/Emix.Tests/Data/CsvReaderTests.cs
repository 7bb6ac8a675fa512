using System.Globalization;
using System.Text;
using Emix.Data;
using Xunit;

namespace Emix.Tests.Data;

public sealed class CsvReaderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "emix-csv-" + Guid.NewGuid().ToString("N"));

    public CsvReaderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteFile(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private static void AssertValues(DataSet data, double[,] expected)
    {
        Assert.Equal(expected.GetLength(0), data.RowCount);
        Assert.Equal(expected.GetLength(1), data.FeatureCount);
        for (int i = 0; i < data.RowCount; i++)
            for (int j = 0; j < data.FeatureCount; j++)
                Assert.Equal(expected[i, j], data[i, j]);
    }

    private static DataFormatException ReadFails(string path, CsvReadOptions? options = null)
        => Assert.Throws<DataFormatException>(() => CsvReader.Read(path, options));

    [Fact]
    public void ReadsHeaderNamesAndValues()
    {
        string path = WriteFile("basic.csv", "a,b,c\n1,2,3\n4.5,-6e2,7.25E-1\n");

        var data = CsvReader.Read(path);

        Assert.Equal(new[] { "a", "b", "c" }, data.FeatureNames);
        Assert.Equal(path, data.Source);
        AssertValues(data, new[,] { { 1, 2, 3 }, { 4.5, -600, 0.725 } });
    }

    [Fact]
    public void WithoutHeaderNamesColumnsX1ToXd()
    {
        string path = WriteFile("plain.csv", "1,2\n3,4\n-0.5,+1.5\n");

        var data = CsvReader.Read(path);

        Assert.Equal(new[] { "x1", "x2" }, data.FeatureNames);
        AssertValues(data, new[,] { { 1, 2 }, { 3, 4 }, { -0.5, 1.5 } });
    }

    [Fact]
    public void SkipsCommentsBlankLinesBomAndHandlesCrLf()
    {
        string path = Path.Combine(_folder, "crlf.csv");
        string text = "# made by hand\r\n\r\n   # indented comment\r\nx,y\r\n 1 , 2 \r\n\r\n# between\r\n3,4";
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(0xEF, File.ReadAllBytes(path)[0]);

        var data = CsvReader.Read(path);

        Assert.Equal(new[] { "x", "y" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 1, 2 }, { 3, 4 } });
    }

    [Fact]
    public void LoneCarriageReturnsEndLines()
    {
        string path = WriteFile("mac.csv", "p,q\r1,2\r3,4\r");

        var data = CsvReader.Read(path);

        Assert.Equal(new[] { "p", "q" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 1, 2 }, { 3, 4 } });
    }

    [Fact]
    public void QuotedCellsLoseTheirQuotes()
    {
        string path = WriteFile("quoted.csv",
            "\"a\", \"b,c\" ,\"say \"\"hi\"\"\"\n\"1\", \"2.5\" ,3\n4,\"-5\",\"6e1\"\n");

        var data = CsvReader.Read(path);

        Assert.Equal(new[] { "a", "b,c", "say \"hi\"" }, data.FeatureNames);
        AssertValues(data, new[,] { { 1, 2.5, 3 }, { 4, -5, 60 } });
    }

    [Fact]
    public void TsvExtensionMeansTab()
    {
        string path = WriteFile("data.tsv", "a\tb\n1\t2\n3\t4\n");

        var data = CsvReader.Read(path);

        Assert.Equal(new[] { "a", "b" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 1, 2 }, { 3, 4 } });
    }

    [Fact]
    public void OtherExtensionsDetectTabOrComma()
    {
        var tabbed = CsvReader.Read(WriteFile("tabbed.txt", "# c\n1\t2\t3\n4\t5\t6\n"));
        var commas = CsvReader.Read(WriteFile("commas.dat", "1,2,3\n4,5,6\n"));

        AssertValues(tabbed, new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        AssertValues(commas, new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
    }

    [Fact]
    public void ExplicitDelimiterWins()
    {
        string path = WriteFile("semi.csv", "a;b\n1.5;2\n3;4\n");

        var data = CsvReader.Read(path, new CsvReadOptions { Delimiter = ';' });

        Assert.Equal(new[] { "a", "b" }, data.FeatureNames);
        AssertValues(data, new[,] { { 1.5, 2 }, { 3, 4 } });
    }

    [Fact]
    public void SpaceDelimiterSplitsOnRunsOfBlanks()
    {
        string path = WriteFile("savetxt.txt", "1.000000000000000000e+00   2.5e+00\n  3 4  \n");

        var data = CsvReader.Read(path, new CsvReadOptions { Delimiter = ' ' });

        AssertValues(data, new[,] { { 1, 2.5 }, { 3, 4 } });
    }

    [Fact]
    public void HeaderPresentTakesNumericFirstLineAsNames()
    {
        string path = WriteFile("numeric-header.csv", "1,2\n3,4\n");

        var data = CsvReader.Read(path, new CsvReadOptions { Header = HeaderMode.Present });

        Assert.Equal(new[] { "1", "2" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 3, 4 } });
    }

    [Fact]
    public void HeaderAbsentMakesNamesAnError()
    {
        string path = WriteFile("names.csv", "a,b\n1,2\n");

        var ex = ReadFails(path, new CsvReadOptions { Header = HeaderMode.Absent });

        Assert.Equal($"{path}: row 1, column 1: 'a' is not a number.", ex.Message);
    }

    [Fact]
    public void DetectTreatsAFirstRowWithAGapAsData()
    {
        string path = WriteFile("gap.csv", "1,,3\n4,5,6\n");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: row 1, column 2: missing value ''.", ex.Message);
    }

    [Fact]
    public void ColumnsSelectByNameAndIndexInTheOrderGiven()
    {
        string path = WriteFile("select.csv", "a,b,c,d\n1,2,3,4\n5,6,7,8\n");

        var data = CsvReader.Read(path, new CsvReadOptions { Columns = ["c", "1", " d "] });

        Assert.Equal(new[] { "c", "a", "d" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 3, 1, 4 }, { 7, 5, 8 } });
    }

    [Fact]
    public void ColumnsSelectionOnlyParsesChosenColumns()
    {
        string path = WriteFile("text-column.csv", "id,label,value\n1,cat,0.5\n2,dog,1.5\n");

        var data = CsvReader.Read(path, new CsvReadOptions { Columns = ["value", "id"] });

        Assert.Equal(new[] { "value", "id" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 0.5, 1 }, { 1.5, 2 } });
    }

    [Fact]
    public void ColumnsWithoutHeaderAcceptDefaultNames()
    {
        string path = WriteFile("noheader.csv", "1,2,3\n4,5,6\n");

        var data = CsvReader.Read(path, new CsvReadOptions { Columns = ["x3", "2"] });

        Assert.Equal(new[] { "x1", "x2" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 3, 2 }, { 6, 5 } });
    }

    [Fact]
    public void UnknownColumnNameListsTheAvailableNames()
    {
        string path = WriteFile("unknown.csv", "alpha,beta\n1,2\n");

        var ex = ReadFails(path, new CsvReadOptions { Columns = ["gamma"] });

        Assert.StartsWith(path + ":", ex.Message);
        Assert.Contains("'gamma'", ex.Message);
        Assert.Contains("'alpha'", ex.Message);
        Assert.Contains("'beta'", ex.Message);
    }

    [Fact]
    public void ColumnIndexOutOfRangeIsAnError()
    {
        string path = WriteFile("range.csv", "alpha,beta\n1,2\n");

        var ex = ReadFails(path, new CsvReadOptions { Columns = ["3"] });

        Assert.StartsWith(path + ":", ex.Message);
        Assert.Contains("column 3 is out of range", ex.Message);
        Assert.Contains("2 columns", ex.Message);
        Assert.Contains("'alpha'", ex.Message);
    }

    [Fact]
    public void ColumnIndexZeroIsOutOfRangeWithoutHeader()
    {
        string path = WriteFile("range0.csv", "1,2\n");

        var ex = ReadFails(path, new CsvReadOptions { Columns = ["0"] });

        Assert.Equal($"{path}: column 0 is out of range: there are 2 columns (1 to 2).", ex.Message);
    }

    [Fact]
    public void DuplicateHeaderNameCannotBeSelectedByName()
    {
        string path = WriteFile("dup.csv", "a,b,a\n1,2,3\n");

        var ex = ReadFails(path, new CsvReadOptions { Columns = ["a"] });

        Assert.Contains("'a' appears more than once (columns 1 and 3)", ex.Message);
        Assert.Equal(new[] { 3.0 }, CsvReader.Read(path, new CsvReadOptions { Columns = ["3"] }).Values.ToArray());
    }

    [Fact]
    public void MissingFileIsReported()
    {
        string path = Path.Combine(_folder, "nope.csv");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: file not found.", ex.Message);
    }

    [Fact]
    public void MissingFolderIsReportedAsFileNotFound()
    {
        string path = Path.Combine(_folder, "no-such-folder", "nope.csv");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: file not found.", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    [InlineData("# only a comment\n")]
    [InlineData("a,b,c\n")]
    [InlineData("# comment\na,b\n# another\n\n")]
    public void NoDataRowsIsReported(string content)
    {
        string path = WriteFile("empty.csv", content);

        var ex = ReadFails(path);

        Assert.Equal($"{path}: no data rows.", ex.Message);
    }

    [Fact]
    public void RaggedRowCountsPhysicalLinesAgainstTheHeader()
    {
        // Line 1 comment, 2 blank, 3 header, 4-6 data, 7 short.
        string path = WriteFile("ragged.csv", "# c\n\na,b,c,d\n1,2,3,4\n5,6,7,8\n1,1,1,1\n9,8,7\n");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: row 7: has 3 columns, expected 4 (as in the header).", ex.Message);
    }

    [Fact]
    public void RaggedRowAgainstTheFirstRow()
    {
        string path = WriteFile("ragged2.csv", "1,2\n3,4\n5,6,7\n");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: row 3: has 3 columns, expected 2 (as in the first row).", ex.Message);
    }

    [Fact]
    public void RaggedRowIsReportedEvenWhenItsColumnsAreNotSelected()
    {
        string path = WriteFile("ragged3.csv", "a,b,c\n1,2,3\n4,5\n");

        var ex = ReadFails(path, new CsvReadOptions { Columns = ["a"] });

        Assert.Equal($"{path}: row 3: has 2 columns, expected 3 (as in the header).", ex.Message);
    }

    [Fact]
    public void NonNumericCellNamesRowColumnAndText()
    {
        // Line 1 header, 2 comment, 3-4 data, 5 bad in column 2.
        string path = WriteFile("bad.csv", "a,b,c\n# note\n1,2,3\n4,5,6\n7,abc,9\n");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: row 5, column 2: 'abc' is not a number.", ex.Message);
    }

    [Fact]
    public void CrLfDoesNotShiftRowNumbers()
    {
        string path = WriteFile("bad-crlf.csv", "a,b\r\n\r\n1,2\r\n3,4x\r\n");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: row 4, column 2: '4x' is not a number.", ex.Message);
    }

    [Theory]
    [InlineData("1,,3", 2, "missing value ''")]
    [InlineData("1,2,  ", 3, "missing value ''")]
    [InlineData("NA,2,3", 1, "missing value 'NA'")]
    [InlineData("1,N/A,3", 2, "missing value 'N/A'")]
    [InlineData("1,2,\"\"", 3, "missing value ''")]
    [InlineData("1,NaN,3", 2, "'NaN' is not a finite number")]
    [InlineData("1,2,nan", 3, "'nan' is not a finite number")]
    [InlineData("Inf,2,3", 1, "'Inf' is not a finite number")]
    [InlineData("1,-inf,3", 2, "'-inf' is not a finite number")]
    [InlineData("1,2,Infinity", 3, "'Infinity' is not a finite number")]
    [InlineData("1,1e309,3", 2, "'1e309' is not a finite number")]
    [InlineData("1,-1e400,3", 2, "'-1e400' is not a finite number")]
    [InlineData("1,2,3.4.5", 3, "'3.4.5' is not a number")]
    [InlineData("1,\"x\",3", 2, "'x' is not a number")]
    [InlineData("1,1 000,3", 2, "'1 000' is not a number: it has thousands separators; remove the separators (write 1234567.5, not 1,234,567.5), e.g. re-export the file with digit grouping off")]
    [InlineData("1,\"1,5\",3", 2, "'1,5' is not a number: it has a decimal comma; Emix reads numbers with a decimal point (1.5, not 1,5): re-export the file with '.' as the decimal separator and ',' or a tab between columns")]
    [InlineData("1,\"1,234\",3", 2, "'1,234' is not a number: the comma is a thousands separator or a decimal comma; write 1234 or 1.234 (a decimal point and no digit grouping), e.g. re-export the file with digit grouping off and '.' as the decimal separator")]
    [InlineData("1,2\u00003,3", 2, "'2\\u00003' contains a NUL character: the file is binary, or UTF-16 text without a byte order mark. Emix reads UTF-8 text (UTF-16 with a byte order mark works too)")]
    [InlineData("1,0x10,3", 2, "'0x10' is not a number")]
    public void BadCellsAreReportedWithTheirText(string badLine, int column, string problem)
    {
        string path = WriteFile("cells.csv", "a,b,c\n1,2,3\n" + badLine + "\n4,5,6\n");

        var ex = ReadFails(path);

        Assert.Equal($"{path}: row 3, column {column}: {problem}.", ex.Message);
    }

    [Fact]
    public void UnclosedQuoteIsReported()
    {
        string path = WriteFile("unclosed.csv", "a,b\n1,\"2\n3,4\n");

        var ex = ReadFails(path);

        Assert.StartsWith($"{path}: row 2, column 2: ", ex.Message);
        Assert.Contains("not closed", ex.Message);
    }

    [Fact]
    public void TextAfterClosingQuoteIsReported()
    {
        string path = WriteFile("after.csv", "a,b\n1,\"2\"3\n");

        var ex = ReadFails(path);

        Assert.StartsWith($"{path}: row 2, column 2: ", ex.Message);
        Assert.Contains("\"2\"3", ex.Message);
    }

    [Fact]
    public void LongBadTextIsShortenedInTheMessage()
    {
        string longText = new('z', 500);
        string path = WriteFile("long.csv", "1,2\n1," + longText + "\n");

        var ex = ReadFails(path);

        Assert.StartsWith($"{path}: row 2, column 2: 'zzzz", ex.Message);
        Assert.True(ex.Message.Length < 200 + path.Length, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void ReadsFromATextReader()
    {
        using var reader = new StringReader("\uFEFFu,v\n1,2\n");

        var data = CsvReader.Read(reader, "inline.csv");

        Assert.Equal("inline.csv", data.Source);
        Assert.Equal(new[] { "u", "v" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 1, 2 } });
    }

    [Fact]
    public void TextReaderErrorsUseTheSourceName()
    {
        using var reader = new StringReader("u,v\n1,oops\n");

        var ex = Assert.Throws<DataFormatException>(() => CsvReader.Read(reader, "inline.csv"));

        Assert.Equal("inline.csv: row 2, column 2: 'oops' is not a number.", ex.Message);
    }

    [Fact]
    public void LargeFileAcrossBufferBoundariesKeepsValuesAndLineNumbers()
    {
        // Long enough to cross the reader's internal buffer many times, with CRLF line ends
        // so that some CR/LF pairs straddle a buffer boundary.
        const int Rows = 30_000;
        var text = new StringBuilder("c1,c2,c3\r\n");
        for (int i = 0; i < Rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{i * 0.25},{-i / 3.0:R}\r\n");
            if (i % 1000 == 0)
                text.Append("# checkpoint\r\n");
        }
        string path = WriteFile("large.csv", text.ToString());

        var data = CsvReader.Read(path);

        Assert.Equal(Rows, data.RowCount);
        for (int i = 0; i < Rows; i++)
        {
            Assert.Equal(i, data[i, 0]);
            Assert.Equal(i * 0.25, data[i, 1]);
            Assert.Equal(-i / 3.0, data[i, 2]);
        }

        // A bad cell near the end: 1 header line + 30 000 rows + 30 comment lines before it.
        string bad = text.Append("1,2,bad\r\n").ToString();
        string badPath = WriteFile("large-bad.csv", bad);
        var ex = ReadFails(badPath);
        Assert.Equal($"{badPath}: row {1 + Rows + 30 + 1}, column 3: 'bad' is not a number.", ex.Message);
    }

    [Fact]
    public void FirstErrorInTheFileIsReportedWhenSeveralChunksFail()
    {
        // Rows are parsed in blocks of a few thousand lines, possibly on several threads; the error
        // reported must still be the first one in the file.
        var text = new StringBuilder("a,b\n");
        for (int i = 2; i <= 40_000; i++)
        {
            string second = i switch { 12_345 => "first", 30_000 => "second", 39_999 => "1,2", _ => "1" };
            text.Append(CultureInfo.InvariantCulture, $"{i},{second}\n");
        }
        string path = WriteFile("two-errors.csv", text.ToString());

        for (int attempt = 0; attempt < 3; attempt++)
        {
            var ex = ReadFails(path);
            Assert.Equal($"{path}: row 12345, column 2: 'first' is not a number.", ex.Message);
        }
    }

    [Fact]
    public void FastNumberParserAgreesWithDoubleParse()
    {
        var rng = new Random(12345);
        int fastHits = 0;
        for (int trial = 0; trial < 200_000; trial++)
        {
            var builder = new StringBuilder();
            if (rng.Next(4) == 0)
                builder.Append(rng.Next(2) == 0 ? '-' : '+');
            int intDigits = rng.Next(0, 10);
            builder.Append(rng.Next(3) == 0 ? "0" : string.Empty);
            for (int k = 0; k < intDigits; k++)
                builder.Append((char)('0' + rng.Next(10)));
            if (builder.Length == 0 || builder[^1] is '-' or '+')
                builder.Append((char)('0' + rng.Next(10)));
            if (rng.Next(3) > 0)
            {
                builder.Append('.');
                int fractionDigits = rng.Next(1, 12);
                for (int k = 0; k < fractionDigits; k++)
                    builder.Append(rng.Next(4) == 0 ? '0' : (char)('0' + rng.Next(10)));
            }
            if (rng.Next(3) == 0)
                builder.Append(rng.Next(2) == 0 ? 'e' : 'E').Append(rng.Next(-30, 31));
            string text = builder.ToString();

            double expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (CsvReader.TryParseFast(text, out double actual))
            {
                fastHits++;
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                    $"{text}: fast {actual:R}, double.Parse {expected:R}");
            }
        }
        Assert.True(fastHits > 100_000, $"fast path taken {fastHits} times");

        Assert.True(CsvReader.TryParseFast("-0", out double negativeZero));
        Assert.True(double.IsNegative(negativeZero));
        Assert.True(CsvReader.TryParseFast("1.000000000000000000e+00", out double one));
        Assert.Equal(1.0, one);
        foreach (string other in new[] { "", "-", ".5", "5.", "1e", "1e+", "0x1", "1,5", " 1", "1e99999", "12345678901234567" })
            Assert.False(CsvReader.TryParseFast(other, out _), other);
    }

    [Fact]
    public void VeryLongLineIsReadWhole()
    {
        const int Columns = 20_000; // one line far longer than the read buffer
        string header = string.Join(",", Enumerable.Range(1, Columns).Select(j => "c" + j));
        string row = string.Join(",", Enumerable.Range(1, Columns).Select(j => j.ToString(CultureInfo.InvariantCulture)));
        string path = WriteFile("wide.csv", header + "\n" + row + "\n" + row + "\n");

        var data = CsvReader.Read(path);

        Assert.Equal(2, data.RowCount);
        Assert.Equal(Columns, data.FeatureCount);
        Assert.Equal("c20000", data.FeatureNames[^1]);
        Assert.Equal(Columns, data[1, Columns - 1]);
    }

    [Fact]
    public void EmptyColumnsListIsRejected()
    {
        string path = WriteFile("cols.csv", "1,2\n");

        Assert.Throws<ArgumentException>(() => CsvReader.Read(path, new CsvReadOptions { Columns = [] }));
    }

    [Fact]
    public void DataReaderSendsTextFilesToTheCsvReader()
    {
        string path = WriteFile("dispatch.tsv", "a\tb\n1\t2\n");

        var data = DataReader.Read(path, new CsvReadOptions { Columns = ["b"] });

        Assert.Equal(new[] { "b" }, data.FeatureNames);
        AssertValues(data, new double[,] { { 2 } });
    }
}
