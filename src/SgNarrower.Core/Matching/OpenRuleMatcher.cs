using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Matching
{
    /// <summary>Decides, rule by rule, what is open to the world and matters under a policy.</summary>
    public sealed class OpenRuleMatcher
    {
        private readonly OpenRulePolicy _policy;

        public OpenRuleMatcher(OpenRulePolicy policy) { _policy = policy; }

        public OpenRulePolicy Policy => _policy;

        /// <summary>True where the CIDR counts as open: the world, broad enough, or named by the user.</summary>
        public bool IsOpenSource(string? cidrText)
        {
            // Most sources of a large export are neither the world nor open under a narrower policy: told by their
            // prefix length alone, without parsing the address.
            if (_policy.BroadIpv4PrefixLength == null && _policy.BroadIpv6PrefixLength == null && _policy.ExtraCidrs.Count == 0 &&
                cidrText != null && PrefixOf(cidrText) > 0) return false;
            if (!Cidr.TryParse(cidrText, out var cidr)) return false;
            if (cidr.IsWorld) return true;
            var broad = cidr.IsIpv6 ? _policy.BroadIpv6PrefixLength : _policy.BroadIpv4PrefixLength;
            if (broad is int max && cidr.PrefixLength <= max) return true;
            return _policy.ExtraCidrs.Contains(cidr);
        }

        /// <summary>The decimal prefix length after the text's one slash; -1 where it is not plainly one.</summary>
        private static int PrefixOf(string text)
        {
            int slash = text.IndexOf('/');
            if (slash < 0 || slash == text.Length - 1 || text.Length - slash > 4) return -1;
            int prefix = 0;
            for (int i = slash + 1; i < text.Length; i++)
            {
                char c = text[i];
                if (c < '0' || c > '9') return -1;
                prefix = prefix * 10 + (c - '0');
            }
            return prefix;
        }

        /// <summary>True where the rule's protocol and ports matter under the port policy.</summary>
        public bool MattersForPorts(string ipProtocol, int fromPort, int toPort)
        {
            var kind = Protocols.Classify(ipProtocol);
            if (Protocols.HasPorts(kind) && fromPort < 0) { fromPort = 0; toPort = 65535; }

            var interest = kind == ProtocolKind.Tcp ? _policy.TcpPortsOfInterest
                         : kind == ProtocolKind.Udp ? _policy.UdpPortsOfInterest : null;
            bool hasPortFilter = _policy.TcpPortsOfInterest != null || _policy.UdpPortsOfInterest != null;
            if (hasPortFilter && kind != ProtocolKind.All)
            {
                // A port filter asks about ports: only TCP/UDP ranges (and all traffic) can expose them.
                if (interest == null || !interest.Intersects(fromPort, toPort)) return false;
            }

            bool authorizedMode = _policy.AuthorizedTcpPorts != null || _policy.AuthorizedUdpPorts != null;
            if (authorizedMode)
            {
                var authorized = kind == ProtocolKind.Tcp ? _policy.AuthorizedTcpPorts
                               : kind == ProtocolKind.Udp ? _policy.AuthorizedUdpPorts : null;
                // All traffic, ICMP and other protocols expose something that is not an authorized port.
                if (authorized != null && authorized.Covers(fromPort, toPort)) return false;
            }
            return true;
        }

        public bool IsGroupExempt(string groupId, IReadOnlyDictionary<string, string>? groupTags) =>
            _policy.ExcludeGroupIds.Contains(groupId) || _policy.ExcludeGroupTags.Any(t => t.Matches(groupTags));

        public bool IsRuleExempt(IReadOnlyDictionary<string, string>? ruleTags) =>
            _policy.ExcludeRuleTags.Any(t => t.Matches(ruleTags));

        /// <summary>
        /// The open rules of one group, one per world-open source, before rule ids and rule tags are known.
        /// Group references are never reported; prefix lists are matched by <see cref="MatchPrefixLists"/>.
        /// </summary>
        public IEnumerable<OpenIngressRule> Match(SecurityGroupSnapshot group, string? region)
        {
            foreach (var (permission, from, to) in PermissionsThatMatter(group))
            {
                foreach (var range in permission.Ipv4Ranges ?? new List<CidrSource>())
                    if (range != null && IsOpenSource(range.Cidr))
                        yield return Build(group, region, permission, from, to, range, ipv6: false);
                foreach (var range in permission.Ipv6Ranges ?? new List<CidrSource>())
                    if (range != null && IsOpenSource(range.Cidr))
                        yield return Build(group, region, permission, from, to, range, ipv6: true);
            }
        }

        /// <summary>The prefix lists the group's permissions refer to, where the ports matter under the policy.</summary>
        public IEnumerable<string> PrefixListIdsOf(SecurityGroupSnapshot group) =>
            PermissionsThatMatter(group).SelectMany(p => p.Permission.PrefixListIds ?? new List<string>());

        /// <summary>
        /// Rules whose source is a customer-managed prefix list with an open entry (<paramref name="openEntries"/>: list
        /// id to the entry that makes it open). The rule is open through the list.
        /// </summary>
        public IEnumerable<OpenIngressRule> MatchPrefixLists(SecurityGroupSnapshot group, string? region, IReadOnlyDictionary<string, string> openEntries)
        {
            foreach (var (permission, from, to) in PermissionsThatMatter(group))
                foreach (var id in permission.PrefixListIds ?? new List<string>())
                    if (openEntries.TryGetValue(id, out var entry))
                        yield return new OpenIngressRule
                        {
                            Region = region, OwnerId = group.OwnerId, VpcId = group.VpcId, GroupId = group.GroupId, GroupName = group.GroupName,
                            IpProtocol = permission.IpProtocol, FromPort = from, ToPort = to, PrefixListId = id, OpenEntry = entry,
                            GroupTags = new Dictionary<string, string>(group.Tags ?? new Dictionary<string, string>()),
                        };
        }

        /// <summary>The permissions of a group that is not exempt whose ports matter under the policy, with canonical ports.</summary>
        private IEnumerable<(IpPermissionSnapshot Permission, int From, int To)> PermissionsThatMatter(SecurityGroupSnapshot group)
        {
            if (IsGroupExempt(group.GroupId, group.Tags)) yield break;
            foreach (var permission in group.IpPermissions ?? new List<IpPermissionSnapshot>())
            {
                if (permission == null) continue;
                var (from, to) = RuleIdentity.CanonicalPorts(permission.IpProtocol, permission.FromPort, permission.ToPort);
                if (MattersForPorts(permission.IpProtocol, from, to)) yield return (permission, from, to);
            }
        }

        private static OpenIngressRule Build(SecurityGroupSnapshot group, string? region, IpPermissionSnapshot permission,
            int from, int to, CidrSource range, bool ipv6) => new OpenIngressRule
        {
            Region = region,
            OwnerId = group.OwnerId,
            VpcId = group.VpcId,
            GroupId = group.GroupId,
            GroupName = group.GroupName,
            IpProtocol = permission.IpProtocol,
            FromPort = from,
            ToPort = to,
            CidrIpv4 = ipv6 ? null : range.Cidr,
            CidrIpv6 = ipv6 ? range.Cidr : null,
            Description = range.Description,
            GroupTags = new Dictionary<string, string>(group.Tags ?? new Dictionary<string, string>()),
        };
    }
}
