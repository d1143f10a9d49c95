namespace SgNarrower.Reporting
{
    /// <summary>The summary and the most severe rules as Markdown, for a ticket or a pull request.</summary>
    public static class MarkdownReport
    {
        public static string Write(ReportInput input, ReportSummary summary, string title, string tool, DateTime generatedAt, int first)
        {
            var sb = new StringBuilder();
            sb.Append("# ").Append(Cell(title)).Append("\n\n");
            sb.Append("Generated ").Append(HtmlReport.Time(generatedAt)).Append(" by ").Append(tool).Append(". ")
              .Append(HtmlReport.Plural(summary.RuleCount, "rule")).Append(", ").Append(HtmlReport.Plural(summary.RunCount, "run"));
            if (summary.Runs.Count > 0)
                sb.Append(" (").Append(HtmlReport.Time(summary.Runs[0].RecordedAt))
                  .Append(summary.Runs.Count > 1 ? " to " + HtmlReport.Time(summary.Runs[summary.Runs.Count - 1].RecordedAt) : "").Append(')');
            sb.Append(".\n\n");
            sb.Append("- Accounts: ").Append(summary.Accounts.Count == 0 ? "none given" : string.Join(", ", summary.Accounts)).Append('\n');
            sb.Append("- Regions: ").Append(summary.Regions.Count == 0 ? "none given" : string.Join(", ", summary.Regions)).Append('\n');
            if (summary.Records.Count > 0) sb.Append("- Records: ").Append(string.Join(", ", summary.Records.Select(r => "`" + r + "`"))).Append('\n');
            sb.Append('\n');

            Counts(sb, "Severity", summary.BySeverity);
            Counts(sb, "Status", summary.ByStatus);
            Counts(sb, "Exposure", summary.ByExposure);
            Counts(sb, "Recommendation", summary.ByRecommendation);
            if (summary.ByException.Any(t => t.Name != ReportRow.NoException && t.Count > 0)) Counts(sb, "Exception", summary.ByException);
            if (summary.ByProvenance.Any(t => t.Name != ReportRow.NotRead && t.Count > 0)) Counts(sb, "Opened by", summary.ByProvenance);
            Counts(sb, "Port", summary.TopPorts.Select(t => t.Marked ? new Tally(t.Name + " (high-risk)", t.Count) : t).ToList());

            if (summary.StaleExceptions.Count > 0)
            {
                sb.Append("## Stale exceptions\n\nThese have not ended and name no rule of the accounts and regions in this report: remove them, or check their scope.\n\n");
                foreach (var e in summary.StaleExceptions)
                    sb.Append("- ").Append(Cell($"#{e.Number} in {System.IO.Path.GetFileName(e.File)}: {e.ScopeText}; owner {e.Owner}, {e.Ticket}, ends {e.Ends.UtcDateTime:yyyy-MM-dd}")).Append('\n');
                sb.Append('\n');
            }

            var top = input.Rows.OrderByDescending(r => r.Severity).ThenBy(r => r.Order).Take(first).ToList();
            sb.Append("## Rules");
            sb.Append(top.Count < summary.RuleCount ? $" (the {HtmlReport.N(top.Count)} most severe of {HtmlReport.N(summary.RuleCount)})" : "").Append("\n\n");
            if (top.Count == 0) { sb.Append("No rules.\n"); return sb.ToString(); }
            // The exception column only where some rule has one.
            bool excepted = top.Any(r => r.Rule.ExceptionState != null), traced = top.Any(r => r.Rule.ProvenanceNote != null);
            sb.Append("| Severity | Account | Region | Group | Rule | Exposure | Recommendation |").Append(excepted ? " Exception |" : "").Append(traced ? " Opened by |" : "").Append(" Status | Record |\n");
            sb.Append("|---|---|---|---|---|---|---|").Append(excepted ? "---|" : "").Append(traced ? "---|" : "").Append("---|---|\n");
            foreach (var r in top)
            {
                var group = r.Rule.GroupName != null ? $"{r.Rule.GroupId} ({r.Rule.GroupName})" : r.Rule.GroupId;
                var status = string.IsNullOrEmpty(r.Outcome) ? r.StatusName : $"{r.StatusName}: {r.Outcome}";
                sb.Append("| ").Append(string.Join(" | ", new[]
                {
                    r.Severity.ToString(), r.Account, r.Region, group, "`" + r.Rule.Rule + "`", r.ExposureName, r.RecommendationName,
                    r.Rule.ExceptionState == null ? "" : $"{r.ExceptionName}: {r.Rule.ExceptionOwner}, {(r.Rule.ExceptionState == ExceptionState.Live ? "until" : "ended")} {r.Rule.ExceptionEnds:yyyy-MM-dd}",
                    r.Rule.OpenedBy != null ? $"{r.Rule.OpenedBy}, {r.Rule.OpenedAt:yyyy-MM-dd}, {r.Rule.OpenedWith}" : r.Rule.ProvenanceNote != null ? r.ProvenanceName : "",
                    status, r.RecordUri ?? "",
                }.Where((_, i) => (excepted || i != 7) && (traced || i != 8)).Select(Cell))).Append(" |\n");
            }
            return sb.ToString();
        }

        private static void Counts(StringBuilder sb, string what, IReadOnlyList<Tally> tallies)
        {
            sb.Append("| ").Append(what).Append(" | Rules |\n|---|---:|\n");
            foreach (var t in tallies) sb.Append("| ").Append(Cell(t.Name)).Append(" | ").Append(HtmlReport.N(t.Count)).Append(" |\n");
            sb.Append('\n');
        }

        /// <summary>A table cell: no line breaks, pipes escaped, and no HTML a renderer would run.</summary>
        private static string Cell(string text) =>
            text.Replace("\r", " ").Replace("\n", " ").Replace("|", "\\|").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
