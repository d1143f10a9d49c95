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

        /// <summary>
        /// What the rule allows; null for a row without a source EC2 would never send. Computed once for the fields it
        /// was computed from (a row is filled in once; should a field change, it is computed again).
        /// </summary>
        public RuleIdentity? Identity
        {
            get
            {
                var key = (IpProtocol, FromPort, ToPort, CidrIpv4, CidrIpv6, ReferencedGroupId, PrefixListId);
                var cached = _cached;
                if (cached != null && cached.Key.Equals(key)) return cached.Identity;
                var source = RuleSource.From(CidrIpv4, CidrIpv6, ReferencedGroupId, PrefixListId);
                var identity = source == null ? null : RuleIdentity.FromAws(IpProtocol, FromPort, ToPort, source.Value);
                // One reference, replaced whole: a reader on another thread sees a key with its own identity.
                _cached = new CachedIdentity(key, identity);
                return identity;
            }
        }

        private CachedIdentity? _cached;

        private sealed class CachedIdentity
        {
            public CachedIdentity((string, int, int, string?, string?, string?, string?) key, RuleIdentity? identity) { Key = key; Identity = identity; }
            public (string, int, int, string?, string?, string?, string?) Key { get; }
            public RuleIdentity? Identity { get; }
        }
    }
}
