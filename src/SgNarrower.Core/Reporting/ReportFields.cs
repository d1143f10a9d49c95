namespace SgNarrower.Reporting
{
    /// <summary>
    /// The columns of a report's rule table, each read from a row the one way the HTML page and the Markdown table
    /// both show it.
    /// </summary>
    public static class ReportFields
    {
        public const int MaxObservedShown = 10;

        public static readonly IReadOnlyList<(string Name, System.Func<ReportRow, string> Read)> All = new (string, System.Func<ReportRow, string>)[]
        {
            ("severity", r => r.Severity.ToString()),
            ("account", r => r.Account),
            ("region", r => r.Region),
            ("vpcId", r => r.Rule.VpcId ?? ""),
            ("groupId", r => r.Rule.GroupId),
            ("groupName", r => r.Rule.GroupName ?? ""),
            ("rule", r => r.Rule.Rule),
            ("ruleId", r => r.Rule.SecurityGroupRuleId ?? ""),
            ("description", r => r.Rule.Description ?? ""),
            ("exposure", r => r.ExposureName),
            ("attachedTo", AttachedTo),
            ("recommendation", r => r.RecommendationName),
            ("reason", r => r.Rule.RecommendationReason ?? ""),
            ("observedCount", r => r.Rule.ObservedSourceCount?.ToString(CultureInfo.InvariantCulture) ?? ""),
            ("observed", Observed),
            ("cover", r => string.Join(", ", r.Rule.ReplaceWith ?? new List<string>())),
            ("provenance", r => r.ProvenanceName),
            ("openedBy", r => r.Rule.OpenedBy ?? (r.Rule.ProvenanceNote != null ? r.ProvenanceName : "")),
            ("openedAt", r => r.Rule.OpenedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? ""),
            ("openedWith", r => r.Rule.OpenedWith ?? ""),
            ("exception", r => r.ExceptionName),
            ("exceptionOwner", r => r.Rule.ExceptionOwner ?? ""),
            ("exceptionEnds", r => r.Rule.ExceptionEnds?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? ""),
            ("exceptionTicket", r => r.Rule.ExceptionTicket ?? ""),
            ("status", r => r.StatusName),
            ("outcome", r => r.Outcome ?? ""),
            ("replacedWith", r => string.Join(", ", r.Entry.ReplacedWith ?? new List<string>())),
            ("record", r => r.RecordUri ?? ""),
            ("runId", r => r.RunId ?? ""),
            ("recordedAt", r => r.Run == null ? "" : r.Run.RecordedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
            // What opens in a rule's detail row: its notes in full, and each run's state of it.
            ("exceptionNote", r => r.Rule.ExceptionNote ?? ""),
            ("provenanceNote", r => r.Rule.ProvenanceNote ?? ""),
            ("history", History),
        };

        /// <summary>Each line that holds the rule, oldest first: when, which run, its state then, and where it is recorded; one a line.</summary>
        public static string History(ReportRow r) => string.Join("\n", r.History.Select(h =>
            $"{(h.Run == null ? "from the pipeline" : h.Run.RecordedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))}" +
            $"{(h.RunId != null ? $" ({h.RunId})" : "")}: {h.StatusName}{(string.IsNullOrEmpty(h.Outcome) ? "" : " - " + h.Outcome)}" +
            $"{(h.RecordUri != null ? $" [{h.RecordUri}]" : "")}"));

        public static string AttachedTo(ReportRow r)
        {
            var attached = r.Rule.AttachedTo ?? new List<string>();
            if (r.Rule.NetworkInterfaceCount == null && attached.Count == 0) return "";
            var count = r.Rule.NetworkInterfaceCount is int n ? $"{n} interface(s)" : "";
            return attached.Count == 0 ? count : $"{count}: {string.Join(", ", attached)}".TrimStart(':', ' ');
        }

        /// <summary>The most frequent sources, with how many more there are.</summary>
        public static string Observed(ReportRow r)
        {
            var sources = r.ObservedSourceTexts;
            if (sources.Count == 0) return "";
            var shown = string.Join(", ", sources.Take(MaxObservedShown));
            int more = (r.Rule.ObservedSourceCount ?? sources.Count) - System.Math.Min(MaxObservedShown, sources.Count);
            return more > 0 ? $"{shown} and {more.ToString("N0", CultureInfo.InvariantCulture)} more" : shown;
        }
    }
}
