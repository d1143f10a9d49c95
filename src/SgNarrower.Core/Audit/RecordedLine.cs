namespace SgNarrower.Audit
{
    /// <summary>One line of a record: the run that wrote it, and its rule (null for a run's empty-run line).</summary>
    public sealed class RecordedLine
    {
        public RecordedLine(AuditRunInfo? run, AuditEntry? entry)
        {
            Run = run;
            Entry = entry;
        }
        /// <summary>RunId, RecordedAt and Tool as the line gives them; null where a line names no run.</summary>
        public AuditRunInfo? Run { get; }
        public AuditEntry? Entry { get; }
    }
}
