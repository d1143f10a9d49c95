namespace SgNarrower.Rules
{
    /// <summary>How a rule is named in messages, prompts and -WhatIf lines.</summary>
    public static class RuleText
    {
        public static string Short(string ipProtocol, int fromPort, int toPort, string? source)
        {
            var kind = Protocols.Classify(ipProtocol);
            var what = kind == ProtocolKind.All ? "all" : $"{Protocols.DisplayName(ipProtocol)} {PortText.Words(ipProtocol, fromPort, toPort)}";
            return $"{what} {source}";
        }

        public static string Long(string groupId, string ipProtocol, int fromPort, int toPort, string? cidr)
        {
            var proto = Protocols.DisplayName(ipProtocol);
            var ports = PortText.Words(ipProtocol, fromPort, toPort);
            return ports == "all" && proto == "all traffic"
                ? $"{groupId}: all traffic from {cidr}"
                : $"{groupId}: {proto} {ports} from {cidr}";
        }
    }
}
