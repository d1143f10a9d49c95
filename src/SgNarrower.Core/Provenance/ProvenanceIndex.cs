using SgNarrower.Rules;

namespace SgNarrower.Provenance
{
    /// <summary>
    /// The rule events read from a trail for a window, and who opened each open rule. A rule is matched by its id
    /// where the records name one (authorize records since EC2 answers with rule ids, and every modify), else by its
    /// group and what it allows (older authorize records). The call that opened a rule is the one that made it allow
    /// what it allows now: the authorize that made it, or a modify that turned it into that. A rule opened before the
    /// window read says so, and names nobody: never a guess.
    /// </summary>
    public sealed class ProvenanceIndex(DateTimeOffset since, DateTimeOffset until)
    {
        private readonly Dictionary<string, List<RuleEvent>> _byRuleId = new Dictionary<string, List<RuleEvent>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<(string Group, RuleIdentity Identity), List<RuleEvent>> _byIdentity = new Dictionary<(string, RuleIdentity), List<RuleEvent>>();
        private readonly object _gate = new object();

        public DateTimeOffset Since { get; } = since;
        public DateTimeOffset Until { get; } = until;
        public int Events { get; private set; }

        /// <summary>Adds an event (thread-safe: files are read at once).</summary>
        public void Add(RuleEvent e)
        {
            lock (_gate)
            {
                Events++;
                foreach (var (id, identity) in e.Rules)
                {
                    if (id != null) Append(_byRuleId, id, e);
                    if (identity != null && e.GroupId != null) Append(_byIdentity, (e.GroupId.ToLowerInvariant(), identity), e);
                }
            }
        }

        private static void Append<TKey>(Dictionary<TKey, List<RuleEvent>> map, TKey key, RuleEvent e) where TKey : notnull
        {
            if (!map.TryGetValue(key, out var list)) map[key] = list = new List<RuleEvent>();
            list.Add(e);
        }

        /// <summary>The rule with who opened it, when, from where and how, and when it last changed; or a note that it was opened before the window.</summary>
        public OpenIngressRule Apply(OpenIngressRule rule)
        {
            var identity = rule.IdentityOrNull();
            List<RuleEvent> events;
            lock (_gate)
            {
                var byId = rule.SecurityGroupRuleId != null && _byRuleId.TryGetValue(rule.SecurityGroupRuleId, out var i) ? i : new List<RuleEvent>();
                var byIdentity = identity != null && _byIdentity.TryGetValue((rule.GroupId.ToLowerInvariant(), identity), out var b)
                    // An event about the group and identity that names another rule id is about another rule (one since revoked).
                    ? b.Where(e => rule.SecurityGroupRuleId == null || e.Rules.Any(r => r.RuleId == null && Equals(r.Identity, identity))).ToList()
                    : new List<RuleEvent>();
                events = byId.Concat(byIdentity).Distinct().Where(e => InScope(e, rule)).OrderBy(e => e.EventTime).ToList();
            }
            // The opening: the call that made the rule allow what it allows now (an authorize that made it, or a modify
            // that turned it into that), the last such; a later modify that left it as it was (a new description) is a
            // change, not an opening.
            // A modify's record says what a rule allows after it, not before: it opened the rule only where an earlier
            // record of the window showed the rule allowing something else.
            RuleEvent? opening = null;
            bool? wasOpen = null;
            foreach (var e in events)
            {
                var mine = e.Rules.Where(r => r.RuleId != null ? string.Equals(r.RuleId, rule.SecurityGroupRuleId, StringComparison.OrdinalIgnoreCase) : Equals(r.Identity, identity)).ToList();
                if (mine.Count == 0) continue;
                bool isOpen = identity != null && mine.Any(r => Equals(r.Identity, identity));
                bool modify = e.EventName == "ModifySecurityGroupRules";
                if (!isOpen) opening = null;
                else if (!modify || wasOpen == false) opening = e;
                wasOpen = isOpen;
            }
            if (opening == null)
                return rule with
                {
                    ProvenanceNote = $"Opened before {Utc(Since)}, where the CloudTrail read begins: who opened it is not in the records read (to {Utc(Until)}).",
                    LastChangedAt = events.Count > 0 ? events[events.Count - 1].EventTime : null,
                };
            return rule with
            {
                OpenedBy = opening.PrincipalArn,
                OpenedByType = opening.PrincipalType,
                OpenedByIssuer = opening.Issuer,
                OpenedAt = opening.EventTime,
                OpenedFrom = opening.From,
                OpenedWith = opening.How,
                LastChangedAt = events[events.Count - 1].EventTime,
                ProvenanceNote = $"Opened by {opening.PrincipalArn}{(opening.Issuer != null ? $" (a session of {opening.Issuer})" : "")} at {Utc(opening.EventTime)} with {opening.How}, from {opening.From}.",
            };
        }

        /// <summary>Only records of the rule's own account and region count (a trail of an organisation holds many).</summary>
        private static bool InScope(RuleEvent e, OpenIngressRule rule) =>
            (rule.OwnerId == null || e.Account == null || e.Account == rule.OwnerId) && (rule.Region == null || e.Region == null || e.Region == rule.Region);

        private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    }
}
