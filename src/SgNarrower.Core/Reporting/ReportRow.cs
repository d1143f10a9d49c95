using SgNarrower.Audit;

namespace SgNarrower.Reporting
{
    /// <summary>
    /// One rule as a report or a finding shows it: the checked entry (a record's line or a pipeline object), the run
    /// that recorded it where one did, and where that record is. Everything shown is read from these; nothing is made up.
    /// </summary>
    public sealed class ReportRow
    {
        public const string OpenStatus = "Open";
        public const string NotMeasured = "Not measured";
        public const string NoException = "None";

        public ReportRow(AuditEntry entry, AuditRunInfo? run, string? recordUri, int order)
        {
            Entry = entry;
            Run = run;
            RecordUri = recordUri ?? entry.Rule.AuditUri;
            Order = order;
            Severity = RuleRisk.Severity(entry.Identity, entry.Rule.Exposure, entry.Status);
            History = new[] { this };
        }

        /// <summary>This row, the latest of its rule, with every line that holds the rule (oldest first, this one last).</summary>
        internal ReportRow WithHistory(IReadOnlyList<ReportRow> history) =>
            new ReportRow(Entry, Run, RecordUri, Order) { History = history };

        /// <summary>Every line of the input that holds this rule, oldest first: each run's state of it, and where it is recorded.</summary>
        public IReadOnlyList<ReportRow> History { get; private set; }

        /// <summary>When the line was recorded: its run's time; a pipeline object is as of now, after every record.</summary>
        public DateTime When => Run?.RecordedAt ?? DateTime.MaxValue;

        public AuditEntry Entry { get; }
        public OpenIngressRule Rule => Entry.Rule;
        /// <summary>The run whose record holds the line; null for pipeline objects.</summary>
        public AuditRunInfo? Run { get; }
        public string? RecordUri { get; }
        /// <summary>The input's order: records in the order given, then the pipeline.</summary>
        public int Order { get; }
        public FindingSeverity Severity { get; }

        /// <summary>The run id: the record's, else the one the rule was stamped with.</summary>
        public string? RunId => Run?.RunId ?? Rule.AuditRunId;
        public string Account => Rule.OwnerId ?? "";
        public string Region => Rule.Region ?? "";
        /// <summary>What happened to the rule, or Open where nothing was done to it (a scan's or a record's rule).</summary>
        public string StatusName => Entry.Status?.ToString() ?? OpenStatus;
        public string ExposureName => Rule.Exposure?.ToString() ?? NotMeasured;
        /// <summary>Live (an exception keeps the rule open), Ended (its exception ended), or None.</summary>
        public string ExceptionName => Rule.ExceptionState?.ToString() ?? NoException;
        /// <summary>Whether CloudTrail said who opened the rule: Known, Before the window, or Not read.</summary>
        public string ProvenanceName => Rule.OpenedBy != null ? "Known" : Rule.ProvenanceNote != null ? BeforeWindow : NotRead;
        public const string BeforeWindow = "Before the window", NotRead = "Not read";
        public string RecommendationName => Rule.Recommendation?.ToString() ?? NotMeasured;
        public string? Control => RuleRisk.IsOpen(Entry.Status) ? RuleRisk.Control(Entry.Identity) : null;

        /// <summary>The error, and what a person should know beyond the status.</summary>
        public string? Outcome => string.Join(" ", new[] { Entry.Error, Entry.Note }.Where(t => !string.IsNullOrEmpty(t)));

        public IReadOnlyList<string> ObservedSourceTexts =>
            (Rule.ObservedSources ?? new List<ObservedSource>()).Select(o => $"{o.Address} ({o.Flows} flows)").ToList();
    }
}
