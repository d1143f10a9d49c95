using System.Collections.Generic;
using SgNarrower.Rules;

namespace SgNarrower
{
    /// <summary>
    /// The result of changing one rule: the rule's properties (so results pipe into Export-IngressAudit and
    /// Restore-IngressRule by property name), what was done, and the error where one happened. For a rule that was
    /// changed, the properties are those of the rule as EC2 held it when it was changed (its id and description now).
    /// </summary>
    public sealed record IngressRuleChange
    {
        public IngressRuleChange(OpenIngressRule rule, string action, ChangeStatus status)
        {
            Action = action;
            Status = status;
            Region = rule.Region;
            OwnerId = rule.OwnerId;
            VpcId = rule.VpcId;
            GroupId = rule.GroupId;
            GroupName = rule.GroupName;
            SecurityGroupRuleId = rule.SecurityGroupRuleId;
            IpProtocol = rule.IpProtocol;
            FromPort = rule.FromPort;
            ToPort = rule.ToPort;
            CidrIpv4 = rule.CidrIpv4;
            CidrIpv6 = rule.CidrIpv6;
            PrefixListId = rule.PrefixListId;
            OpenEntry = rule.OpenEntry;
            Description = rule.Description;
            Tags = rule.Tags ?? new Dictionary<string, string>();
            GroupTags = rule.GroupTags ?? new Dictionary<string, string>();
            AuditUri = rule.AuditUri;
            AuditRunId = rule.AuditRunId;
        }

        /// <summary>Revoke or Restore.</summary>
        public string Action { get; init; }
        public ChangeStatus Status { get; init; }
        public string? Error { get; init; }
        public string? ErrorId { get; init; }
        /// <summary>The sources granted in place of the open rule (narrowing).</summary>
        public IReadOnlyList<string> ReplacedWith { get; init; } = new List<string>();
        /// <summary>For a restored rule: its new rule id. For a narrowed one: the ids of the replacement rules.</summary>
        public IReadOnlyList<string> NewRuleIds { get; init; } = new List<string>();

        public string? Region { get; init; }
        public string? OwnerId { get; init; }
        public string? VpcId { get; init; }
        public string GroupId { get; init; }
        public string? GroupName { get; init; }
        public string? SecurityGroupRuleId { get; init; }
        public string IpProtocol { get; init; }
        public int FromPort { get; init; }
        public int ToPort { get; init; }
        public string? CidrIpv4 { get; init; }
        public string? CidrIpv6 { get; init; }
        public string? PrefixListId { get; init; }
        /// <summary>For a prefix-list rule: the list entry that made it open.</summary>
        public string? OpenEntry { get; init; }
        public string? Description { get; init; }
        /// <summary>What a person should know about the change, beyond its status (a prefix list left as it was).</summary>
        public string? Note { get; init; }
        public Dictionary<string, string> Tags { get; init; }
        public Dictionary<string, string> GroupTags { get; init; }
        /// <summary>Where the rule is recorded as it was before the change.</summary>
        public string? AuditUri { get; init; }
        /// <summary>The run id of that record; replacements that narrowing added are tagged with it.</summary>
        public string? AuditRunId { get; init; }
        public string? Cidr => CidrIpv4 ?? CidrIpv6 ?? PrefixListId;
        public string Ports => PortText.Describe(IpProtocol, FromPort, ToPort);

        /// <summary>The rule in a few words, for tables: protocol, ports and source ("tcp 22 0.0.0.0/0", "all ::/0").</summary>
        public string Rule => RuleText.Short(IpProtocol, FromPort, ToPort, Cidr);

        public override string ToString() => $"{Status}: {RuleText.Describe(GroupId, IpProtocol, FromPort, ToPort, Cidr)}";
    }
}
