namespace SgNarrower.Audit
{
    /// <summary>
    /// The one table of a rule's fields, in record order: what our own rule objects give the rule reader, and what a
    /// record writes. Columns, JSON members, formula escaping and the reading of our own objects all come from it;
    /// a new field is one entry here (and its reading in <see cref="RuleInput"/>).
    /// </summary>
    public static class RuleFields
    {
        private static RuleField Field(string name, Func<OpenIngressRule, object?>? own, Func<AuditEntry, AuditRunInfo, object?>? written,
            Func<AuditEntry, AuditRunInfo, bool>? when = null, bool plain = false) => new RuleField(name, own, written, when, plain);

        /// <summary>A rule field written as the rule holds it, on every line.</summary>
        private static RuleField Rule(string name, Func<OpenIngressRule, object?> get, bool plain = false) =>
            Field(name, get, (e, _) => get(e.Rule), null, plain);

        /// <summary>A rule field written only where the rule has it.</summary>
        private static RuleField Optional(string name, Func<OpenIngressRule, object?> get) =>
            Field(name, get, (e, _) => get(e.Rule), (e, _) => get(e.Rule) != null);

        private static bool Measured(AuditEntry e, AuditRunInfo _) => e.Rule.Recommendation != null;
        private static bool Exposed(AuditEntry e, AuditRunInfo _) => e.Rule.Exposure != null;
        private static string? Utc(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        public static readonly IReadOnlyList<RuleField> All = new[]
        {
            Rule("OwnerId", r => r.OwnerId),
            Rule("Region", r => r.Region),
            Rule("VpcId", r => r.VpcId),
            Rule("GroupId", r => r.GroupId),
            Rule("GroupName", r => r.GroupName),
            Rule("SecurityGroupRuleId", r => r.SecurityGroupRuleId),
            Rule("IpProtocol", r => r.IpProtocol, plain: true),
            Rule("FromPort", r => r.FromPort, plain: true),
            Rule("ToPort", r => r.ToPort, plain: true),
            Rule("CidrIpv4", r => r.CidrIpv4),
            Rule("CidrIpv6", r => r.CidrIpv6),
            Optional("PrefixListId", r => r.PrefixListId),
            // The list entry that opens a prefix-list rule: what a narrowing of it must stay within.
            Optional("OpenEntry", r => r.OpenEntry),
            Rule("Description", r => r.Description),
            Field("Tags", r => r.Tags, (e, _) => e.Rule.Tags ?? new Dictionary<string, string>()),
            Field("GroupTags", r => r.GroupTags, (e, _) => e.Rule.GroupTags ?? new Dictionary<string, string>()),
            // What a change did, where the entry is a change result.
            Field("Status", null, (e, _) => e.Status?.ToString(), (e, _) => e.Status != null),
            Field("Error", null, (e, _) => e.Error, (e, _) => e.Error != null),
            // The record a narrowing tagged its replacements with, where it is not this one (a journal of exported rules, results).
            Field("AuditRunId", r => r.AuditRunId, (e, _) => e.Rule.AuditRunId, (e, run) => e.Rule.AuditRunId != null && e.Rule.AuditRunId != run.RunId),
            // The evidence a narrowing rests on, so that an auditor sees why (Measure-OpenIngressRule).
            Field("Recommendation", r => r.Recommendation, (e, _) => e.Rule.Recommendation?.ToString(), Measured),
            Field("RecommendationReason", r => r.RecommendationReason, (e, _) => e.Rule.RecommendationReason, Measured),
            Field("ReplaceWith", r => r.ReplaceWith, (e, _) => (e.Rule.ReplaceWith ?? Array.Empty<string>()).ToList(), Measured),
            Field("FlowRecordCount", null, (e, _) => e.Rule.FlowRecordCount, Measured, plain: true),
            Field("ObservedSourceCount", null, (e, _) => e.Rule.ObservedSourceCount, Measured, plain: true),
            Field("ObservedSources", null, (e, _) => (e.Rule.ObservedSources ?? Array.Empty<ObservedSource>())
                .Select(o => new List<KeyValuePair<string, object?>>
                {
                    new KeyValuePair<string, object?>("Address", o.Address), new KeyValuePair<string, object?>("Flows", o.Flows), new KeyValuePair<string, object?>("Packets", o.Packets),
                }).ToList(), Measured),
            // Every distinct source is listed up to FlowEvidence.MaxObservedSources; past that, how many are not.
            Field("ObservedSourcesLeftOut", null, (e, _) => e.Rule.ObservedSourcesLeftOut, (e, run) => Measured(e, run) && e.Rule.ObservedSourcesLeftOut > 0, plain: true),
            Field("EvidenceSince", null, (e, _) => Utc(e.Rule.EvidenceSince), Measured),
            Field("EvidenceUntil", null, (e, _) => Utc(e.Rule.EvidenceUntil), Measured),
            // What the rule exposed when it was found (Get-OpenIngressRule -IncludeExposure), for reports and findings.
            Field("Exposure", null, (e, _) => e.Rule.Exposure?.ToString(), Exposed),
            Field("NetworkInterfaceCount", null, (e, _) => e.Rule.NetworkInterfaceCount, Exposed, plain: true),
            Field("AttachedTo", null, (e, _) => (e.Rule.AttachedTo ?? Array.Empty<string>()).ToList(), Exposed),
            // What a change granted in the open rule's place, and what a person should know about it.
            Field("ReplacedWith", null, (e, _) => e.ReplacedWith?.ToList(), (e, _) => e.ReplacedWith != null && e.ReplacedWith.Count > 0),
            Field("Note", null, (e, _) => e.Note, (e, _) => e.Note != null),
            // Where our own rule objects say they are recorded; records name themselves by where they are.
            Field("AuditUri", r => r.AuditUri, null),
        };

        private static readonly Dictionary<string, RuleField> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

        /// <summary>The value one of our own rules holds for a field, by name; null for any other name.</summary>
        public static object? OwnValue(OpenIngressRule rule, string name) =>
            ByName.TryGetValue(name, out var f) && f.Own != null ? f.Own(rule) : null;

        /// <summary>The record's fields, in column order.</summary>
        public static IEnumerable<RuleField> InRecord => All.Where(f => f.InRecord);
    }
}
