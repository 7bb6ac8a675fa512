using System.Text.RegularExpressions;

namespace Emix.Data;

/// <summary>
/// Says why a cell that looks numeric to a person is not a number to Emix: thousands separators or a decimal
/// comma (locale formats that are refused rather than guessed, since <c>1,234</c> reads either way), or a NUL
/// character. Used only on the error path.
/// </summary>
internal static partial class NumberTextHints
{
    /// <summary>The problem of text holding a NUL character, ending in a full stop.</summary>
    public const string NulCharacter =
        "contains a NUL character: the file is binary, or UTF-16 text without a byte order mark. Emix reads UTF-8 text (UTF-16 with a byte order mark works too).";

    /// <summary>
    /// A clause to append to "'…' is not a number" (starting with ": "), or an empty string when the text
    /// has no recognisable locale format.
    /// </summary>
    public static string Explain(ReadOnlySpan<char> text)
    {
        string trimmed = text.Trim().ToString();
        var grouped = Grouped().Match(trimmed);
        if (grouped.Success)
        {
            bool oneCommaGroup = grouped.Groups["sep"].Value == "," && grouped.Groups["more"].Captures.Count == 0
                && !grouped.Groups["fraction"].Success;
            return oneCommaGroup
                ? ": the comma is a thousands separator or a decimal comma; write 1234 or 1.234 (a decimal point and no digit grouping), e.g. re-export the file with digit grouping off and '.' as the decimal separator"
                : ": it has thousands separators; remove the separators (write 1234567.5, not 1,234,567.5), e.g. re-export the file with digit grouping off";
        }
        if (DecimalComma().IsMatch(trimmed))
            return ": it has a decimal comma; Emix reads numbers with a decimal point (1.5, not 1,5): re-export the file with '.' as the decimal separator and ',' or a tab between columns";
        return string.Empty;
    }

    // 1,234 · 1,234,567.5 · 1 234 567 · 1'234 · 1_000 (the same separator between groups of three digits).
    [GeneratedRegex(@"^[+-]?\d{1,3}(?<sep>[,' _\u00a0\u202f])\d{3}(?<more>\k<sep>\d{3})*(?<fraction>\.\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Grouped();

    // 1,5 · -0,25 · 1.234,5 · 1 234,5 (a comma before the last digits, maybe '.', ' ' or ''' grouping before it).
    [GeneratedRegex(@"^[+-]?(\d{1,3}([.' \u00a0\u202f]\d{3})+|\d+),\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalComma();
}
