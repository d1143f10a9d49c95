using System.Collections.Generic;

namespace SgNarrower
{
    public enum ChangeStatus
    {
        /// <summary>The open rule was removed.</summary>
        Revoked,
        /// <summary>The replacement sources were granted, then the open rule was removed.</summary>
        Narrowed,
        /// <summary>The rule (or its group) was already gone; nothing to do.</summary>
        AlreadyAbsent,
        /// <summary>Not changed: -WhatIf, a declined prompt, or a record line that SgNarrower did not change.</summary>
        Skipped,
        /// <summary>The change failed; Error says why. The rule is as it was.</summary>
        Failed,
        /// <summary>The rule was granted back from the record.</summary>
        Restored,
        /// <summary>The rule already existed; nothing to do.</summary>
        AlreadyPresent,
    }

    /// <summary>
    /// The result of changing one rule: the rule's properties (so results pipe into Export-IngressAudit and
    /// Restore-IngressRule by property name), what was done, and the error where one happened.
    /// </summary>
    public sealed class IngressRuleChange
    {
        public IngressRuleChange(OpenIngressRule rule, string action)
        {
            Action = action;
            Status = ChangeStatus.Skipped;
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
            Description = rule.Description;
            Tags = rule.Tags ?? new Dictionary<string, string>();
            GroupTags = rule.GroupTags ?? new Dictionary<string, string>();
            AuditUri = rule.AuditUri;
            AuditRunId = rule.AuditRunId;
        }

        /// <summary>Revoke or Restore.</summary>
        public string Action { get; }
        public ChangeStatus Status { get; set; }
        public string? Error { get; set; }
        public string? ErrorId { get; set; }
        /// <summary>The sources granted in place of the open rule (narrowing).</summary>
        public List<string> ReplacedWith { get; set; } = new List<string>();
        /// <summary>For a restored rule: its new rule id. For a narrowed one: the ids of the replacement rules.</summary>
        public List<string> NewRuleIds { get; set; } = new List<string>();

        public string? Region { get; }
        public string? OwnerId { get; }
        public string? VpcId { get; }
        public string GroupId { get; }
        public string? GroupName { get; }
        public string? SecurityGroupRuleId { get; }
        public string IpProtocol { get; }
        public int FromPort { get; }
        public int ToPort { get; }
        public string? CidrIpv4 { get; }
        public string? CidrIpv6 { get; }
        public string? Description { get; }
        public Dictionary<string, string> Tags { get; }
        public Dictionary<string, string> GroupTags { get; }
        public string? AuditUri { get; set; }
        public string? AuditRunId { get; set; }
        public string? Cidr => CidrIpv4 ?? CidrIpv6;
        public string Ports => PortText.Describe(IpProtocol, FromPort, ToPort);

        public override string ToString() => $"{Status}: {RuleText.Describe(GroupId, IpProtocol, FromPort, ToPort, Cidr)}";
    }
}
