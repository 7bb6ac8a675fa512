using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Emix.Data;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0) holding a little-endian float64
/// (<c>'&lt;f8'</c>) or float32 (<c>'&lt;f4'</c>) array of shape <c>(n,)</c> (read as n rows of one
/// feature) or <c>(n, d)</c>, in C or Fortran order.
/// </summary>
/// <remarks>
/// Every problem is a <see cref="DataFormatException"/> naming the source: a bad magic string, an
/// unsupported dtype or shape, a file shorter than its header claims (checked before any allocation when
/// the stream can seek), and a NaN or infinite value (named by its 1-based row and column).
/// </remarks>
public static class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private const int MaxHeaderLength = 1 << 20;

    /// <summary>Reads a <c>.npy</c> file; the path is the source name in the data set and in messages.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The array as rows of features, named <c>x1</c>, <c>x2</c>, ….</returns>
    /// <exception cref="DataFormatException">The file is missing, unreadable, or not a supported array.</exception>
    public static DataSet Read(string path) => Read(path, allowMissing: false);

    /// <summary>Reads a <c>.npy</c> file in which, when <paramref name="allowMissing"/> is true, NaN marks a missing cell.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="allowMissing">Whether NaN values are missing cells (see <see cref="DataSet.WrapWithMissing"/>) rather than an error.</param>
    /// <returns>The array as rows of features, named <c>x1</c>, <c>x2</c>, ….</returns>
    /// <exception cref="DataFormatException">The file is missing, unreadable, or not a supported array.</exception>
    public static DataSet Read(string path, bool allowMissing)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = CsvReader.OpenFile(path, 1 << 16);
        return Read(stream, path, allowMissing);
    }

    /// <summary>Reads a <c>.npy</c> array from a stream, from its current position.</summary>
    /// <param name="stream">The bytes of the file.</param>
    /// <param name="sourceName">Names the source in messages and in the data set.</param>
    /// <returns>The array as rows of features, named <c>x1</c>, <c>x2</c>, ….</returns>
    /// <exception cref="DataFormatException">The bytes are not a supported array.</exception>
    public static DataSet Read(Stream stream, string sourceName) => Read(stream, sourceName, allowMissing: false);

    /// <summary>Reads a <c>.npy</c> array from a stream, from its current position; NaN marks a missing cell when <paramref name="allowMissing"/> is true.</summary>
    /// <param name="stream">The bytes of the file.</param>
    /// <param name="sourceName">Names the source in messages and in the data set.</param>
    /// <param name="allowMissing">Whether NaN values are missing cells rather than an error (infinities are refused either way).</param>
    /// <returns>The array as rows of features, named <c>x1</c>, <c>x2</c>, ….</returns>
    /// <exception cref="DataFormatException">The bytes are not a supported array.</exception>
    public static DataSet Read(Stream stream, string sourceName, bool allowMissing)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        var header = ReadHeader(stream, sourceName);
        var (descr, fortranOrder, shape, itemSize, count, byteCount) =
            (header.Descr, header.FortranOrder, header.Shape, header.ItemSize, header.Rows * header.Columns, header.DataBytes);
        long rows = header.Rows, columns = header.Columns;
        if (count > Array.MaxLength)
            throw new DataFormatException($"{sourceName}: the shape {FormatShape(shape)} has more values than one data set can hold ({Array.MaxLength}); fit it out of core (emix fit --memory-limit).");

        double[] values = itemSize == 8
            ? ReadFloat64(stream, (int)count, sourceName, shape, byteCount)
            : ReadFloat32(stream, (int)count, sourceName, shape, byteCount);

        int d = (int)columns;
        if (fortranOrder && shape.Length == 2 && d > 1 && rows > 1)
            values = Transpose(values, (int)rows, d);

        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]) && !(allowMissing && double.IsNaN(values[i])))
            {
                throw DataFormatException.At(sourceName, (i / d) + 1, (i % d) + 1,
                    $"{values[i].ToString("R", CultureInfo.InvariantCulture)} is not a finite number.");
            }
        }
        return allowMissing ? DataSet.WrapWithMissing(values, d, null, sourceName) : DataSet.Wrap(values, d, null, sourceName);
    }

    /// <summary>The parsed header of a .npy file and where its data start.</summary>
    internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape, int ItemSize, long Rows, long Columns, long DataBytes, long DataOffset);

    /// <summary>
    /// Reads the magic string, version and header dict of any .npy file: its dtype string, order and shape,
    /// and the offset of the first data byte (8 + the length field + the header); leaves the stream there.
    /// </summary>
    internal static (string Descr, bool FortranOrder, long[] Shape, long DataOffset) ReadRawHeader(Stream stream, string sourceName)
    {
        Span<byte> preamble = stackalloc byte[8];
        if (ReadFully(stream, preamble) < 8 || !preamble[..6].SequenceEqual(Magic))
            throw new DataFormatException($"{sourceName}: not a NumPy .npy file (it does not start with the magic string \\x93NUMPY).");

        byte major = preamble[6], minor = preamble[7];
        if (major is not (1 or 2 or 3))
        {
            throw new DataFormatException(
                $"{sourceName}: .npy format version {major}.{minor} is not supported (versions 1.0, 2.0 and 3.0 are).");
        }

        // Version 1.0 stores the header length in 2 bytes, versions 2.0 and 3.0 in 4 (little-endian).
        Span<byte> lengthBytes = stackalloc byte[4];
        lengthBytes.Clear();
        int lengthSize = major == 1 ? 2 : 4;
        if (ReadFully(stream, lengthBytes[..lengthSize]) < lengthSize)
            throw Truncated(sourceName, "its header");
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (length > MaxHeaderLength)
            throw new DataFormatException($"{sourceName}: the .npy header claims to be {length} bytes long, which is not plausible.");
        int headerLength = (int)length;

        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) < headerLength)
            throw Truncated(sourceName, "its header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var (descr, fortranOrder, shape) = ParseHeader(header, sourceName);
        return (descr, fortranOrder, shape, 8 + lengthSize + headerLength);
    }

    /// <summary>
    /// Reads and checks the header (magic, version, dtype, shape, and that the stream holds the
    /// bytes the shape claims, before anything is allocated); leaves the stream at the first data byte.
    /// </summary>
    internal static NpyHeader ReadHeader(Stream stream, string sourceName)
    {
        var (descr, fortranOrder, shape, headerEnd) = ReadRawHeader(stream, sourceName);

        int itemSize = descr switch
        {
            "<f8" => 8,
            "<f4" => 4,
            _ => throw new DataFormatException(
                $"{sourceName}: unsupported dtype '{descr}' ({DescribeDtype(descr)}); Emix reads little-endian float64 ('<f8') and float32 ('<f4') arrays. In NumPy: np.save(path, a.astype('<f8')).")
        };

        long rows, columns;
        switch (shape.Length)
        {
            case 1:
                rows = shape[0];
                columns = 1;
                break;
            case 2:
                rows = shape[0];
                columns = shape[1];
                break;
            default:
                throw new DataFormatException(
                    $"{sourceName}: the array has shape {FormatShape(shape)}; Emix reads 1-D (n,) or 2-D (n, d) arrays.");
        }
        if (rows == 0 || columns == 0)
            throw new DataFormatException($"{sourceName}: no data rows (the array has shape {FormatShape(shape)}).");

        long byteCount;
        try
        {
            byteCount = checked(checked(rows * columns) * itemSize);
        }
        catch (OverflowException)
        {
            throw new DataFormatException($"{sourceName}: the shape {FormatShape(shape)} is too large.");
        }

        long offset = headerEnd;
        if (stream.CanSeek)
        {
            long available = stream.Length - stream.Position;
            if (available < byteCount)
            {
                throw new DataFormatException(
                    $"{sourceName}: the header claims shape {FormatShape(shape)} of '{descr}' ({byteCount} bytes of data), but the file holds only {Math.Max(available, 0)} bytes after the header.");
            }
            offset = stream.Position;
        }
        return new NpyHeader(descr, fortranOrder, shape, itemSize, rows, columns, byteCount, offset);
    }

    private static double[] ReadFloat64(Stream stream, int count, string sourceName, long[] shape, long byteCount)
    {
        // On a stream that cannot seek the size was not checked, so grow the buffer as bytes arrive.
        var values = new double[stream.CanSeek ? count : Math.Min(count, 1 << 20)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == values.Length)
                Array.Resize(ref values, (int)Math.Min((long)values.Length * 2, count));
            var target = MemoryMarshal.AsBytes(values.AsSpan(filled));
            int read = ReadFully(stream, target);
            int whole = read / 8;
            filled += whole;
            if (read < target.Length)
            {
                throw new DataFormatException(
                    $"{sourceName}: the header claims shape {FormatShape(shape)} ({byteCount} bytes of data), but the file ends after {((long)filled * 8) + (read % 8)} bytes of data.");
            }
        }
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<double, long>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        return values;
    }

    private static double[] ReadFloat32(Stream stream, int count, string sourceName, long[] shape, long byteCount)
    {
        var values = new double[stream.CanSeek ? count : Math.Min(count, 1 << 20)];
        var chunk = new float[Math.Min(count, 1 << 16)];
        int filled = 0;
        while (filled < count)
        {
            int take = Math.Min(chunk.Length, count - filled);
            var target = MemoryMarshal.AsBytes(chunk.AsSpan(0, take));
            int read = ReadFully(stream, target);
            if (read < target.Length)
            {
                throw new DataFormatException(
                    $"{sourceName}: the header claims shape {FormatShape(shape)} ({byteCount} bytes of data), but the file ends after {((long)filled * 4) + read} bytes of data.");
            }
            if (!BitConverter.IsLittleEndian)
            {
                var bits = MemoryMarshal.Cast<float, int>(chunk.AsSpan(0, take));
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            if (filled + take > values.Length)
                Array.Resize(ref values, (int)Math.Min(Math.Max((long)values.Length * 2, filled + take), count));
            for (int i = 0; i < take; i++)
                values[filled + i] = chunk[i];
            filled += take;
        }
        return values;
    }

    private static double[] Transpose(double[] columnMajor, int rows, int columns)
    {
        var rowMajor = new double[columnMajor.Length];
        for (int j = 0; j < columns; j++)
        {
            var column = columnMajor.AsSpan(j * rows, rows);
            for (int i = 0; i < rows; i++)
                rowMajor[(i * columns) + j] = column[i];
        }
        return rowMajor;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    private static DataFormatException Truncated(string sourceName, string what) =>
        new($"{sourceName}: the .npy file ends inside {what}.");

    private static string FormatShape(long[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")",
    };

    private static string DescribeDtype(string descr)
    {
        if (descr.Length < 2)
            return "not a NumPy type code";
        char order = descr[0];
        string code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        if (order == '>' && code is "f8" or "f4" or "f2")
            return "big-endian floating point";
        return code.Length == 0 ? "not a NumPy type code" : code[0] switch
        {
            'f' => "floating point of another width",
            'i' => "signed integer",
            'u' => "unsigned integer",
            'b' => "boolean or byte",
            '?' => "boolean",
            'c' => "complex",
            'O' => "Python objects",
            'U' or 'S' or 'a' => "strings",
            'V' => "raw or structured records",
            'M' or 'm' => "dates or time spans",
            _ => "not a floating-point type",
        };
    }

    /// <summary>
    /// Parses the header, a Python dict literal such as
    /// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 2), }</c>.
    /// </summary>
    private static (string Descr, bool FortranOrder, long[] Shape) ParseHeader(string header, string sourceName)
    {
        var parser = new LiteralParser(header, sourceName);
        var dict = parser.ParseHeaderDict();

        if (!dict.TryGetValue("descr", out object? descrValue))
            throw parser.Error("the header has no 'descr' entry");
        if (!dict.TryGetValue("fortran_order", out object? orderValue))
            throw parser.Error("the header has no 'fortran_order' entry");
        if (!dict.TryGetValue("shape", out object? shapeValue))
            throw parser.Error("the header has no 'shape' entry");

        string descr = descrValue switch
        {
            string s => s,
            List<object?> => throw new DataFormatException(
                $"{sourceName}: unsupported dtype (a structured array with named fields); Emix reads plain float64 ('<f8') or float32 ('<f4') arrays."),
            _ => throw parser.Error("'descr' is not a string"),
        };
        bool fortranOrder = orderValue is bool b ? b : throw parser.Error("'fortran_order' is not True or False");
        if (shapeValue is not List<object?> items || !parser.LastShapeWasTuple)
            throw parser.Error("'shape' is not a tuple");
        var shape = new long[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            shape[i] = items[i] is long n && n >= 0 ? n : throw parser.Error("'shape' holds something other than non-negative integers");
        }
        return (descr, fortranOrder, shape);
    }

    /// <summary>A tiny parser for the Python literals that appear in .npy headers.</summary>
    private sealed class LiteralParser
    {
        private readonly string _text;
        private readonly string _sourceName;
        private int _position;

        public LiteralParser(string text, string sourceName)
        {
            _text = text;
            _sourceName = sourceName;
        }

        /// <summary>Whether the value of the 'shape' key was written as a tuple (not a list).</summary>
        public bool LastShapeWasTuple { get; private set; }

        public DataFormatException Error(string problem)
        {
            string shown = _text.TrimEnd(' ', '\n', '\0').ReplaceLineEndings(" ");
            if (shown.Length > 200)
                shown = shown[..200] + "…";
            return new DataFormatException($"{_sourceName}: malformed .npy header ({problem}): {shown}");
        }

        public Dictionary<string, object?> ParseHeaderDict()
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            SkipBlanks();
            Expect('{');
            while (true)
            {
                SkipBlanks();
                if (TryTake('}'))
                    break;
                if (Peek() is not ('\'' or '"'))
                    throw Error("expected a quoted key");
                string key = ParseString();
                SkipBlanks();
                Expect(':');
                SkipBlanks();
                bool tuple = Peek() == '(';
                object? value = ParseValue(0);
                if (key == "shape")
                    LastShapeWasTuple = tuple;
                result[key] = value;
                SkipBlanks();
                if (TryTake(','))
                    continue;
                SkipBlanks();
                Expect('}');
                break;
            }
            SkipBlanks();
            if (_position != _text.Length)
                throw Error("unexpected text after the closing brace");
            return result;
        }

        private object? ParseValue(int depth)
        {
            if (depth > 32)
                throw Error("nested too deeply");
            SkipBlanks();
            char c = Peek();
            switch (c)
            {
                case '\'' or '"':
                    return ParseString();
                case '(' or '[':
                {
                    char close = c == '(' ? ')' : ']';
                    _position++;
                    var items = new List<object?>();
                    while (true)
                    {
                        SkipBlanks();
                        if (TryTake(close))
                            return items;
                        items.Add(ParseValue(depth + 1));
                        SkipBlanks();
                        if (TryTake(','))
                            continue;
                        SkipBlanks();
                        Expect(close);
                        return items;
                    }
                }
                case '{':
                    throw Error("nested dicts are not supported");
                default:
                {
                    int start = _position;
                    while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '_' or '-' or '+'))
                        _position++;
                    var word = _text.AsSpan(start, _position - start);
                    if (word.IsEmpty)
                        throw Error($"unexpected character '{c}'");
                    if (word.SequenceEqual("True"))
                        return true;
                    if (word.SequenceEqual("False"))
                        return false;
                    if (word.SequenceEqual("None"))
                        return null;
                    // Python 2 wrote long integers with an L suffix.
                    if (word.Length > 1 && word[^1] is 'L' or 'l')
                        word = word[..^1];
                    if (long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                        return number;
                    throw Error($"unexpected value '{word}'");
                }
            }
        }

        private string ParseString()
        {
            char quote = _text[_position++];
            var builder = new StringBuilder();
            while (true)
            {
                if (_position >= _text.Length)
                    throw Error("a string is not closed");
                char c = _text[_position++];
                if (c == quote)
                    return builder.ToString();
                if (c == '\\' && _position < _text.Length)
                    c = _text[_position++];
                builder.Append(c);
            }
        }

        private void SkipBlanks()
        {
            while (_position < _text.Length && (char.IsWhiteSpace(_text[_position]) || _text[_position] == '\0'))
                _position++;
        }

        private char Peek() => _position < _text.Length ? _text[_position] : '\0';

        private bool TryTake(char c)
        {
            if (Peek() != c || _position >= _text.Length)
                return false;
            _position++;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
                throw Error(_position < _text.Length ? $"expected '{c}' but found '{_text[_position]}'" : $"expected '{c}' at the end");
        }
    }
}
