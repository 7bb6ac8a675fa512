using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Emix.Plots;

/// <summary>
/// Makes a picture's SVG document fit inside an HTML page: no XML declaration or namespace declarations
/// (the HTML parser puts &lt;svg&gt; in the SVG namespace by itself), ids renumbered under a prefix of the
/// picture's (a page has one id space for all its pictures), a viewBox so it scales with the page, and less
/// of the size: coordinates rounded to a tenth of a pixel, no indentation, points grouped by colour and
/// strokes of one style joined (a pairs grid is mostly coordinates: together this is about a third of it).
/// </summary>
internal static partial class InlineSvg
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The SVG element of <paramref name="document"/>, ready to be written into an HTML page.</summary>
    /// <param name="document">The SVG document (what <see cref="MixtureFigure.ToSvg"/> writes).</param>
    /// <param name="idPrefix">Prefix of every id of this picture; unique in the page, made of letters, digits and '-'.</param>
    /// <param name="label">What the picture shows, for readers that do not see it (escaped here).</param>
    public static string Prepare(string document, string idPrefix, string label)
    {
        string svg = document;
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start < 0)
            throw new ArgumentException("Not an SVG document: no <svg> element.", nameof(document));
        svg = svg[start..];

        // Whitespace between elements is indentation; inside <text> it would shift the glyph positions.
        svg = BetweenTags().Replace(svg, "><");
        svg = TextContent().Replace(svg, m => m.Groups[1].Value + m.Groups[2].Value.Trim() + "</text>");
        // Skia numbers ids from a counter of the process: numbered afresh here, the same picture gives the same page.
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match id in IdAttribute().Matches(svg))
            ids.TryAdd(id.Groups[1].Value, string.Create(Inv, $"{idPrefix}-{ids.Count + 1}"));
        svg = Attribute().Replace(svg, m => RewriteAttribute(m, ids));

        svg = JoinStrokes(GroupMarkers(svg));

        var root = RootTag().Match(svg);
        if (!root.Success)
            throw new ArgumentException("Not an SVG document: the <svg> element has no width and height.", nameof(document));
        string width = root.Groups["w"].Value, height = root.Groups["h"].Value;
        string tag = string.Create(Inv,
            $"<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{Html.Escape(label)}\">");
        return string.Concat(tag, svg.AsSpan(root.Index + root.Length)).Trim();
    }

    /// <summary>
    /// Runs of round markers of one colour (ScottPlot draws each point as an &lt;ellipse&gt; with its own fill)
    /// become one group carrying the fill, of &lt;circle&gt; elements: a point shrinks from about 85 bytes to 40.
    /// </summary>
    private static string GroupMarkers(string svg) => JoinRuns(svg, RoundMarker(),
        key => $"<g{key}>",
        m => $"<circle cx=\"{m.Groups["cx"].Value}\" cy=\"{m.Groups["cy"].Value}\" r=\"{m.Groups["r"].Value}\"/>",
        "</g>");

    /// <summary>
    /// Runs of unfilled, opaque strokes of one style (a tick mark is a path of its own) become one path of
    /// their subpaths, which strokes the same pixels: subpaths are not joined, and without opacity overlaps do not show.
    /// </summary>
    private static string JoinStrokes(string svg) => JoinRuns(svg, OpaqueStroke(),
        key => $"<path fill=\"none\"{key} d=\"",
        m => m.Groups["d"].Value,
        "\"/>");

    /// <summary>
    /// Replaces each run of adjacent matches of <paramref name="element"/> with the same "key" group by
    /// <paramref name="open"/>(key), each match's <paramref name="item"/> and <paramref name="close"/>.
    /// </summary>
    private static string JoinRuns(string svg, Regex element, Func<string, string> open, Func<Match, string> item, string close)
    {
        var s = new StringBuilder(svg.Length);
        int copied = 0; // svg[..copied] is in s
        string? openKey = null; // the key of the run left open, if any
        foreach (Match m in element.Matches(svg))
        {
            string key = m.Groups["key"].Value;
            if (openKey != key || m.Index != copied)
            {
                if (openKey is not null)
                    s.Append(close);
                s.Append(svg, copied, m.Index - copied).Append(open(key));
                openKey = key;
            }
            s.Append(item(m));
            copied = m.Index + m.Length;
        }
        if (openKey is not null)
            s.Append(close);
        return s.Append(svg, copied, svg.Length - copied).ToString();
    }

    private static string RewriteAttribute(Match m, Dictionary<string, string> ids)
    {
        string name = m.Groups["name"].Value, value = m.Groups["value"].Value;
        if (name.StartsWith("xmlns", StringComparison.Ordinal))
            return "";
        if (name == "id")
            return $" id=\"{ids[value]}\"";
        if (value.Contains("url(#", StringComparison.Ordinal))
            value = Reference().Replace(value, r => ids.TryGetValue(r.Groups[1].Value, out var id) ? $"url(#{id})" : r.Value);
        if (name is "href" or "xlink:href" && value.StartsWith('#') && ids.TryGetValue(value[1..], out var target))
            value = "#" + target;
        // Opacities keep two decimals (0.74901962 → 0.75); lengths and coordinates one (a tenth of a pixel).
        int decimals = name.EndsWith("opacity", StringComparison.Ordinal) ? 2 : 1;
        value = Number().Replace(value, n => Round(n.Value, decimals));
        return $" {name}=\"{value}\"";
    }

    private static string Round(string number, int decimals)
    {
        if (!double.TryParse(number, NumberStyles.Float, Inv, out double value))
            return number;
        string text = Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("0.##", Inv);
        return text == "-0" ? "0" : text;
    }

    [GeneratedRegex(@">\s+<")]
    private static partial Regex BetweenTags();

    [GeneratedRegex(@"(<text\b[^>]*>)([^<]*)</text>")]
    private static partial Regex TextContent();

    [GeneratedRegex(@"\s(?<name>[A-Za-z_][\w:.-]*)=""(?<value>[^""]*)""")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"\sid=""([^""]+)""")]
    private static partial Regex IdAttribute();

    [GeneratedRegex(@"url\(#([^)]+)\)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"-?\d+\.\d+(?:[eE][-+]?\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex(@"<ellipse(?<key> fill=""[^""]+""(?: fill-opacity=""[^""]+"")?) cx=""(?<cx>[^""]+)"" cy=""(?<cy>[^""]+)"" rx=""(?<r>[^""]+)"" ry=""\k<r>""/>")]
    private static partial Regex RoundMarker();

    [GeneratedRegex(@"<path fill=""none""(?<key>(?: stroke(?:-width|-miterlimit|-linecap|-linejoin)?=""[^""]+"")+) d=""(?<d>[^""]+)""/>")]
    private static partial Regex OpaqueStroke();

    [GeneratedRegex(@"^<svg\b[^>]*?\swidth=""(?<w>[\d.]+)""[^>]*?\sheight=""(?<h>[\d.]+)""[^>]*>")]
    private static partial Regex RootTag();
}

/// <summary>Text made safe for HTML, and the page's small building blocks.</summary>
internal static class Html
{
    /// <summary>Escapes &amp;, &lt;, &gt;, " and ' (text and attribute values alike).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var s = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            s.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return s.ToString();
    }
}
