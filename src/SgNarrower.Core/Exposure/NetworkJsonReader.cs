using SgNarrower.AwsApi;
using SgNarrower.Json;
using SgNarrower.Rules;

namespace SgNarrower.Exposure
{
    /// <summary>
    /// Reads saved exports for offline exposure: what 'aws ec2 describe-network-interfaces' and 'aws ec2
    /// describe-route-tables' print, or what 'Get-EC2NetworkInterface | ConvertTo-Json -Depth 6' and
    /// 'Get-EC2RouteTable | ConvertTo-Json -Depth 6' write (a list, or one object; enum values as strings or as
    /// { "Value": ... }). The same shapes the live calls give, so exposure is judged the same way.
    /// </summary>
    public static class NetworkJsonReader
    {
        public static List<NetworkInterfaceInfo> ReadInterfaces(string json)
        {
            var interfaces = Interfaces(json);
            foreach (var n in interfaces)
                foreach (var ip in n.PrivateIpAddresses.Concat(n.PublicIpAddresses).Concat(n.Ipv6Addresses))
                    if (!IpAddressText.TryParse(ip, out _))
                        throw new NetworkFileException($"interface {n.NetworkInterfaceId} has the address '{ip}', which is not written as AWS writes addresses (IPv4 as four decimal octets without leading zeros, IPv6 in RFC 4291 text); it is not reinterpreted.");
            return interfaces;
        }

        private static List<NetworkInterfaceInfo> Interfaces(string json) =>
            Items(json, "NetworkInterfaces", "NetworkInterfaceId").Select(n => new NetworkInterfaceInfo
            {
                NetworkInterfaceId = n.GetString("NetworkInterfaceId")!,
                VpcId = n.GetString("VpcId"),
                SubnetId = n.GetString("SubnetId"),
                InterfaceType = Text(n, "InterfaceType"),
                Description = n.GetString("Description"),
                InstanceId = (n.TryGetValue("Attachment", out var a) ? a as JsonObject : null)?.GetString("InstanceId"),
                GroupIds = Objects(n, "Groups").Select(g => g.GetString("GroupId")).Where(g => g != null).Select(g => g!).ToList(),
                PrivateIpAddresses = Objects(n, "PrivateIpAddresses").Select(p => p.GetString("PrivateIpAddress"))
                    .Concat(new[] { n.GetString("PrivateIpAddress") }).Where(ip => !string.IsNullOrEmpty(ip)).Select(ip => ip!).Distinct().ToList(),
                PublicIpAddresses = Objects(n, "PrivateIpAddresses").Select(PublicIp).Concat(new[] { PublicIp(n) })
                    .Where(ip => !string.IsNullOrEmpty(ip)).Select(ip => ip!).Distinct().ToList(),
                Ipv6Addresses = Objects(n, "Ipv6Addresses").Select(p => p.GetString("Ipv6Address")).Where(ip => ip != null).Select(ip => ip!).ToList(),
            }).ToList();

        public static List<RouteTableInfo> ReadRouteTables(string json) =>
            Items(json, "RouteTables", "RouteTableId").Select(t =>
            {
                var routes = Objects(t, "Routes").Where(r => !string.Equals(Text(r, "State"), "blackhole", StringComparison.Ordinal)).ToList();
                bool ToIgw(JsonObject r) => r.GetString("GatewayId") is string gw && gw.StartsWith("igw-", StringComparison.Ordinal);
                var associations = Objects(t, "Associations").ToList();
                return new RouteTableInfo
                {
                    RouteTableId = t.GetString("RouteTableId")!,
                    VpcId = t.GetString("VpcId"),
                    Main = associations.Any(x => x.TryGetValue("Main", out var m) && m is bool b && b),
                    SubnetIds = associations.Select(x => x.GetString("SubnetId")).Where(s => s != null).Select(s => s!).ToList(),
                    Ipv4ToInternet = routes.Any(r => r.GetString("DestinationCidrBlock") == "0.0.0.0/0" && ToIgw(r)),
                    Ipv6ToInternet = routes.Any(r => r.GetString("DestinationIpv6CidrBlock") == "::/0" && ToIgw(r)),
                };
            }).ToList();

        /// <summary>The objects of the export: under its top-level property, or the export itself as a list or one object.</summary>
        private static IEnumerable<JsonObject> Items(string json, string property, string idProperty)
        {
            object? root;
            try { root = JsonParser.Parse(json); }
            catch (JsonParseException e) { throw new NetworkFileException($"it is not JSON ({e.Message}).", e); }
            IReadOnlyList<object?> items = root switch
            {
                JsonObject o when o.ContainsKey(property) => o.GetArray(property),
                JsonObject o when o.ContainsKey(idProperty) => new object?[] { o },
                List<object?> list => list,
                _ => throw new NetworkFileException($"it has no '{property}': give the output of 'aws ec2 describe-{Kebab(property)}' or of ConvertTo-Json over the AWS.Tools objects."),
            };
            int index = 0;
            foreach (var item in items)
            {
                index++;
                if (!(item is JsonObject o) || o.GetString(idProperty) == null)
                    throw new NetworkFileException($"item {index} of '{property}' has no {idProperty}.");
                yield return o;
            }
        }

        private static IEnumerable<JsonObject> Objects(JsonObject o, string name) => o.GetArray(name).OfType<JsonObject>();

        private static string? PublicIp(JsonObject o) => (o.TryGetValue("Association", out var a) ? a as JsonObject : null)?.GetString("PublicIp");

        /// <summary>A string, or AWS.Tools' { "Value": "..." } for the SDK's enum-like constants.</summary>
        private static string? Text(JsonObject o, string name) =>
            o.TryGetValue(name, out var v) && v is JsonObject constant ? constant.GetString("Value") : o.GetString(name);

        private static string Kebab(string name) =>
            string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }
}
