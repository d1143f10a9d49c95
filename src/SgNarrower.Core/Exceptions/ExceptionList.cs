namespace SgNarrower.Exceptions
{
    /// <summary>
    /// The exceptions of a run, applied to the open rules it finds or changes. A rule named by an exception that has not
    /// ended is Live (it stays open, and says whose exception and until when); a rule whose every exception has ended
    /// is Ended (back in scope, and says whose ended when). Where several name a rule, the one that ends last speaks for
    /// it; the note names them all. Which entries named a rule is kept, so that entries that named none are known.
    /// </summary>
    public sealed class ExceptionList(IReadOnlyList<ExceptionEntry> entries)
    {
        private readonly HashSet<int> _used = new HashSet<int>();

        public IReadOnlyList<ExceptionEntry> Entries { get; } = entries;

        /// <summary>
        /// The rule with its exception state, as of <paramref name="now"/>. The list is what counts: where no entry names
        /// the rule, whatever state it carried from earlier input is cleared (an exception taken out of the file is over).
        /// </summary>
        public OpenIngressRule Apply(OpenIngressRule rule, DateTimeOffset now)
        {
            var naming = Entries.Where(e => e.Covers(rule)).ToList();
            if (naming.Count == 0)
                return rule.ExceptionState == null ? rule : rule with
                {
                    ExceptionState = null, ExceptionOwner = null, ExceptionReason = null, ExceptionTicket = null, ExceptionEnds = null, ExceptionNote = null,
                };
            lock (_used) _used.UnionWith(naming.Select(e => e.Number));
            var live = naming.Where(e => e.Ends > now).OrderByDescending(e => e.Ends).ToList();
            if (live.Count > 0)
            {
                var speaks = live[0];
                return rule with
                {
                    ExceptionState = SgNarrower.ExceptionState.Live,
                    ExceptionOwner = speaks.Owner, ExceptionReason = speaks.Reason, ExceptionTicket = speaks.Ticket, ExceptionEnds = speaks.Ends,
                    ExceptionNote = "Kept open under " + string.Join("; ", live.Select(e => $"{e.Name}, until {Utc(e.Ends)}: {e.Reason}")) + ".",
                };
            }
            var last = naming.OrderByDescending(e => e.Ends).First();
            return rule with
            {
                ExceptionState = SgNarrower.ExceptionState.Ended,
                ExceptionOwner = last.Owner, ExceptionReason = last.Reason, ExceptionTicket = last.Ticket, ExceptionEnds = last.Ends,
                ExceptionNote = "Back in scope: " + string.Join("; ", naming.OrderByDescending(e => e.Ends).Select(e => $"{e.Name} ended {Utc(e.Ends)}")) + ".",
            };
        }

        /// <summary>
        /// The rule as it stands against the list, in the account and region it will be changed in: a rule that names
        /// neither (a CSV row, say) is matched as if it named <paramref name="account"/> and <paramref name="region"/>
        /// (asked for only where an entry names an account or a region), so no entry is skipped for their absence. The
        /// rule keeps its own (absent) account and region.
        /// </summary>
        public OpenIngressRule ApplyIn(OpenIngressRule rule, DateTimeOffset now, Func<string> account, Func<string> region)
        {
            var probe = rule;
            if (probe.Region == null && Entries.Any(e => e.Region != null)) probe = probe with { Region = region() };
            if (probe.OwnerId == null && Entries.Any(e => e.AccountId != null)) probe = probe with { OwnerId = account() };
            return ReferenceEquals(probe, rule) ? Apply(rule, now) : Apply(probe, now) with { OwnerId = rule.OwnerId, Region = rule.Region };
        }

        /// <summary>
        /// Entries that have not ended and named no rule among those applied, where <paramref name="inView"/> says the
        /// run looked where the entry points (its account and region were scanned): stale, kept for nothing.
        /// </summary>
        public IReadOnlyList<ExceptionEntry> Stale(DateTimeOffset now, Func<ExceptionEntry, bool> inView)
        {
            lock (_used) return Entries.Where(e => e.Ends > now && !_used.Contains(e.Number) && inView(e)).ToList();
        }

        private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    }
}
