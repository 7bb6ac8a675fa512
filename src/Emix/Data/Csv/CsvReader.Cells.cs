using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Emix.Data;

public static partial class CsvReader
{
    private const int MaxQuotedTextLength = 60;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ParseCell(ReadOnlySpan<char> text, RowLayout layout, long lineNumber, int column)
    {
        if (TryParseFast(text, out double value))
            return value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
            return value;
        if (layout.AllowMissing && IsMissingCell(text))
            return double.NaN;
        throw CellError(text, layout.SourceName, lineNumber, column + 1);
    }

    /// <summary>A cell that means "missing" when missing values are allowed: blank, a marker such as NA, or NaN (any sign or case).</summary>
    internal static bool IsMissingCell(ReadOnlySpan<char> text)
    {
        if (text.IsWhiteSpace() || IsMissingMarker(text))
            return true;
        text = text.Trim();
        if (text.Length > 0 && text[0] is '+' or '-')
            text = text[1..];
        return text.Equals("nan", StringComparison.OrdinalIgnoreCase);
    }

    private static DataFormatException CellError(ReadOnlySpan<char> text, string sourceName, long lineNumber, int column)
    {
        string shown = Quote(text);
        string problem;
        if (text.Contains('\0'))
            problem = $"'{shown}' {NumberTextHints.NulCharacter}";
        else if (text.IsWhiteSpace() || IsMissingMarker(text))
            problem = $"missing value '{shown}'.";
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsNonFiniteWord(text))
            problem = $"'{shown}' is not a finite number.";
        else
            problem = $"'{shown}' is not a number{NumberTextHints.Explain(text)}.";
        return DataFormatException.At(sourceName, lineNumber, column, problem);
    }

    private static bool IsMissingMarker(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        return text.Equals("NA", StringComparison.OrdinalIgnoreCase)
            || text.Equals("N/A", StringComparison.OrdinalIgnoreCase)
            || text.Equals("null", StringComparison.OrdinalIgnoreCase)
            || text.Equals("none", StringComparison.OrdinalIgnoreCase)
            || text.Equals("?", StringComparison.Ordinal);
    }

    private static bool IsNonFiniteWord(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.Length > 0 && text[0] is '+' or '-')
            text = text[1..];
        return text.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || text.Equals("infinity", StringComparison.OrdinalIgnoreCase)
            || text.Equals("nan", StringComparison.OrdinalIgnoreCase)
            || text.Equals("∞", StringComparison.Ordinal);
    }

    /// <summary>Quotes text for a one-line message: shortened when long, control characters escaped.</summary>
    private static string Quote(ReadOnlySpan<char> text)
    {
        bool shortened = text.Length > MaxQuotedTextLength;
        if (shortened)
            text = text[..MaxQuotedTextLength];
        var builder = new StringBuilder(text.Length + 1);
        foreach (char c in text)
        {
            if (char.IsControl(c))
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        if (shortened)
            builder.Append('…');
        return builder.ToString();
    }
}
