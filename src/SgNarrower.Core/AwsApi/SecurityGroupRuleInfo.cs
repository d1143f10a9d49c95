using System.Collections.Generic;
using SgNarrower.Rules;

namespace SgNarrower.AwsApi
{
    /// <summary>One row of DescribeSecurityGroupRules: the rule's own id and tags.</summary>
    public sealed class SecurityGroupRuleInfo
    {
        public string SecurityGroupRuleId { get; set; } = "";
        public string GroupId { get; set; } = "";
        public string? GroupOwnerId { get; set; }
        public bool IsEgress { get; set; }
        public string IpProtocol { get; set; } = "-1";
        public int FromPort { get; set; } = -1;
        public int ToPort { get; set; } = -1;
        public string? CidrIpv4 { get; set; }
        public string? CidrIpv6 { get; set; }
        public string? PrefixListId { get; set; }
        public string? ReferencedGroupId { get; set; }
        public string? Description { get; set; }
        public Dictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();

        /// <summary>What the rule allows; null for a row without a source EC2 would never send.</summary>
        public RuleIdentity? Identity
        {
            get
            {
                var source = RuleSource.From(CidrIpv4, CidrIpv6, ReferencedGroupId, PrefixListId);
                return source == null ? null : RuleIdentity.FromAws(IpProtocol, FromPort, ToPort, source.Value);
            }
        }
    }
}
