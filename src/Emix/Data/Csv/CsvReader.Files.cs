using System.Text;

namespace Emix.Data;

public static partial class CsvReader
{
    /// <summary>Opens a text file for reading, turning "not found" and access errors into messages.</summary>
    internal static StreamReader OpenText(string path)
    {
        var stream = OpenFile(path, bufferSize: 1); // the StreamReader buffers
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>Opens a file for sequential reading, turning "not found" and access errors into messages.</summary>
    internal static FileStream OpenFile(string path, int bufferSize)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException($"{path}: file not found.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new DataFormatException($"{path}: cannot be read: {OneLine(ex.Message)}", ex);
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
