using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Emix.Data;

/// <summary>
/// Writes NumPy <c>.npy</c> files: format version 1.0, little-endian float64 (<c>'&lt;f8'</c>), C order,
/// shape <c>(rows, features)</c>, with the header padded by spaces to a multiple of 64 bytes and ended by a
/// newline, as NumPy writes it.
/// </summary>
public static class NpyWriter
{
    private const int Alignment = 64;

    /// <summary>
    /// Writes a data set to a file. The bytes go to a temporary file in the same folder that then replaces
    /// <paramref name="path"/>, so a reader never sees a half-written file.
    /// </summary>
    /// <param name="path">The file to write (replaced when it exists).</param>
    /// <param name="data">The rows to write.</param>
    public static void Write(string path, DataSet data)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(data);

        AtomicFile.Write(path, stream => Write(stream, data.Values, data.RowCount, data.FeatureCount));
    }

    /// <summary>Writes a row-major array as a <c>.npy</c> file to a stream, from its current position.</summary>
    /// <param name="stream">Where to write; left open.</param>
    /// <param name="rowMajor">The values, row after row; its length must be <paramref name="rowCount"/> × <paramref name="featureCount"/>.</param>
    /// <param name="rowCount">Number of rows.</param>
    /// <param name="featureCount">Number of values per row.</param>
    public static void Write(Stream stream, ReadOnlySpan<double> rowMajor, int rowCount, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfNegative(featureCount);
        if ((long)rowCount * featureCount != rowMajor.Length)
        {
            throw new ArgumentException(
                $"{rowMajor.Length} values do not make {rowCount} rows of {featureCount} features.", nameof(rowMajor));
        }

        stream.Write(BuildHeader(rowCount, featureCount));

        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(rowMajor));
            return;
        }

        var chunk = new byte[8 * 8192];
        while (!rowMajor.IsEmpty)
        {
            int take = Math.Min(rowMajor.Length, chunk.Length / 8);
            for (int i = 0; i < take; i++)
                BinaryPrimitives.WriteDoubleLittleEndian(chunk.AsSpan(i * 8, 8), rowMajor[i]);
            stream.Write(chunk, 0, take * 8);
            rowMajor = rowMajor[take..];
        }
    }

    /// <summary>The magic string, version, header length and padded header dict of a version 1.0 file.</summary>
    internal static byte[] BuildHeader(int rowCount, int featureCount, int minimumLength = 0) =>
        BuildHeader("<f8", string.Create(CultureInfo.InvariantCulture, $"({rowCount}, {featureCount})"), minimumLength);

    /// <summary>
    /// Writes the header of a C-order uint8 array of <paramref name="shape"/> (e.g. masks t × h × w); the
    /// caller writes the bytes after it, row-major.
    /// </summary>
    public static void WriteUInt8Header(Stream stream, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var extents = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
            extents[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        string tuple = shape.Length == 1 ? $"({extents[0]},)" : $"({string.Join(", ", extents)})";
        stream.Write(BuildHeader("|u1", tuple));
    }

    /// <summary>The same for any dtype string and shape tuple (e.g. "|u1" and "(t, h, w)").</summary>
    internal static byte[] BuildHeader(string descr, string shape, int minimumLength = 0)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        const int Preamble = 10; // magic (6) + version (2) + header length (2)
        int unpadded = Preamble + dict.Length + 1; // + the final newline
        int total = (Math.Max(unpadded, minimumLength) + Alignment - 1) / Alignment * Alignment;
        int headerLength = total - Preamble;

        var bytes = new byte[total];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];
        magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8, 2), checked((ushort)headerLength));
        int written = Encoding.ASCII.GetBytes(dict, bytes.AsSpan(Preamble));
        bytes.AsSpan(Preamble + written, total - Preamble - written - 1).Fill((byte)' ');
        bytes[total - 1] = (byte)'\n';
        return bytes;
    }
}
