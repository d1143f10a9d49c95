using SgNarrower.Rules;

namespace SgNarrower.Matching
{
    /// <summary>What counts as open, which ports matter, and what is exempt.</summary>
    public sealed class OpenRulePolicy
    {
        public static readonly int[] HighRiskPortList =
            { 20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300 };
        public static readonly int[] RestrictedCommonPortList = { 20, 21, 3389, 3306, 4333 };

        /// <summary>IPv4 CIDRs of this prefix length or broader count as open (null: only 0.0.0.0/0).</summary>
        public int? BroadIpv4PrefixLength { get; set; }
        /// <summary>IPv6 CIDRs of this prefix length or broader count as open (null: only ::/0).</summary>
        public int? BroadIpv6PrefixLength { get; set; }
        /// <summary>Further CIDRs that count as open, matched exactly after normalisation.</summary>
        public HashSet<Cidr> ExtraCidrs { get; } = new HashSet<Cidr>();

        /// <summary>Only rules exposing one of these TCP ports (or all traffic) are reported; null: any.</summary>
        public PortSet? TcpPortsOfInterest { get; set; }
        /// <summary>Only rules exposing one of these UDP ports (or all traffic) are reported; null: any.</summary>
        public PortSet? UdpPortsOfInterest { get; set; }
        /// <summary>With authorized ports set, a TCP/UDP rule whose every port is authorized is not reported.</summary>
        public PortSet? AuthorizedTcpPorts { get; set; }
        public PortSet? AuthorizedUdpPorts { get; set; }

        public HashSet<string> ExcludeGroupIds { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        public List<TagSelector> ExcludeGroupTags { get; } = new List<TagSelector>();
        public List<TagSelector> ExcludeRuleTags { get; } = new List<TagSelector>();

        /// <summary>Builds a policy from user-facing options; throws FormatException with a readable message on bad input.</summary>
        public static OpenRulePolicy Create(
            PortPolicy preset = PortPolicy.All,
            IEnumerable<int>? ports = null,
            IEnumerable<string>? authorizedTcpPorts = null,
            IEnumerable<string>? authorizedUdpPorts = null,
            int? broadIpv4PrefixLength = null,
            int? broadIpv6PrefixLength = null,
            IEnumerable<string>? extraCidrs = null,
            IEnumerable<string>? excludeGroupIds = null,
            IEnumerable<string>? excludeGroupTags = null,
            IEnumerable<string>? excludeRuleTags = null)
        {
            var policy = new OpenRulePolicy();
            if (broadIpv4PrefixLength is int v4 && (v4 < 0 || v4 > 32))
                throw new FormatException($"An IPv4 prefix length is 0 to 32, not {v4}.");
            if (broadIpv6PrefixLength is int v6 && (v6 < 0 || v6 > 128))
                throw new FormatException($"An IPv6 prefix length is 0 to 128, not {v6}.");
            policy.BroadIpv4PrefixLength = broadIpv4PrefixLength;
            policy.BroadIpv6PrefixLength = broadIpv6PrefixLength;
            foreach (var c in extraCidrs ?? Enumerable.Empty<string>())
                policy.ExtraCidrs.Add(Cidr.TryParse(c, out var cidr) ? cidr
                    : throw new FormatException($"-IncludeCidr '{c}' is not a CIDR block: IPv4 is read only as four decimal octets without leading zeros (like 198.51.100.0/24), IPv6 in RFC 4291 text (like 2001:db8::/32), and nothing else is reinterpreted."));

            PortSet? tcp = null, udp = null;
            switch (preset)
            {
                case PortPolicy.HighRiskPorts:
                    tcp = udp = PortSet.Of(HighRiskPortList);
                    break;
                case PortPolicy.RestrictedSsh:
                    tcp = PortSet.Of(new[] { 22 });
                    udp = PortSet.Empty;
                    break;
                case PortPolicy.RestrictedCommonPorts:
                    tcp = PortSet.Of(RestrictedCommonPortList);
                    udp = PortSet.Empty;
                    break;
                case PortPolicy.AuthorizedPortsOnly:
                    policy.AuthorizedTcpPorts = PortSet.Of(new[] { 80, 443 });
                    policy.AuthorizedUdpPorts = PortSet.Empty;
                    break;
            }
            var portList = ports?.ToList();
            if (portList != null && portList.Count > 0)
            {
                var extra = PortSet.Of(portList);
                tcp = tcp == null ? extra : tcp.Union(extra);
                udp = udp == null ? extra : udp.Union(extra);
            }
            policy.TcpPortsOfInterest = tcp;
            policy.UdpPortsOfInterest = udp;

            var authTcp = authorizedTcpPorts?.ToList();
            var authUdp = authorizedUdpPorts?.ToList();
            if (authTcp != null && authTcp.Count > 0)
            {
                policy.AuthorizedTcpPorts = PortSet.Parse(authTcp);
                policy.AuthorizedUdpPorts ??= PortSet.Empty;
            }
            if (authUdp != null && authUdp.Count > 0)
            {
                policy.AuthorizedUdpPorts = PortSet.Parse(authUdp);
                policy.AuthorizedTcpPorts ??= PortSet.Empty;
            }

            foreach (var g in excludeGroupIds ?? Enumerable.Empty<string>()) policy.ExcludeGroupIds.Add(g.Trim());
            foreach (var t in excludeGroupTags ?? Enumerable.Empty<string>()) policy.ExcludeGroupTags.Add(TagSelector.Parse(t));
            foreach (var t in excludeRuleTags ?? Enumerable.Empty<string>()) policy.ExcludeRuleTags.Add(TagSelector.Parse(t));
            return policy;
        }
    }
}
