using System.Globalization;

namespace Emix.Data.Frames;

/// <summary>
/// Video frames of 8-bit pixels read one at a time (memory bounded by a frame): grey (1 channel) or
/// colour (3, interleaved), all of one size. <see cref="Open"/> picks the reader: a NumPy <c>.npy</c>
/// uint8 array of shape (t, h, w) or (t, h, w, 3), or a folder of binary PGM (P5) / PPM (P6) files.
/// </summary>
public abstract class FrameSource : IDisposable
{
    /// <summary>Number of frames.</summary>
    public abstract int FrameCount { get; }

    /// <summary>Frame width in pixels.</summary>
    public abstract int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public abstract int Height { get; }

    /// <summary>Channels per pixel: 1 (grey) or 3 (colour).</summary>
    public abstract int Channels { get; }

    /// <summary>Where the frames come from, for messages.</summary>
    public abstract string Source { get; }

    /// <summary>Bytes of one frame: height × width × channels.</summary>
    public int FrameBytes => Height * Width * Channels;

    /// <summary>Reads frame <paramref name="index"/> (0-based, in order) into <paramref name="frame"/> (<see cref="FrameBytes"/> bytes).</summary>
    /// <exception cref="DataFormatException">The frame is truncated or unlike the first.</exception>
    public abstract void ReadFrame(int index, Span<byte> frame);

    /// <summary>Opens a .npy file or a folder of PGM/PPM frames (sorted by file name, ordinal).</summary>
    /// <exception cref="DataFormatException">Not found, not uint8, not (t, h, w[, 3]), truncated, or frames of different sizes.</exception>
    public static FrameSource Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            return PnmFolderFrames.OpenFolder(path);
        if (!File.Exists(path))
            throw new DataFormatException($"{path}: no such file or folder of frames.");
        return NpyFrames.OpenFile(path);
    }

    /// <summary>Releases the file.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the file when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Refuses sizes whose frame bytes would not fit one array.</summary>
    private protected static void CheckSize(string source, long height, long width, long channels)
    {
        if (height < 1 || width < 1 || height * width * channels > Array.MaxLength)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{source}: frames of {width} × {height} pixels are not supported."));
    }
}

/// <summary>Frames of a uint8 .npy array (t, h, w) or (t, h, w, 3), C order, read frame by frame.</summary>
internal sealed class NpyFrames : FrameSource
{
    private readonly FileStream _stream;
    private readonly long _dataOffset;

    private NpyFrames(FileStream stream, string source, long dataOffset, int frames, int height, int width, int channels)
    {
        _stream = stream;
        Source = source;
        _dataOffset = dataOffset;
        FrameCount = frames;
        Height = height;
        Width = width;
        Channels = channels;
    }

    public override int FrameCount { get; }
    public override int Width { get; }
    public override int Height { get; }
    public override int Channels { get; }
    public override string Source { get; }

