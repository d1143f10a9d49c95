using SgNarrower.Rules;

namespace SgNarrower
{
    /// <summary>
    /// The result of changing one rule: what was done, the error where one happened, and the rule's properties (so
    /// results pipe into Export-IngressAudit and Restore-IngressRule by property name), read from the rule itself, not
    /// copied. For a rule that was changed, the rule is as EC2 held it when it was changed (its id and description now).
    /// </summary>
    public sealed record IngressRuleChange
    {
        public IngressRuleChange(OpenIngressRule rule, string action, ChangeStatus status)
        {
            OpenRule = rule;
            Action = action;
            Status = status;
        }

        /// <summary>The rule the change is about; its properties are this result's.</summary>
        internal OpenIngressRule OpenRule { get; init; }

        /// <summary>The same result, with the record the rule is in (Export-IngressAudit of results).</summary>
        public IngressRuleChange WithAuditUri(string? auditUri) => this with { OpenRule = OpenRule with { AuditUri = auditUri } };

        /// <summary>Revoke or Restore.</summary>
        public string Action { get; init; }
        public ChangeStatus Status { get; init; }
        public string? Error { get; init; }
        public string? ErrorId { get; init; }
        /// <summary>The sources granted in place of the open rule (narrowing).</summary>
        public IReadOnlyList<string> ReplacedWith { get; init; } = new List<string>();
        /// <summary>For a restored rule: its new rule id. For a narrowed one: the ids of the replacement rules.</summary>
        public IReadOnlyList<string> NewRuleIds { get; init; } = new List<string>();

        public string? Region => OpenRule.Region;
        public string? OwnerId => OpenRule.OwnerId;
        public string? VpcId => OpenRule.VpcId;
        public string GroupId => OpenRule.GroupId;
        public string? GroupName => OpenRule.GroupName;
        public string? SecurityGroupRuleId => OpenRule.SecurityGroupRuleId;
        public string IpProtocol => OpenRule.IpProtocol;
        public int FromPort => OpenRule.FromPort;
        public int ToPort => OpenRule.ToPort;
        public string? CidrIpv4 => OpenRule.CidrIpv4;
        public string? CidrIpv6 => OpenRule.CidrIpv6;
        public string? PrefixListId => OpenRule.PrefixListId;
        /// <summary>For a prefix-list rule: the list entry that made it open.</summary>
        public string? OpenEntry => OpenRule.OpenEntry;
        public string? Description => OpenRule.Description;
        /// <summary>What a person should know about the change, beyond its status (a prefix list left as it was).</summary>
        public string? Note { get; init; }
        public IReadOnlyDictionary<string, string> Tags => OpenRule.Tags;
        public IReadOnlyDictionary<string, string> GroupTags => OpenRule.GroupTags;
        /// <summary>Where the rule is recorded as it was before the change.</summary>
        public string? AuditUri => OpenRule.AuditUri;
        /// <summary>The run id of that record; replacements that narrowing added are tagged with it.</summary>
        public string? AuditRunId => OpenRule.AuditRunId;
        public string? Cidr => OpenRule.Cidr;
        public string Ports => OpenRule.Ports;

        /// <summary>The rule in a few words, for tables: protocol, ports and source ("tcp 22 0.0.0.0/0", "all ::/0").</summary>
        public string Rule => OpenRule.Rule;

        // Why the change was made, where the rule came with it: its exposure and the evidence Measure-OpenIngressRule
        // found, so that a record or report of the results shows why each rule was narrowed, kept or closed.
        public ExposureLevel? Exposure => OpenRule.Exposure;
        public ExceptionState? ExceptionState => OpenRule.ExceptionState;
        public string? ExceptionOwner => OpenRule.ExceptionOwner;
        public string? ExceptionReason => OpenRule.ExceptionReason;
        public string? ExceptionTicket => OpenRule.ExceptionTicket;
        public System.DateTimeOffset? ExceptionEnds => OpenRule.ExceptionEnds;
        public string? ExceptionNote => OpenRule.ExceptionNote;
        public string? OpenedBy => OpenRule.OpenedBy;
        public string? OpenedByType => OpenRule.OpenedByType;
        public string? OpenedByIssuer => OpenRule.OpenedByIssuer;
        public System.DateTimeOffset? OpenedAt => OpenRule.OpenedAt;
        public string? OpenedFrom => OpenRule.OpenedFrom;
        public string? OpenedWith => OpenRule.OpenedWith;
        public System.DateTimeOffset? LastChangedAt => OpenRule.LastChangedAt;
        public string? ProvenanceNote => OpenRule.ProvenanceNote;
        public Recommendation? Recommendation => OpenRule.Recommendation;
        public string? RecommendationReason => OpenRule.RecommendationReason;
        /// <summary>The cover the evidence proposed (what a narrowing from evidence granted is in <see cref="ReplacedWith"/>).</summary>
        public IReadOnlyList<string>? ReplaceWith => OpenRule.ReplaceWith;
        public int? ObservedSourceCount => OpenRule.ObservedSourceCount;
        public IReadOnlyList<ObservedSource>? ObservedSources => OpenRule.ObservedSources;
        public long? FlowRecordCount => OpenRule.FlowRecordCount;
        public System.DateTimeOffset? EvidenceSince => OpenRule.EvidenceSince;
        public System.DateTimeOffset? EvidenceUntil => OpenRule.EvidenceUntil;
        public int? ObservedSourcesLeftOut => OpenRule.ObservedSourcesLeftOut;
        public int? NetworkInterfaceCount => OpenRule.NetworkInterfaceCount;
        public IReadOnlyList<string>? AttachedTo => OpenRule.AttachedTo;

        public override string ToString() => $"{Status}: {RuleText.Long(GroupId, IpProtocol, FromPort, ToPort, Cidr)}";
    }
}
