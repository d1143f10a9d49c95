using System.Net;

namespace SgNarrower.Reporting
{
    /// <summary>
    /// A horizontal bar chart as inline SVG, drawn from the counts given: one bar per count, its label and its number
    /// written beside it, so the picture never says more than the figures do. Marked bars (high-risk ports) are drawn
    /// in another colour and say so in words, for readers who do not see the colour.
    /// </summary>
    public static class SvgBarChart
    {
        private const int Width = 640, LabelWidth = 250, BarHeight = 22, Gap = 6, CountWidth = 70;

        public static string Draw(string id, string title, IReadOnlyList<Tally> bars, string? markedMeaning = null)
        {
            var max = bars.Count == 0 ? 1 : System.Math.Max(1, bars.Max(b => b.Count));
            int height = bars.Count * (BarHeight + Gap) + Gap;
            var sb = new StringBuilder();
            var desc = string.Join("; ", bars.Select(b => $"{b.Name}: {b.Count}{(b.Marked && markedMeaning != null ? " (" + markedMeaning + ")" : "")}"));
            sb.Append(Inv($"<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">"));
            sb.Append($"<title id=\"{id}-title\">{Encode(title)}</title><desc id=\"{id}-desc\">{Encode(desc)}</desc>");
            int y = Gap;
            int barSpace = Width - LabelWidth - CountWidth;
            foreach (var bar in bars)
            {
                int w = bar.Count == 0 ? 0 : System.Math.Max(2, (int)System.Math.Round((double)bar.Count / max * barSpace));
                var label = bar.Name.Length > 34 ? bar.Name.Substring(0, 33) + "…" : bar.Name;
                if (bar.Marked && markedMeaning != null) label = "⚠ " + label;
                sb.Append(Inv($"<g class=\"bar{(bar.Marked ? " marked" : "")}\" data-label=\"{Encode(bar.Name)}\" data-count=\"{bar.Count}\">"));
                sb.Append(Inv($"<text x=\"{LabelWidth - 8}\" y=\"{y + BarHeight / 2 + 5}\" text-anchor=\"end\">{Encode(label)}</text>"));
                sb.Append(Inv($"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{w}\" height=\"{BarHeight}\" rx=\"3\"></rect>"));
                sb.Append(Inv($"<text x=\"{LabelWidth + w + 6}\" y=\"{y + BarHeight / 2 + 5}\">{bar.Count.ToString("N0", CultureInfo.InvariantCulture)}</text>"));
                sb.Append("</g>");
                y += BarHeight + Gap;
            }
            sb.Append("</svg>");
            return sb.ToString();
        }

        private static string Encode(string text) => WebUtility.HtmlEncode(text);
        private static string Inv(System.FormattableString text) => System.FormattableString.Invariant(text);
    }
}
