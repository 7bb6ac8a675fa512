namespace Emix.Plots;

/// <summary>One picture of a <see cref="MixtureReport"/>: what it is, the sentence under it and the figure itself.</summary>
/// <param name="Name">A short name, unique in the report: bic, criterion, classification, uncertainty or density (the HTML id is "picture-" and the name).</param>
/// <param name="Heading">The picture's heading in the page, e.g. "BIC curves".</param>
/// <param name="Caption">What the picture shows, in one sentence (and which rows are drawn, when not all of them).</param>
/// <param name="Figure">The picture, written into the page as inline SVG.</param>
public sealed record ReportPicture(string Name, string Heading, string Caption, MixtureFigure Figure);
