using System.Collections.ObjectModel;
using SgNarrower.Rules;

namespace SgNarrower
{
    /// <summary>
    /// One ingress rule open to the world: one source of one permission, and where it lives (account, region, group,
    /// rule id). Property names follow EC2's SecurityGroupRule so that the next cmdlet binds them by name (and so does
    /// Import-Csv of a record). Immutable: a changed copy is made with <c>with</c>, so an object a user still holds
    /// never changes under them.
    /// </summary>
    public sealed record OpenIngressRule
    {
        public string? Region { get; init; }
        /// <summary>The account that owns the group.</summary>
        public string? OwnerId { get; init; }
        public string? VpcId { get; init; }
        public string GroupId { get; init; } = "";
        public string? GroupName { get; init; }
        /// <summary>The rule's id (sgr-...); null for offline scans, whose JSON carries no rule ids.</summary>
        public string? SecurityGroupRuleId { get; init; }
        /// <summary>As EC2 reports it: tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number.</summary>
        public string IpProtocol { get; init; } = "";
        /// <summary>-1 where EC2 has none (all traffic, protocols without ports; for ICMP the type).</summary>
        public int FromPort { get; init; } = -1;
        /// <summary>-1 where EC2 has none (for ICMP the code).</summary>
        public int ToPort { get; init; } = -1;
        public string? CidrIpv4 { get; init; }
        public string? CidrIpv6 { get; init; }
        /// <summary>For a rule whose source is a customer-managed prefix list (pl-...) that holds an open entry.</summary>
        public string? PrefixListId { get; init; }
        /// <summary>The prefix list's entry that makes the rule open (0.0.0.0/0, ::/0, or a broad block).</summary>
        public string? OpenEntry { get; init; }
        public string? Description { get; init; }
        /// <summary>The rule's own tags.</summary>
        public IReadOnlyDictionary<string, string> Tags { get => _tags; init => _tags = Frozen(value); }
        /// <summary>The security group's tags.</summary>
        public IReadOnlyDictionary<string, string> GroupTags { get => _groupTags; init => _groupTags = Frozen(value); }

        private readonly IReadOnlyDictionary<string, string> _tags = NoTags, _groupTags = NoTags;
        private static readonly IReadOnlyDictionary<string, string> NoTags = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

        /// <summary>Tags as the rule keeps them: a copy nobody else holds, that nobody can change (copies made with <c>with</c> share it safely).</summary>
        private static IReadOnlyDictionary<string, string> Frozen(IReadOnlyDictionary<string, string>? tags) =>
            tags == null || tags.Count == 0 ? NoTags
            : tags is ReadOnlyDictionary<string, string> frozen ? frozen
            : new ReadOnlyDictionary<string, string>(tags.ToDictionary(t => t.Key, t => t.Value));

        /// <summary>With -IncludeExposure: Unattached, Private or Public (reachable from the internet in the rule's family).</summary>
        public ExposureLevel? Exposure { get; init; }
        /// <summary>With -IncludeExposure: how many network interfaces carry the group.</summary>
        public int? NetworkInterfaceCount { get; init; }
        /// <summary>With -IncludeExposure: instance ids, load balancers (elb:app/name/id) and other interfaces (type:eni-...).</summary>
        public IReadOnlyList<string>? AttachedTo { get; init; }

        /// <summary>Measure-OpenIngressRule: Revoke, Narrow or Keep, from flow-log evidence.</summary>
        public Recommendation? Recommendation { get; init; }
        /// <summary>Measure-OpenIngressRule: why, in words.</summary>
        public string? RecommendationReason { get; init; }
        /// <summary>Measure-OpenIngressRule: the blocks that cover every observed source; Revoke-OpenIngressRule narrows each rule to its own.</summary>
        public IReadOnlyList<string>? ReplaceWith { get; init; }
        /// <summary>Measure-OpenIngressRule: every distinct source that reached the rule, most flows first, up to FlowEvidence.MaxObservedSources.</summary>
        public IReadOnlyList<ObservedSource>? ObservedSources { get; init; }
        public int? ObservedSourceCount { get; init; }
        /// <summary>How many distinct sources are not in <see cref="ObservedSources"/> (0 up to FlowEvidence.MaxObservedSources of them).</summary>
        public int? ObservedSourcesLeftOut { get; init; }
        public long? FlowRecordCount { get; init; }
        public DateTimeOffset? EvidenceSince { get; init; }
        public DateTimeOffset? EvidenceUntil { get; init; }