    public static NpyFrames OpenFile(string path)
    {
        var stream = CsvReader.OpenFile(path, 1 << 16);
        try
        {
            var (descr, fortranOrder, shape, dataOffset) = NpyReader.ReadRawHeader(stream, path);
            if (descr is not ("|u1" or "<u1" or "u1"))
                throw new DataFormatException($"{path}: frames must be uint8 ('|u1'), found dtype '{descr}'; in NumPy: np.save(path, frames.astype(np.uint8)).");
            if (shape.Length is not (3 or 4) || (shape.Length == 4 && shape[3] != 3))
                throw new DataFormatException($"{path}: frames must have shape (t, h, w) or (t, h, w, 3), found ({string.Join(", ", shape)}).");
            if (fortranOrder)
                throw new DataFormatException($"{path}: frames must be in C order; in NumPy: np.save(path, np.ascontiguousarray(frames)).");
            int channels = shape.Length == 4 ? 3 : 1;
            CheckSize(path, shape[1], shape[2], channels);
            if (shape[0] < 1 || shape[0] > int.MaxValue)
                throw new DataFormatException($"{path}: no frames (shape ({string.Join(", ", shape)})).");
            long bytes = shape[0] * shape[1] * shape[2] * channels;
            long available = stream.Length - dataOffset;
            if (available < bytes)
                throw new DataFormatException($"{path}: truncated: the header claims {shape[0]} frames ({bytes} bytes) but the file holds {Math.Max(0, available)} bytes of data.");
            return new NpyFrames(stream, path, dataOffset, (int)shape[0], (int)shape[1], (int)shape[2], channels);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public override void ReadFrame(int index, Span<byte> frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, FrameCount);
        _stream.Position = _dataOffset + ((long)index * FrameBytes);
        var target = frame[..FrameBytes];
        while (!target.IsEmpty)
        {
            int read = _stream.Read(target);
            if (read == 0)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{Source}: truncated in frame {index + 1}."));
            target = target[read..];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _stream.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A folder of binary PGM (P5, grey) or PPM (P6, colour) frames with maximum value 255, sorted by name.</summary>
internal sealed class PnmFolderFrames : FrameSource
{
    private readonly string[] _files;

    private PnmFolderFrames(string folder, string[] files, int width, int height, int channels)
    {
        Source = folder;
        _files = files;
        Width = width;
        Height = height;
        Channels = channels;
    }

    public override int FrameCount => _files.Length;
    public override int Width { get; }
    public override int Height { get; }
    public override int Channels { get; }
    public override string Source { get; }

    public static PnmFolderFrames OpenFolder(string folder)
    {
        var files = Directory.GetFiles(folder)
            .Where(f => Path.GetExtension(f).ToUpperInvariant() is ".PGM" or ".PPM" or ".PNM")
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new DataFormatException($"{folder}: no .pgm or .ppm frames in the folder.");
        var (width, height, channels, _) = ReadHeader(files[0]);
        return new PnmFolderFrames(folder, files, width, height, channels);
    }

    public override void ReadFrame(int index, Span<byte> frame)
    {
        string file = _files[index];
        var (width, height, channels, offset) = ReadHeader(file);
        if (width != Width || height != Height || channels != Channels)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{file}: frame {index + 1} is {width} × {height} with {channels} channel{(channels == 1 ? "" : "s")}, but the first is {Width} × {Height} with {Channels}; every frame must have the same size and kind."));
        using var stream = File.OpenRead(file);
        stream.Position = offset;
        var target = frame[..FrameBytes];
        while (!target.IsEmpty)
        {
            int read = stream.Read(target);
            if (read == 0)
                throw new DataFormatException($"{file}: truncated (fewer pixels than its header claims).");
            target = target[read..];
        }
    }

    /// <summary>The P5/P6 header: magic, width, height, maximum value (255 only), comments allowed; returns where the pixels start.</summary>
    private static (int Width, int Height, int Channels, long Offset) ReadHeader(string file)
    {
        using var stream = File.OpenRead(file);
        int Next() => stream.ReadByte();
        string magic = string.Concat((char)Next(), (char)Next());
        int channels = magic switch
        {
            "P5" => 1,
            "P6" => 3,
            _ => throw new DataFormatException($"{file}: not a binary PGM (P5) or PPM (P6) file (it starts with '{magic}')."),
        };
        var fields = new long[3];
        int c = Next();
        for (int f = 0; f < 3; f++)
        {
            while (c == '#' || char.IsWhiteSpace((char)c))
            {
                if (c == '#')
                    while (c is not ('\n' or -1))
                        c = Next();
                c = Next();
            }
            if (c is < '0' or > '9')
                throw new DataFormatException($"{file}: malformed PGM/PPM header.");
            long value = 0;
            while (c is >= '0' and <= '9' && value < int.MaxValue)
            {
                value = (value * 10) + (c - '0');
                c = Next();
            }
            fields[f] = value;
        }
        if (fields[2] != 255)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{file}: maximum value {fields[2]}; 8-bit frames (255) only."));
        CheckSize(file, fields[1], fields[0], channels);
        // One whitespace byte ends the header.
        return ((int)fields[0], (int)fields[1], channels, stream.Position);
    }
}
