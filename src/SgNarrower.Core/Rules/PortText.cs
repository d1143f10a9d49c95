namespace SgNarrower.Rules
{
    public static class PortText
    {
        public static string Words(string ipProtocol, int fromPort, int toPort)
        {
            var kind = Protocols.Classify(ipProtocol);
            switch (kind)
            {
                case ProtocolKind.Tcp:
                case ProtocolKind.Udp:
                    if (fromPort == -1 || (fromPort == 0 && toPort == 65535)) return "all";
                    return fromPort == toPort ? fromPort.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{fromPort}-{toPort}";
                case ProtocolKind.Icmp:
                case ProtocolKind.Icmpv6:
                    if (fromPort == -1) return "all";
                    return toPort == -1 ? $"type {fromPort}" : $"type {fromPort} code {toPort}";
                default:
                    return "all";
            }
        }
    }
}