        /// <summary>For a rule opened for a while (tag sgnarrower:open-until): when it closes, or should have closed.</summary>
        public DateTimeOffset? OpenUntil { get; init; }

        /// <summary>Against an exceptions file: Live (kept open under an exception that has not ended) or Ended (back in scope).</summary>
        public ExceptionState? ExceptionState { get; init; }
        /// <summary>Who owns the exception that speaks for the rule (the one that ends last).</summary>
        public string? ExceptionOwner { get; init; }
        public string? ExceptionReason { get; init; }
        public string? ExceptionTicket { get; init; }
        /// <summary>When that exception ends (or ended).</summary>
        public DateTimeOffset? ExceptionEnds { get; init; }
        /// <summary>In words: every exception that names the rule, whose, until or since when.</summary>
        public string? ExceptionNote { get; init; }

        /// <summary>Whether an exception keeps the rule open at <paramref name="now"/>: Live, and not ended since it was read.</summary>
        public bool KeptOpenAt(DateTimeOffset now) => ExceptionState == SgNarrower.ExceptionState.Live && ExceptionEnds > now;

        /// <summary>From CloudTrail: who opened the rule (the principal's ARN; for an assumed role, its session).</summary>
        public string? OpenedBy { get; init; }
        /// <summary>IAMUser, AssumedRole, Root, FederatedUser, AWSService...</summary>
        public string? OpenedByType { get; init; }
        /// <summary>For an assumed role: the role its session was issued by.</summary>
        public string? OpenedByIssuer { get; init; }
        public DateTimeOffset? OpenedAt { get; init; }
        /// <summary>The source address of the call, or the AWS service that made it.</summary>
        public string? OpenedFrom { get; init; }
        /// <summary>The call (AuthorizeSecurityGroupIngress, ModifySecurityGroupRules) and what it came through (a stack, the console).</summary>
        public string? OpenedWith { get; init; }
        /// <summary>The last call that changed the rule in the records read.</summary>
        public DateTimeOffset? LastChangedAt { get; init; }
        /// <summary>In words: who opened it, or that it was opened before the window read.</summary>
        public string? ProvenanceNote { get; init; }

        /// <summary>Where the rule was recorded before any change (s3://bucket/key or a file path); set by Export-IngressAudit.</summary>
        public string? AuditUri { get; init; }
        /// <summary>The run id of the record the rule is in.</summary>
        public string? AuditRunId { get; init; }

        /// <summary>The source: whichever of CidrIpv4 and CidrIpv6 is set, or the prefix list.</summary>
        public string? Cidr => CidrIpv4 ?? CidrIpv6 ?? PrefixListId;

        /// <summary>The ports in words a person reads: "22", "8000-8080", "all", "type 8", "type 3 code 4".</summary>
        public string Ports => PortText.Words(IpProtocol, FromPort, ToPort);

        /// <summary>The rule in a few words, for tables: protocol, ports and source ("tcp 22 0.0.0.0/0", "all ::/0").</summary>
        public string Rule => RuleText.Short(IpProtocol, FromPort, ToPort, Cidr);

        /// <summary>
        /// The address family the rule is open in: IPv6 for an IPv6 block, and for a prefix-list rule the family of the
        /// list's open entry. Evidence and exposure both ask this, so they agree.
        /// </summary>
        internal bool OpenInIpv6() => CidrIpv6 != null || (OpenEntry != null && OpenEntry.IndexOf(':') >= 0);

        /// <summary>What the rule allows, for comparisons; null when the fields do not make a rule.</summary>
        internal RuleIdentity? IdentityOrNull()
        {
            var source = RuleSource.From(CidrIpv4, CidrIpv6, null, PrefixListId);
            if (source == null || !Protocols.IsValid(IpProtocol)) return null;
            return RuleIdentity.FromAws(IpProtocol, FromPort, ToPort, source.Value);
        }

        public override string ToString() => RuleText.Long(GroupId, IpProtocol, FromPort, ToPort, Cidr);
    }
}
