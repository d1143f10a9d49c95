using SgNarrower.Rules;

namespace SgNarrower.AwsApi
{
    /// <summary>One row of DescribeSecurityGroupRules: the rule's own id and tags. A value: filled in once, when it is read.</summary>
    public sealed class SecurityGroupRuleInfo
    {
        public string SecurityGroupRuleId { get; init; } = "";
        public string GroupId { get; init; } = "";
        public string? GroupOwnerId { get; init; }
        public bool IsEgress { get; init; }
        public string IpProtocol { get; init; } = "-1";
        public int FromPort { get; init; } = -1;
        public int ToPort { get; init; } = -1;
        public string? CidrIpv4 { get; init; }
        public string? CidrIpv6 { get; init; }
        public string? PrefixListId { get; init; }
        public string? ReferencedGroupId { get; init; }
        public string? Description { get; init; }
        public Dictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

        /// <summary>What the rule allows; null for a row without a source EC2 would never send. A row is a value, so this is computed once.</summary>
        public RuleIdentity? Identity => (_identity ??= new Lazy<RuleIdentity?>(() =>
        {
            var source = RuleSource.From(CidrIpv4, CidrIpv6, ReferencedGroupId, PrefixListId);
            return source == null ? null : RuleIdentity.FromAws(IpProtocol, FromPort, ToPort, source.Value);
        })).Value;

        private Lazy<RuleIdentity?>? _identity;
    }
}
