using System.Net;
using SgNarrower.Json;

namespace SgNarrower.Reporting
{
    /// <summary>
    /// One self-contained HTML page: the summary, charts drawn as inline SVG, the runs, and a table of every rule
    /// that sorts and filters in the browser, shown a page at a time so that 100,000 rules open at once. Style,
    /// script and data are inside the file: it fetches nothing, so it opens from a mail attachment or an S3 link.
    /// </summary>
    public static class HtmlReport
    {
        public static string Write(ReportInput input, ReportSummary summary, string title, string tool, DateTime generatedAt)
        {
            var sb = new StringBuilder(1024 + input.Rows.Count * 300);
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            sb.Append("<meta name=\"generator\" content=\"").Append(E(tool)).Append("\">\n");
            sb.Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Resource("report.css")).Append("</style>\n</head>\n<body>\n");

            sb.Append("<header>\n<h1>").Append(E(title)).Append("</h1>\n<p class=\"meta\">Generated ")
              .Append(E(generatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
              .Append(" by ").Append(E(tool)).Append(" from ").Append(E(Sources(summary))).Append(".</p>\n</header>\n<main>\n");

            Facts(sb, summary);
            Tallies(sb, summary);
            Charts(sb, summary);
            Runs(sb, input, summary);
            Stale(sb, summary);
            RuleTable(sb, summary);

            sb.Append("</main>\n<script type=\"application/json\" id=\"report-data\">").Append(Data(input)).Append("</script>\n");
            sb.Append("<script>\n").Append(Resource("report.js")).Append("</script>\n</body>\n</html>\n");
            return sb.ToString();
        }

        private static string Sources(ReportSummary s)
        {
            var parts = new List<string>();
            if (s.Records.Count > 0) parts.Add(Plural(s.Records.Count, "record"));
            if (s.PipelineRows > 0 || parts.Count == 0) parts.Add(Plural(s.PipelineRows, "object") + " from the pipeline");
            return string.Join(" and ", parts);
        }

        private static void Facts(StringBuilder sb, ReportSummary s)
        {
            sb.Append("<section aria-labelledby=\"summary-heading\">\n<h2 id=\"summary-heading\">Summary</h2>\n<dl class=\"facts\">\n");
            Fact(sb, "Rules", "rules", N(s.RuleCount));
            Fact(sb, "Runs", "runs", N(s.RunCount));
            if (s.Runs.Count > 0)
                Fact(sb, "When", "when", s.Runs.Count == 1 ? Time(s.Runs[0].RecordedAt) : $"{Time(s.Runs[0].RecordedAt)} to {Time(s.Runs[s.Runs.Count - 1].RecordedAt)}", list: true);
            Fact(sb, "Accounts", "accounts", s.Accounts.Count == 0 ? "none given" : string.Join(", ", s.Accounts), list: true);
            Fact(sb, "Regions", "regions", s.Regions.Count == 0 ? "none given" : string.Join(", ", s.Regions), list: true);
            sb.Append("</dl>\n</section>\n");
        }

        private static void Fact(StringBuilder sb, string name, string key, string value, bool list = false) =>
            sb.Append("<div><dt>").Append(E(name)).Append("</dt><dd").Append(list ? " class=\"list\"" : "").Append(" data-fact=\"").Append(key).Append("\">")
              .Append(E(value)).Append("</dd></div>\n");

        /// <summary>The facets a report counts and filters by: a name, the key the page's script knows it by, its counts.</summary>
        private static IEnumerable<(string Name, string Facet, IReadOnlyList<Tally> Tallies)> Facets(ReportSummary s) => AllFacets(s)
            // Exceptions and who opened a rule are counted only where some rule has one: otherwise all are None.
            .Where(f => (f.Facet != "exception" || s.ByException.Any(t => t.Name != ReportRow.NoException && t.Count > 0))
                     && (f.Facet != "provenance" || s.ByProvenance.Any(t => t.Name != ReportRow.NotRead && t.Count > 0)));

        private static (string Name, string Facet, IReadOnlyList<Tally> Tallies)[] AllFacets(ReportSummary s) => new[]
        {
            ("Severity", "severity", s.BySeverity),
            ("Status", "status", s.ByStatus),
            ("Exposure", "exposure", s.ByExposure),
            ("Recommendation", "recommendation", s.ByRecommendation),
            ("Exception", "exception", s.ByException),
            ("Opened by", "provenance", s.ByProvenance),
        };

        private static void Tallies(StringBuilder sb, ReportSummary s)
        {
            sb.Append("<section aria-labelledby=\"counts-heading\">\n<h2 id=\"counts-heading\">Open rules by severity, status, exposure, recommendation, exception and who opened them</h2>\n<div class=\"tallies\">\n");
            foreach (var (name, facet, tallies) in Facets(s)) Tally(sb, "By " + name.ToLowerInvariant(), facet, tallies);
            sb.Append("</div>\n</section>\n");
        }

        private static void Tally(StringBuilder sb, string caption, string facet, IReadOnlyList<Tally> tallies)
        {
            sb.Append("<table class=\"tally\" data-facet=\"").Append(facet).Append("\"><caption>").Append(E(caption)).Append("</caption>\n<tbody>\n");
            foreach (var t in tallies)
                sb.Append("<tr data-value=\"").Append(E(t.Name)).Append("\" data-count=\"").Append(t.Count.ToString(CultureInfo.InvariantCulture)).Append("\"><th scope=\"row\">")
                  .Append(E(t.Name)).Append("</th><td class=\"num\">").Append(N(t.Count)).Append("</td></tr>\n");
            sb.Append("</tbody></table>\n");
        }

        private static void Charts(StringBuilder sb, ReportSummary s)
        {
            sb.Append("<section aria-labelledby=\"charts-heading\">\n<h2 id=\"charts-heading\">Where the open rules are</h2>\n<div class=\"charts\">\n");
            var ports = s.TopPorts.ToList();
            if (s.OtherPorts > 0) ports.Add(new Tally("other ports", s.OtherPorts));
            Figure(sb, "chart-ports", $"Open rules by port (top {Math.Min(ReportSummary.TopPortCount, s.TopPorts.Count)}; ⚠ a high-risk port of Security Hub EC2.19)", ports, "high-risk");
            Figure(sb, "chart-scopes", "Open rules by account and region", s.ByScope, null);
            if (s.ByRun.Count > 1) Figure(sb, "chart-runs", "Rules recorded per run, oldest first", s.ByRun, null);
            sb.Append("</div>\n</section>\n");
        }

        private static void Figure(StringBuilder sb, string id, string caption, IReadOnlyList<Tally> bars, string? marked) =>
            sb.Append("<figure>\n<figcaption>").Append(E(caption)).Append("</figcaption>\n").Append(SvgBarChart.Draw(id, caption, bars, marked)).Append("\n</figure>\n");

        private static void Runs(StringBuilder sb, ReportInput input, ReportSummary s)
        {
            if (s.Runs.Count == 0) return;
            var records = input.Lines.Where(r => r.Run != null).GroupBy(r => r.Run!.RunId)
                .ToDictionary(g => g.Key, g => g.Select(r => r.RecordUri).Where(u => u != null).Distinct().ToList());
            sb.Append("<section aria-labelledby=\"runs-heading\">\n<h2 id=\"runs-heading\">Runs</h2>\n<div class=\"table-wrap\"><table id=\"runs-table\">\n<thead><tr><th scope=\"col\">Recorded at</th><th scope=\"col\">Run id</th><th scope=\"col\">Written by</th><th scope=\"col\" class=\"num\">Rules</th><th scope=\"col\">Record</th></tr></thead>\n<tbody>\n");
            for (int i = 0; i < s.Runs.Count; i++)
            {
                var run = s.Runs[i];
                var uris = records.TryGetValue(run.RunId, out var u) ? string.Join(", ", u) : "";
                sb.Append("<tr><td>").Append(E(Time(run.RecordedAt))).Append("</td><td class=\"mono\">").Append(E(run.RunId)).Append("</td><td>").Append(E(run.Tool))
                  .Append("</td><td class=\"num\">").Append(N(s.ByRun[i].Count)).Append("</td><td class=\"mono\">").Append(E(uris)).Append("</td></tr>\n");
            }
            sb.Append("</tbody></table></div>\n</section>\n");
        }

        /// <summary>Exceptions kept for nothing: each with its scope, owner, ticket and end, so that someone removes it.</summary>
        private static void Stale(StringBuilder sb, ReportSummary s)
        {
            if (s.StaleExceptions.Count == 0) return;
            sb.Append("<section aria-labelledby=\"stale-heading\">\n<h2 id=\"stale-heading\">Stale exceptions</h2>\n<p>These exceptions have not ended and name no rule of the accounts and regions in this report: remove them, or check their scope.</p>\n")
              .Append("<div class=\"table-wrap\"><table id=\"stale-table\">\n<thead><tr><th scope=\"col\">Exception</th><th scope=\"col\">Names</th><th scope=\"col\">Owner</th><th scope=\"col\">Ticket</th><th scope=\"col\">Ends</th></tr></thead>\n<tbody>\n");
            foreach (var e in s.StaleExceptions)
                sb.Append("<tr><td>#").Append(e.Number.ToString(CultureInfo.InvariantCulture)).Append(" in ").Append(E(System.IO.Path.GetFileName(e.File))).Append("</td><td>").Append(E(e.ScopeText))
                  .Append("</td><td>").Append(E(e.Owner)).Append("</td><td>").Append(E(e.Ticket)).Append("</td><td>").Append(E(Time(e.Ends.UtcDateTime))).Append("</td></tr>\n");
            sb.Append("</tbody></table></div>\n</section>\n");
        }

        private static void RuleTable(StringBuilder sb, ReportSummary s)
        {
            sb.Append("<section aria-labelledby=\"rules-heading\" id=\"rules\">\n<h2 id=\"rules-heading\">Every rule</h2>\n<div class=\"controls\" role=\"search\">\n");
            sb.Append("<label>Filter by text<input type=\"search\" id=\"filter\" placeholder=\"sg-, 22, 203.0.113.0/24, a description...\" autocomplete=\"off\"></label>\n");
            foreach (var (name, facet, tallies) in Facets(s)) Select(sb, name, facet, tallies);
            sb.Append("<label>Rows per page<select id=\"page-size\"><option>25</option><option selected>50</option><option>100</option><option>250</option></select></label>\n");
            sb.Append("<span id=\"match-count\" role=\"status\" aria-live=\"polite\"></span>\n</div>\n");
            sb.Append("<noscript><p class=\"empty\">The table of rules needs JavaScript; the summary above is complete without it.</p></noscript>\n");
            sb.Append("<div class=\"table-wrap\"><table id=\"rules-table\"><caption class=\"visually-hidden\">Every rule in the report; choose a column heading to sort by it.</caption>\n<thead><tr></tr></thead>\n<tbody></tbody></table>\n");
            sb.Append("<p id=\"no-match\" class=\"empty\" hidden>No rule matches the filter.</p></div>\n");
            sb.Append("<nav class=\"pager\" aria-label=\"Pages of rules\"><button type=\"button\" id=\"page-first\">First</button><button type=\"button\" id=\"page-prev\">Previous</button><span id=\"page-status\"></span><button type=\"button\" id=\"page-next\">Next</button><button type=\"button\" id=\"page-last\">Last</button></nav>\n</section>\n");
        }

        private static void Select(StringBuilder sb, string label, string facet, IReadOnlyList<Tally> tallies)
        {
            sb.Append("<label>").Append(E(label)).Append("<select data-facet=\"").Append(facet).Append("\"><option value=\"\">All</option>");
            foreach (var t in tallies.Where(t => t.Count > 0))
                sb.Append("<option value=\"").Append(E(t.Name)).Append("\">").Append(E(t.Name)).Append(" (").Append(N(t.Count)).Append(")</option>");
            sb.Append("</select></label>\n");
        }

        /// <summary>The rows as indexes into one table of distinct strings: small, and quick to parse.</summary>
        private static string Data(ReportInput input)
        {
            var strings = new List<string>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            int Id(string s)
            {
                if (!index.TryGetValue(s, out var i)) { i = strings.Count; strings.Add(s); index[s] = i; }
                return i;
            }
            var fields = ReportFields.All;
            var rows = new StringBuilder(input.Rows.Count * fields.Count * 6);
            rows.Append('[');
            for (int r = 0; r < input.Rows.Count; r++)
            {
                if (r > 0) rows.Append(',');
                rows.Append('[');
                for (int f = 0; f < fields.Count; f++)
                {
                    if (f > 0) rows.Append(',');
                    rows.Append(Id(fields[f].Read(input.Rows[r])).ToString(CultureInfo.InvariantCulture));
                }
                rows.Append(']');
            }
            rows.Append(']');
            var sb = new StringBuilder();
            sb.Append("{\"fields\":");
            JsonWriter.WriteValue(sb, fields.Select((f, i) => new KeyValuePair<string, object?>(f.Name, i)).ToList());
            sb.Append(",\"strings\":");
            JsonWriter.WriteValue(sb, strings);
            sb.Append(",\"rows\":").Append(rows).Append('}');
            // Inside <script>, "</script>" or "<!--" in a description would end or bend the element: no '<' is left raw.
            return sb.Replace("<", "\\u003c").ToString();
        }

        private static string Resource(string name)
        {
            using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream("SgNarrower.Reporting." + name)
                ?? throw new InvalidOperationException($"The report's {name} is missing from the assembly.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        internal static string Time(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        internal static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        internal static string Plural(int n, string what) => $"{N(n)} {what}{(n == 1 ? "" : "s")}";
        private static string E(string text) => WebUtility.HtmlEncode(text);
    }
}
