using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Emix.Data;

/// <summary>
/// A <c>.npy</c> file read from disk chunk by chunk on every pass instead of held in memory:
/// the data side of an out-of-core fit. Memory is one chunk per thread, whatever the file size.
/// </summary>
/// <remarks>
/// Reads are positional (<see cref="RandomAccess"/>), so threads read their own chunks without
/// sharing a stream position. C-order files read one contiguous range per chunk; Fortran-order
/// files read one range per feature. float32 files are widened to float64 as they are read.
/// Values are checked as they are read: a NaN or infinity stops the pass with its row and column.
/// </remarks>
public sealed class NpyFileRows : RowSource, IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly NpyReader.NpyHeader _header;
    private readonly string[] _names;

    private NpyFileRows(SafeFileHandle handle, NpyReader.NpyHeader header, string path, string source, IReadOnlyList<string>? names)
    {
        _handle = handle;
        _header = header;
        Source = source;
        _names = names is { } given && given.Count == header.Columns
            ? [.. given]
            : Enumerable.Range(1, (int)header.Columns).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture)).ToArray();
        _ = path;
    }

    /// <summary>Opens a .npy file for streaming; the header is checked now, the data on every pass.</summary>
    /// <param name="path">The file.</param>
    /// <param name="featureNames">Column names (default x1…xd).</param>
    /// <param name="source">How messages name the data (default: the path), e.g. the CSV a temporary .npy was made from.</param>
    /// <exception cref="DataFormatException">The file is missing or not a supported array.</exception>
    public static NpyFileRows Open(string path, IReadOnlyList<string>? featureNames = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        NpyReader.NpyHeader header;
        using (var stream = CsvReader.OpenFile(path, 4096))
            header = NpyReader.ReadHeader(stream, path);
        if (header.Rows > int.MaxValue || header.Columns > 100_000)
            throw new DataFormatException($"{path}: shape ({header.Rows}, {header.Columns}) is beyond what Emix fits (at most {int.MaxValue} rows and 100000 columns).");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        return new NpyFileRows(handle, header, path, source ?? path, featureNames);
    }

    /// <inheritdoc/>
    public override int RowCount => (int)_header.Rows;

    /// <inheritdoc/>
    public override int FeatureCount => (int)_header.Columns;

    /// <inheritdoc/>
    public override IReadOnlyList<string> FeatureNames => _names;

    /// <inheritdoc/>
    public override string Source { get; }

    /// <summary>Bytes of data in the file (rows × columns × item size).</summary>
    public long DataBytes => _header.DataBytes;

    /// <inheritdoc/>
    protected internal override bool IsInMemory => false;

    /// <inheritdoc/>
    protected internal override ReadOnlySpan<double> ReadRows(int start, int count, ref double[]? buffer)
    {
        int d = FeatureCount;
        int length = count * d;
        if (buffer is null || buffer.Length < length)
            buffer = new double[length];
        var values = buffer.AsSpan(0, length);
        int size = _header.ItemSize;
        if (!_header.FortranOrder || d == 1)
        {
            long offset = _header.DataOffset + ((long)start * d * size);
            if (size == 8)
                ReadExactly(MemoryMarshal.AsBytes(values), offset);
            else
                ReadSingles(values, offset);
        }
        else
        {
            // Fortran order: feature a of rows [start, start+count) is contiguous.
            var column = new double[count];
            for (int a = 0; a < d; a++)
            {
                long offset = _header.DataOffset + ((((long)a * RowCount) + start) * size);
                if (size == 8)
                    ReadExactly(MemoryMarshal.AsBytes(column.AsSpan()), offset);
                else
                    ReadSingles(column, offset);
                for (int i = 0; i < count; i++)
                    values[(i * d) + a] = column[i];
            }
        }
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Streaming .npy files needs a little-endian machine.");
        for (int i = 0; i < length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw DataFormatException.At(Source, start + (i / d) + 1, (i % d) + 1,
                    $"{values[i].ToString("R", CultureInfo.InvariantCulture)} is not a finite number.");
        }
        return values;
    }

    private void ReadSingles(Span<double> values, long offset)
    {
        var bytes = new byte[values.Length * 4];
        ReadExactly(bytes, offset);
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4, 4));
    }

    private void ReadExactly(Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(_handle, destination, offset);
            if (read <= 0)
                throw new DataFormatException($"{Source}: the file ended early (was it truncated while being read?).");
            destination = destination[read..];
            offset += read;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _handle.Dispose();
}
