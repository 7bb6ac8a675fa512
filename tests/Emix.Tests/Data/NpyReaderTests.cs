using System.Buffers.Binary;
using System.Text;
using Emix.Data;
using Xunit;

namespace Emix.Tests.Data;

public sealed class NpyReaderTests : IDisposable
{
    private const string F8Header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "emix-npy-" + Guid.NewGuid().ToString("N"));

    public NpyReaderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Builds .npy bytes by hand: magic, version, header length, padded header dict, data.</summary>
    private static byte[] Npy(string dict, byte[] data, int major = 1, bool pad = true)
    {
        int lengthSize = major == 1 ? 2 : 4;
        int preamble = 8 + lengthSize;
        string header = dict;
        if (pad)
        {
            int total = preamble + header.Length + 1;
            header += new string(' ', ((total + 63) / 64 * 64) - total);
        }
        header += "\n";
        byte[] headerBytes = Encoding.Latin1.GetBytes(header);

        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
        var length = new byte[lengthSize];
        if (major == 1)
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
        bytes.AddRange(length);
        bytes.AddRange(headerBytes);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    private static byte[] F8(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        return bytes;
    }

    private static byte[] F4(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    private string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
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

    private DataFormatException ReadFails(string name, byte[] bytes, out string path)
    {
        string written = WriteFile(name, bytes);
        path = written;
        return Assert.Throws<DataFormatException>(() => NpyReader.Read(written));
    }

    [Fact]
    public void ReadsFloat64InCOrder()
    {
        string path = WriteFile("c.npy", Npy(F8Header, F8(1, 2, 3, 4, 5.5, -6)));

        var data = NpyReader.Read(path);

        Assert.Equal(path, data.Source);
        Assert.Equal(new[] { "x1", "x2" }, data.FeatureNames);
        AssertValues(data, new[,] { { 1, 2 }, { 3, 4 }, { 5.5, -6 } });
    }

    [Fact]
    public void ReadsFloat32AsTheSameDoubles()
    {
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
        string path = WriteFile("f4.npy", Npy(dict, F4(0.5f, 0.1f, -3f, 1e30f)));

        var data = NpyReader.Read(path);

        AssertValues(data, new[,] { { 0.5, (double)0.1f }, { -3, (double)1e30f } });
    }

    [Fact]
    public void ReadsFortranOrderAsRows()
    {
        // The 2×3 array [[1, 2, 3], [4, 5, 6]] stored column after column.
        string dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
        string path = WriteFile("fortran.npy", Npy(dict, F8(1, 4, 2, 5, 3, 6)));

        var data = NpyReader.Read(path);

        AssertValues(data, new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
    }

    [Fact]
    public void ReadsFloat32FortranOrder()
    {
        string dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }";
        string path = WriteFile("fortran-f4.npy", Npy(dict, F4(1, 2, 3, 10, 20, 30)));

        var data = NpyReader.Read(path);

        AssertValues(data, new double[,] { { 1, 10 }, { 2, 20 }, { 3, 30 } });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneDimensionalShapeIsOneColumn(bool fortranOrder)
    {
        string dict = $"{{'descr': '<f8', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': (4,), }}";
        string path = WriteFile("vector.npy", Npy(dict, F8(1, 2, 3, 4)));

        var data = NpyReader.Read(path);

        AssertValues(data, new double[,] { { 1 }, { 2 }, { 3 }, { 4 } });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsVersion2And3Headers(int major)
    {
        string path = WriteFile($"v{major}.npy", Npy(F8Header, F8(1, 2, 3, 4, 5, 6), major));

        var data = NpyReader.Read(path);

        AssertValues(data, new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
    }

    [Theory]
    [InlineData("{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3, 2)}")]
    [InlineData("{'shape': (3L, 2L), 'fortran_order': False, 'descr': '<f8'}")]
    [InlineData("{ 'descr' : '<f8' ,'fortran_order':False,'shape':( 3 , 2 , ) , }")]
    public void HeaderDictVariantsParse(string dict)
    {
        string path = WriteFile("variant.npy", Npy(dict, F8(1, 2, 3, 4, 5, 6), pad: false));

        var data = NpyReader.Read(path);

        AssertValues(data, new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
    }

    [Fact]
    public void ReadsFromAStream()
    {
        using var stream = new MemoryStream(Npy(F8Header, F8(1, 2, 3, 4, 5, 6)));

        var data = NpyReader.Read(stream, "memory");

        Assert.Equal("memory", data.Source);
        AssertValues(data, new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
    }

    [Fact]
    public void ReadsFromAStreamThatCannotSeek()
    {
        using var stream = new ForwardOnlyStream(Npy(F8Header, F8(1, 2, 3, 4, 5, 6)));

        var data = NpyReader.Read(stream, "pipe");

        AssertValues(data, new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
    }

    [Fact]
    public void MissingFileIsReported()
    {
        string path = Path.Combine(_folder, "absent.npy");

        var ex = Assert.Throws<DataFormatException>(() => NpyReader.Read(path));

        Assert.Equal($"{path}: file not found.", ex.Message);
    }

    [Fact]
    public void BadMagicIsReported()
    {
        var bytes = Npy(F8Header, F8(1, 2, 3, 4, 5, 6));
        bytes[1] = (byte)'X';

        var ex = ReadFails("magic.npy", bytes, out string path);

        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains("magic", ex.Message);
    }

    [Fact]
    public void TextFileIsNotAnNpyFile()
    {
        var ex = ReadFails("text.npy", Encoding.ASCII.GetBytes("1,2,3\n4,5,6\n"), out string path);

        Assert.StartsWith(path + ": not a NumPy .npy file", ex.Message);
    }

    [Fact]
    public void UnknownVersionIsReported()
    {
        var bytes = Npy(F8Header, F8(1, 2, 3, 4, 5, 6));
        bytes[6] = 4;

        var ex = ReadFails("v4.npy", bytes, out string path);

        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains("version 4.0", ex.Message);
    }

    [Theory]
    [InlineData(">f8", "big-endian")]
    [InlineData("<i8", "signed integer")]
    [InlineData("|O", "Python objects")]
    [InlineData("<f2", "floating point")]
    [InlineData("|b1", "boolean")]
    public void UnsupportedDtypeIsNamed(string descr, string description)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (3, 2), }}";

        var ex = ReadFails("dtype.npy", Npy(dict, F8(1, 2, 3, 4, 5, 6)), out string path);

        Assert.StartsWith(path + ": unsupported dtype '" + descr + "'", ex.Message);
        Assert.Contains(description, ex.Message);
    }

    [Fact]
    public void StructuredDtypeIsRejected()
    {
        string dict = "{'descr': [('a', '<f8'), ('b', '<f8')], 'fortran_order': False, 'shape': (3,), }";

        var ex = ReadFails("structured.npy", Npy(dict, F8(1, 2, 3, 4, 5, 6)), out string path);

        Assert.StartsWith(path + ": unsupported dtype", ex.Message);
        Assert.Contains("structured", ex.Message);
    }

    [Fact]
    public void ThreeDimensionalShapeIsRejected()
    {
        string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), }";

        var ex = ReadFails("cube.npy", Npy(dict, F8(1, 2, 3, 4, 5, 6, 7, 8)), out string path);

        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains("(2, 2, 2)", ex.Message);
    }

    [Fact]
    public void ScalarIsRejected()
    {
        string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";

        var ex = ReadFails("scalar.npy", Npy(dict, F8(1)), out string path);

        Assert.StartsWith(path + ": the array has shape ()", ex.Message);
    }

    [Fact]
    public void EmptyArrayHasNoDataRows()
    {
        string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }";

        var ex = ReadFails("empty.npy", Npy(dict, []), out string path);

        Assert.Equal($"{path}: no data rows (the array has shape (0, 3)).", ex.Message);
    }

    [Fact]
    public void ShortDataIsReported()
    {
        string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";

        var ex = ReadFails("short.npy", Npy(dict, F8(1, 2, 3, 4, 5)), out string path);

        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains("(3, 2)", ex.Message);
        Assert.Contains("48 bytes", ex.Message);
        Assert.Contains("only 40 bytes", ex.Message);
    }

    [Fact]
    public void HugeShapeIsRejectedBeforeAllocating()
    {
        // 8 TB claimed by a 128-byte file: must fail on the size check, not with OutOfMemoryException.
        string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000), }";

        var ex = ReadFails("huge.npy", Npy(dict, F8(1, 2)), out string path);

        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains("(1000000000, 1000)", ex.Message);
        Assert.Contains("only 16 bytes", ex.Message);
    }

    [Fact]
    public void ShortDataOnAStreamThatCannotSeekIsReported()
    {
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 2), }";
        using var stream = new ForwardOnlyStream(Npy(dict, F4(1, 2, 3)));

        var ex = Assert.Throws<DataFormatException>(() => NpyReader.Read(stream, "pipe"));

        Assert.StartsWith("pipe: ", ex.Message);
        Assert.Contains("ends after 12 bytes", ex.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        var bytes = Npy(F8Header, F8(1, 2, 3, 4, 5, 6));

        var ex = ReadFails("cut.npy", bytes[..40], out string path);

        Assert.Equal($"{path}: the .npy file ends inside its header.", ex.Message);
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False}", "'shape'")]
    [InlineData("{'descr': '<f8', 'shape': (3, 2)}", "'fortran_order'")]
    [InlineData("{'fortran_order': False, 'shape': (3, 2)}", "'descr'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2)", "expected '}'")]
    [InlineData("{'descr': '<f8', 'fortran_order': 1, 'shape': (3, 2)}", "'fortran_order' is not True or False")]
    [InlineData("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (3, 2)}", "unexpected value 'Maybe'")]
    [InlineData("{'descr': '<f8, 'fortran_order': False, 'shape': (3, 2)}", "expected '}' but found 'f'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (3, -2)}", "non-negative integers")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': [3, 2]}", "'shape' is not a tuple")]
    [InlineData("not a dict", "expected '{'")]
    public void MalformedHeaderIsReported(string dict, string problem)
    {
        var ex = ReadFails("header.npy", Npy(dict, F8(1, 2, 3, 4, 5, 6)), out string path);

        Assert.StartsWith(path + ": malformed .npy header", ex.Message);
        Assert.Contains(problem, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void NaNIsReportedByRowAndColumn()
    {
        string path = WriteFile("nan.npy", Npy(F8Header, F8(1, 2, 3, 4, double.NaN, 6)));

        var ex = Assert.Throws<DataFormatException>(() => NpyReader.Read(path));

        Assert.Equal($"{path}: row 3, column 1: NaN is not a finite number.", ex.Message);
    }

    [Fact]
    public void InfinityInFortranOrderIsReportedByItsRowAndColumn()
    {
        // [[1, 2, 3], [4, 5, inf]] column after column: the infinity is row 2, column 3.
        string dict = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
        string path = WriteFile("inf.npy", Npy(dict, F4(1, 4, 2, 5, 3, float.PositiveInfinity)));

        var ex = Assert.Throws<DataFormatException>(() => NpyReader.Read(path));

        Assert.Equal($"{path}: row 2, column 3: Infinity is not a finite number.", ex.Message);
    }

    [Fact]
    public void WriterProducesNumPysExactHeader()
    {
        using var stream = new MemoryStream();

        NpyWriter.Write(stream, [1, 2, 3, 4, 5, 6], 3, 2);

        byte[] bytes = stream.ToArray();
        Assert.Equal(128 + 48, bytes.Length);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 }, bytes[..10]);
        string header = Encoding.ASCII.GetString(bytes, 10, 118);
        Assert.Equal(F8Header + new string(' ', 118 - F8Header.Length - 1) + "\n", header);
        Assert.Equal(6.0, BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(128 + 40)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(123456, 12)]
    public void WriterHeaderIsAlignedTo64Bytes(int rows, int columns)
    {
        using var stream = new MemoryStream();

        NpyWriter.Write(stream, new double[rows * columns], rows, columns);

        byte[] bytes = stream.ToArray();
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal((byte)'\n', bytes[10 + headerLength - 1]);
        Assert.Equal(10 + headerLength + (rows * columns * 8), bytes.Length);
    }

    [Fact]
    public void WriterRejectsAMismatchedLength()
    {
        using var stream = new MemoryStream();

        Assert.Throws<ArgumentException>(() => NpyWriter.Write(stream, [1, 2, 3], 2, 2));
    }

    [Fact]
    public void RoundTripThroughTheWriterReplacesTheFileAndLeavesNoTemporaryFile()
    {
        var rng = new Random(7);
        var values = new double[50 * 3];
        for (int i = 0; i < values.Length; i++)
            values[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-300, 300));
        var original = DataSet.FromRowMajor(values, 3);
        string path = Path.Combine(_folder, "round.npy");
        File.WriteAllText(path, "old content to be replaced");

        NpyWriter.Write(path, original);
        var read = NpyReader.Read(path);

        Assert.Equal(50, read.RowCount);
        Assert.Equal(3, read.FeatureCount);
        Assert.Equal(values, read.Values.ToArray());
        Assert.Equal(new[] { "round.npy" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void WriterFailureLeavesNoTemporaryFile()
    {
        // The target is an existing folder, so the final move fails.
        string target = Path.Combine(_folder, "taken");
        Directory.CreateDirectory(target);

        Assert.ThrowsAny<IOException>(() => NpyWriter.Write(target, DataSet.FromRowMajor([1.0, 2.0], 2)));

        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void DataReaderReadsNpyAndSelectsColumns()
    {
        string path = WriteFile("select.npy", Npy(F8Header, F8(1, 2, 3, 4, 5, 6)));

        var all = DataReader.Read(path);
        var selected = DataReader.Read(path, new CsvReadOptions { Columns = ["x2", "1"], Delimiter = ';' });

        AssertValues(all, new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        AssertValues(selected, new double[,] { { 2, 1 }, { 4, 3 }, { 6, 5 } });
    }

    [Fact]
    public void DataReaderReportsUnknownNpyColumns()
    {
        string path = WriteFile("cols.npy", Npy(F8Header, F8(1, 2, 3, 4, 5, 6)));

        var byName = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new CsvReadOptions { Columns = ["x3"] }));
        var byIndex = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new CsvReadOptions { Columns = ["5"] }));

        Assert.Equal($"{path}: there is no column named 'x3'; available columns: x1 to x2 (or 1 to 2).", byName.Message);
        Assert.Equal($"{path}: column 5 is out of range: there are 2 columns (1 to 2).", byIndex.Message);
    }

    /// <summary>A read-only stream that cannot seek and hands out at most 7 bytes per read.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 7), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
