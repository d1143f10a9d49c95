namespace SgNarrower.Rules
{
    /// <summary>EC2 protocol names and numbers: "tcp" and "6" are the same protocol, "-1" is all traffic.</summary>
    public static class Protocols
    {
        public static ProtocolKind Classify(string? ipProtocol)
        {
            switch ((ipProtocol ?? "").Trim().ToLowerInvariant())
            {
                case "-1": case "all": return ProtocolKind.All;
                case "tcp": case "6": return ProtocolKind.Tcp;
                case "udp": case "17": return ProtocolKind.Udp;
                case "icmp": case "1": return ProtocolKind.Icmp;
                case "icmpv6": case "58": return ProtocolKind.Icmpv6;
                default: return ProtocolKind.Other;
            }
        }

        /// <summary>True where the protocol has port numbers (TCP and UDP).</summary>
        public static bool HasPorts(ProtocolKind kind) => kind == ProtocolKind.Tcp || kind == ProtocolKind.Udp;

        public static string DisplayName(string? ipProtocol) =>
            Classify(ipProtocol) switch
            {
                ProtocolKind.All => "all traffic",
                ProtocolKind.Other => "protocol " + ipProtocol,
                var kind => Name(kind),
            };

        /// <summary>
        /// The protocol as EC2 stores it: names for tcp/udp/icmp/icmpv6 (EC2 turns 6, 17, 1 and 58 into names),
        /// "-1" for all traffic, the number otherwise. Used to compare rules from different sources.
        /// </summary>
        public static string Canonical(string? ipProtocol)
        {
            var text = (ipProtocol ?? "").Trim();
            return Classify(text) switch
            {
                ProtocolKind.All => "-1",
                ProtocolKind.Other => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                    ? n.ToString(CultureInfo.InvariantCulture) : text.ToLowerInvariant(),
                var kind => Name(kind),
            };
        }

        /// <summary>EC2's name of a named protocol: tcp, udp, icmp, icmpv6.</summary>
        private static string Name(ProtocolKind kind) => kind.ToString().ToLowerInvariant();

        public static bool IsValid(string? ipProtocol)
        {
            if (string.IsNullOrWhiteSpace(ipProtocol)) return false;
            if (Classify(ipProtocol) != ProtocolKind.Other) return true;
            return int.TryParse(ipProtocol!.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 0 && n <= 255;
        }
    }
}
