using SgNarrower.Audit;

namespace SgNarrower.Reporting
{
    /// <summary>
    /// The counts at the top of a report, each computed from the rows it counts, so that every figure equals the rows
    /// a reader gets by filtering for it.
    /// </summary>
    public sealed class ReportSummary
    {
        /// <summary>Statuses always shown (0 where none), then any other that occurs.</summary>
        private static readonly string[] MainStatuses = { ReportRow.OpenStatus, "Revoked", "Narrowed", "Restored", "Skipped", "Failed" };
        private static readonly string[] Exposures = { "Public", "Private", "Unattached", ReportRow.NotMeasured };
        private static readonly string[] Recommendations = { "Revoke", "Narrow", "Keep", ReportRow.NotMeasured };
        private static readonly string[] ExceptionStates = { "Live", "Ended", ReportRow.NoException };
        private static readonly string[] Provenances = { "Known", ReportRow.BeforeWindow, ReportRow.NotRead };
        public const int TopPortCount = 10;

        private ReportSummary() { }

        public int RuleCount { get; private set; }
        public IReadOnlyList<AuditRunInfo> Runs { get; private set; } = Array.Empty<AuditRunInfo>();
        /// <summary>Exceptions that have not ended and name no rule the report holds.</summary>
        public IReadOnlyList<Exceptions.ExceptionEntry> StaleExceptions { get; private set; } = Array.Empty<Exceptions.ExceptionEntry>();
        /// <summary>Runs the input speaks of: those of the records, and those piped results name.</summary>
        public int RunCount { get; private set; }
        public IReadOnlyList<string> Records { get; private set; } = Array.Empty<string>();
        public IReadOnlyList<string> Accounts { get; private set; } = Array.Empty<string>();
        public IReadOnlyList<string> Regions { get; private set; } = Array.Empty<string>();
        public IReadOnlyList<Tally> BySeverity { get; private set; } = Array.Empty<Tally>();
        public IReadOnlyList<Tally> ByStatus { get; private set; } = Array.Empty<Tally>();
        public IReadOnlyList<Tally> ByExposure { get; private set; } = Array.Empty<Tally>();
        public IReadOnlyList<Tally> ByRecommendation { get; private set; } = Array.Empty<Tally>();
        /// <summary>Rules an exception keeps open (Live), whose exception ended (Ended), and the rest.</summary>
        public IReadOnlyList<Tally> ByException { get; private set; } = Array.Empty<Tally>();
        /// <summary>Rules whose opener CloudTrail named (Known), opened before the window read, or not looked up.</summary>
        public IReadOnlyList<Tally> ByProvenance { get; private set; } = Array.Empty<Tally>();
        /// <summary>The most frequent ports (protocol and ports), high-risk ones marked.</summary>
        public IReadOnlyList<Tally> TopPorts { get; private set; } = Array.Empty<Tally>();
        /// <summary>How many rules have a port outside <see cref="TopPorts"/>.</summary>
        public int OtherPorts { get; private set; }
        /// <summary>Rules per account and region ("111111111111 us-east-1").</summary>
        public IReadOnlyList<Tally> ByScope { get; private set; } = Array.Empty<Tally>();
        /// <summary>Rules each run holds (in any state), oldest first; pipeline rows without a run are not in it.</summary>
        public IReadOnlyList<Tally> ByRun { get; private set; } = Array.Empty<Tally>();
        /// <summary>Rows that came from the pipeline, not from a record.</summary>
        public int PipelineRows { get; private set; }

        public static ReportSummary Of(ReportInput input)
        {
            var rows = input.Rows;
            var summary = new ReportSummary
            {
                RuleCount = rows.Count,
                Runs = input.Runs.OrderBy(r => r.RecordedAt).ToList(),
                RunCount = input.RunCount,
                StaleExceptions = input.StaleExceptions,
                Records = input.Records,
                Accounts = rows.Select(r => r.Account).Where(a => a.Length > 0).Distinct().OrderBy(a => a, StringComparer.Ordinal).ToList(),
                Regions = rows.Select(r => r.Region).Where(a => a.Length > 0).Distinct().OrderBy(a => a, StringComparer.Ordinal).ToList(),
                BySeverity = Enum.GetValues(typeof(FindingSeverity)).Cast<FindingSeverity>().Reverse()
                    .Select(s => new Tally(s.ToString(), rows.Count(r => r.Severity == s))).ToList(),
                ByStatus = Count(rows, r => r.StatusName, MainStatuses),
                ByExposure = Count(rows, r => r.ExposureName, Exposures),
                ByRecommendation = Count(rows, r => r.RecommendationName, Recommendations),
                ByException = Count(rows, r => r.ExceptionName, ExceptionStates),
                ByProvenance = Count(rows, r => r.ProvenanceName, Provenances),
                PipelineRows = input.Lines.Count(r => r.Run == null),
            };
            var ports = rows.GroupBy(r => RuleRisk.PortLabel(r.Entry.Identity))
                .Select(g => new Tally(g.Key, g.Count(), RuleRisk.Ports(g.First().Entry.Identity) == PortRisk.HighRisk))
                .OrderByDescending(t => t.Count).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
            summary.TopPorts = ports.Take(TopPortCount).ToList();
            summary.OtherPorts = ports.Skip(TopPortCount).Sum(t => t.Count);
            summary.ByScope = rows.GroupBy(r => ScopeLabel(r))
                .Select(g => new Tally(g.Key, g.Count())).OrderByDescending(t => t.Count).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
            summary.ByRun = summary.Runs.Select(run => new Tally(RunLabel(run), rows.Count(r => r.History.Any(h => h.Run?.RunId == run.RunId)))).ToList();
            return summary;
        }

        public static string ScopeLabel(ReportRow row) =>
            $"{(row.Account.Length > 0 ? row.Account : "account not given")} {(row.Region.Length > 0 ? row.Region : "region not given")}";

        public static string RunLabel(AuditRunInfo run) => $"{run.RecordedAt:yyyy-MM-dd HH:mm} UTC ({run.RunId})";

        private static List<Tally> Count(IReadOnlyList<ReportRow> rows, Func<ReportRow, string> key, string[] always)
        {
            var counts = rows.GroupBy(key).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var result = always.Select(k => new Tally(k, counts.TryGetValue(k, out var n) ? n : 0)).ToList();
            result.AddRange(counts.Where(kv => !always.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new Tally(kv.Key, kv.Value)));
            return result;
        }
    }
}
