using SgNarrower.AwsApi;

namespace SgNarrower.Exposure
{
    /// <summary>
    /// Which groups expose what: for each group, the interfaces that carry it, and for each address family whether one
    /// of them is reachable from the internet. An interface is, for IPv4, when it has a public address and its subnet's
    /// route table (its explicit one, else the VPC's main one) sends 0.0.0.0/0 to an internet gateway; for IPv6, when it
    /// has an IPv6 address and its subnet sends ::/0 to an internet gateway; and in either family when it belongs to a
    /// load balancer with a public address (an internet-facing one).
    /// </summary>
    public sealed class ExposureMap
    {
        private readonly Dictionary<string, List<NetworkInterfaceInfo>> _byGroup = new Dictionary<string, List<NetworkInterfaceInfo>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, RouteTableInfo> _bySubnet = new Dictionary<string, RouteTableInfo>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, RouteTableInfo> _mainByVpc = new Dictionary<string, RouteTableInfo>(StringComparer.OrdinalIgnoreCase);

        public IReadOnlyList<NetworkInterfaceInfo> Interfaces { get; }
        public IReadOnlyList<RouteTableInfo> RouteTables { get; }

        /// <summary>Maps of several scopes as one (interface and route table ids are unique).</summary>
        public static ExposureMap Merge(IEnumerable<ExposureMap> maps)
        {
            var list = maps.ToList();
            return new ExposureMap(list.SelectMany(m => m.Interfaces), list.SelectMany(m => m.RouteTables));
        }

        public ExposureMap(IEnumerable<NetworkInterfaceInfo> interfaces, IEnumerable<RouteTableInfo> routeTables)
        {
            Interfaces = interfaces.ToList();
            RouteTables = routeTables.ToList();
            interfaces = Interfaces;
            routeTables = RouteTables;
            foreach (var t in routeTables)
            {
                foreach (var s in t.SubnetIds) _bySubnet[s] = t;
                if (t.Main && t.VpcId != null) _mainByVpc[t.VpcId] = t;
            }
            foreach (var ni in interfaces)
                foreach (var g in ni.GroupIds.Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    if (!_byGroup.TryGetValue(g, out var list)) _byGroup[g] = list = new List<NetworkInterfaceInfo>();
                    list.Add(ni);
                }
        }

        public IReadOnlyList<NetworkInterfaceInfo> InterfacesOf(string groupId) =>
            _byGroup.TryGetValue(groupId, out var list) ? list : (IReadOnlyList<NetworkInterfaceInfo>)Array.Empty<NetworkInterfaceInfo>();

        public ExposureLevel For(string groupId, bool ipv6)
        {
            var interfaces = InterfacesOf(groupId);
            if (interfaces.Count == 0) return ExposureLevel.Unattached;
            return interfaces.Any(ni => IsPublic(ni, ipv6)) ? ExposureLevel.Public : ExposureLevel.Private;
        }

        public bool IsPublic(NetworkInterfaceInfo ni, bool ipv6)
        {
            if (ni.LoadBalancer != null && ni.PublicIpAddresses.Count > 0) return true;
            var table = RouteTableOf(ni);
            if (table == null) return false;
            return ipv6 ? ni.Ipv6Addresses.Count > 0 && table.Ipv6ToInternet : ni.PublicIpAddresses.Count > 0 && table.Ipv4ToInternet;
        }

        private RouteTableInfo? RouteTableOf(NetworkInterfaceInfo ni)
        {
            if (ni.SubnetId != null && _bySubnet.TryGetValue(ni.SubnetId, out var t)) return t;
            return ni.VpcId != null && _mainByVpc.TryGetValue(ni.VpcId, out var main) ? main : null;
        }

        /// <summary>What is attached, enough to look it up: instance ids, load balancers, and other interfaces by type.</summary>
        public IReadOnlyList<string> AttachedTo(string groupId) =>
            InterfacesOf(groupId).Select(ni => ni.InstanceId ?? (ni.LoadBalancer != null ? "elb:" + ni.LoadBalancer : $"{ni.InterfaceType ?? "interface"}:{ni.NetworkInterfaceId}"))
                .Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();

        /// <summary>The rule with its exposure filled in.</summary>
        public OpenIngressRule Annotate(OpenIngressRule rule) => rule with
        {
            Exposure = For(rule.GroupId, rule.OpenInIpv6()),
            NetworkInterfaceCount = InterfacesOf(rule.GroupId).Count,
            AttachedTo = AttachedTo(rule.GroupId),
        };
    }
}
