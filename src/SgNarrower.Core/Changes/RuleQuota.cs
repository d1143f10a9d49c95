using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// How many inbound rules a group holds, counted as EC2 counts them against its quota (VPC User Guide, "Amazon VPC
    /// quotas", security groups): 60 inbound rules per group by default, enforced separately for IPv4 and IPv6; a rule
    /// that references a security group or an AWS-managed prefix list counts once in each family; a rule that
    /// references a customer-managed prefix list counts as the list's MaxEntries. A raised quota is the account's
    /// (Service Quotas L-0EA8095F), which only the admin can state.
    /// </summary>
    public sealed class RuleQuota
    {
        /// <summary>EC2's default: inbound rules per security group, per address family.</summary>
        public const int Default = 60;
        /// <summary>The most the quota can be raised to (rules per group x groups per interface is at most 1,000).</summary>
        public const int Most = 1000;

        private readonly int _limit;
        private int _ipv4, _ipv6;

        private RuleQuota(int limit) { _limit = limit; }

        /// <summary>The group as it is now.</summary>
        public static RuleQuota Of(LiveGroup group, int limit, IReadOnlyDictionary<string, PrefixListInfo>? prefixLists)
        {
            var quota = new RuleQuota(limit);
            foreach (var rule in group.Ingress)
                if (rule.Identity is RuleIdentity id) quota.Add(id.Source, prefixLists);
            return quota;
        }

        public int Ipv4 => _ipv4;
        public int Ipv6 => _ipv6;
        public int Limit => _limit;

        /// <summary>What one more rule with this source weighs: (IPv4, IPv6).</summary>
        public static (int Ipv4, int Ipv6) Weight(RuleSource source, IReadOnlyDictionary<string, PrefixListInfo>? prefixLists) => source.Kind switch
        {
            SourceKind.Ipv4Cidr => (1, 0),
            SourceKind.Ipv6Cidr => (0, 1),
            SourceKind.PrefixList when prefixLists != null && prefixLists.TryGetValue(source.Value, out var list) && !list.IsAwsManaged && list.MaxEntries is int max =>
                string.Equals(list.AddressFamily, "IPv6", StringComparison.OrdinalIgnoreCase) ? (0, max) : (max, 0),
            _ => (1, 1),
        };

        private void Add(RuleSource source, IReadOnlyDictionary<string, PrefixListInfo>? prefixLists)
        {
            var (v4, v6) = Weight(source, prefixLists);
            _ipv4 += v4;
            _ipv6 += v6;
        }

        /// <summary>
        /// Takes room for these new rules if all of them fit, and returns null; else leaves the count as it is and says
        /// why they do not fit (the group's count, the quota, and what they need).
        /// </summary>
        public string? TryTake(IReadOnlyCollection<RuleSource> sources, IReadOnlyDictionary<string, PrefixListInfo>? prefixLists)
        {
            int v4 = 0, v6 = 0;
            foreach (var s in sources)
            {
                var w = Weight(s, prefixLists);
                v4 += w.Ipv4;
                v6 += w.Ipv6;
            }
            if (_ipv4 + v4 <= _limit && _ipv6 + v6 <= _limit)
            {
                _ipv4 += v4;
                _ipv6 += v6;
                return null;
            }
            var (family, has, needs) = _ipv4 + v4 > _limit ? ("IPv4", _ipv4, v4) : ("IPv6", _ipv6, v6);
            return $"it needs {needs} more inbound {family} rule(s), and the group holds {has} of its quota of {_limit}";
        }
    }
}
