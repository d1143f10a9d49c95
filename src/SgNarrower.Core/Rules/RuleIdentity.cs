namespace SgNarrower.Rules
{
    /// <summary>
    /// What an ingress rule allows, and so what makes it the rule it is: protocol (canonical: "6" is "tcp", "-1" is all
    /// traffic), ports (canonical: -1/-1 where the protocol has none; ICMP type -1 means every code) and source (a
    /// normalised CIDR, a group, a prefix list). EC2 allows no two ingress rules of a group with the same identity,
    /// so this is what every comparison of rules uses: scanning, planning a change, restoring, and the AWS layer.
    /// A rule id is only a hint; the identity is the fact.
    /// </summary>
    public sealed class RuleIdentity : IEquatable<RuleIdentity>
    {
        private RuleIdentity(string protocol, int fromPort, int toPort, RuleSource source)
        {
            Protocol = protocol;
            FromPort = fromPort;
            ToPort = toPort;
            Source = source;
        }

        /// <summary>tcp, udp, icmp, icmpv6, -1 (all traffic) or a protocol number.</summary>
        public string Protocol { get; }
        public int FromPort { get; }
        public int ToPort { get; }
        public RuleSource Source { get; }

        public ProtocolKind Kind => Protocols.Classify(Protocol);

        /// <summary>
        /// A rule from input the user handed in (a record, a CSV row, a parameter): every field a rule needs must be
        /// there and in range, or FormatException says which is missing. Nothing is defaulted.
        /// </summary>
        public static RuleIdentity Parse(string? ipProtocol, int? fromPort, int? toPort, RuleSource source)
        {
            if (string.IsNullOrWhiteSpace(ipProtocol)) throw new FormatException("it has no IpProtocol (tcp, udp, icmp, icmpv6, -1 for all traffic, or a protocol number)");
            if (!Protocols.IsValid(ipProtocol)) throw new FormatException($"'{ipProtocol}' is not an IP protocol (tcp, udp, icmp, icmpv6, -1, or a number 0-255)");
            var protocol = Protocols.Canonical(ipProtocol);
            var kind = Protocols.Classify(protocol);
            switch (kind)
            {
                case ProtocolKind.Tcp:
                case ProtocolKind.Udp:
                    if (fromPort == null || toPort == null)
                        throw new FormatException($"a {protocol} rule needs FromPort and ToPort (0-65535)");
                    if (fromPort < 0 || fromPort > 65535 || toPort < 0 || toPort > 65535)
                        throw new FormatException($"a {protocol} port is 0-65535, not {fromPort}-{toPort}");
                    if (fromPort > toPort) throw new FormatException($"the port range {fromPort}-{toPort} runs backwards");
                    break;
                case ProtocolKind.Icmp:
                case ProtocolKind.Icmpv6:
                    if (fromPort == null || toPort == null)
                        throw new FormatException($"an {protocol} rule needs FromPort (the ICMP type) and ToPort (the code); -1 means all");
                    if (fromPort < -1 || fromPort > 255 || toPort < -1 || toPort > 255)
                        throw new FormatException($"an ICMP type and code are -1 to 255, not {fromPort} and {toPort}");
                    if (fromPort == -1 && toPort != -1)
                        throw new FormatException($"an {protocol} rule for every type (FromPort -1) covers every code: ToPort must be -1, not {toPort}");
                    break;
                default:
                    // All traffic and protocols without ports: EC2 reports -1; other values are out of range.
                    if ((fromPort != null && (fromPort < -1 || fromPort > 65535)) || (toPort != null && (toPort < -1 || toPort > 65535)))
                        throw new FormatException($"ports are -1 to 65535, not {fromPort}-{toPort}");
                    break;
            }
            return FromAws(protocol, fromPort, toPort, source);
        }

        /// <summary>A rule as EC2 reports it: canonicalised, never refused (EC2's own data is complete).</summary>
        public static RuleIdentity FromAws(string? ipProtocol, int? fromPort, int? toPort, RuleSource source)
        {
            var protocol = Protocols.Canonical(ipProtocol);
            var (from, to) = CanonicalPorts(protocol, fromPort, toPort);
            return new RuleIdentity(protocol, from, to, source);
        }

        /// <summary>
        /// Ports as EC2's SecurityGroupRule reports them, the one way every rule is compared: -1 where the protocol
        /// carries none (all traffic, protocol numbers without ports); for ICMP, type -1 (every type) means every code.
        /// </summary>
        public static (int From, int To) CanonicalPorts(string? ipProtocol, int? fromPort, int? toPort)
        {
            switch (Protocols.Classify(ipProtocol))
            {
                case ProtocolKind.Tcp:
                case ProtocolKind.Udp:
                    return (fromPort ?? -1, toPort ?? -1);
                case ProtocolKind.Icmp:
                case ProtocolKind.Icmpv6:
                    var from = fromPort ?? -1;
                    return (from, from == -1 ? -1 : toPort ?? -1);
                default:
                    return (-1, -1);
            }
        }

        /// <summary>The same protocol and ports from another source: what narrowing grants.</summary>
        public RuleIdentity WithSource(RuleSource source) => new RuleIdentity(Protocol, FromPort, ToPort, source);

        /// <summary>Same protocol and ports, whatever the source.</summary>
        public bool SamePermission(RuleIdentity other) =>
            string.Equals(Protocol, other.Protocol, StringComparison.Ordinal) && FromPort == other.FromPort && ToPort == other.ToPort;

        public bool Equals(RuleIdentity? other) =>
            other != null && SamePermission(other) && Source.Equals(other.Source);

        public override bool Equals(object? obj) => obj is RuleIdentity r && Equals(r);

        public override int GetHashCode()
        {
            unchecked
            {
                int h = Protocol.GetHashCode();
                h = h * 31 + FromPort;
                h = h * 31 + ToPort;
                return h * 31 + Source.GetHashCode();
            }
        }

        /// <summary>The protocol and ports in words: "tcp 22", "icmp type 8", "all traffic".</summary>
        public string Permission => Kind == ProtocolKind.All
            ? "all traffic"
            : $"{Protocols.DisplayName(Protocol)} {PortText.Words(Protocol, FromPort, ToPort)}";

        /// <summary>"tcp 22 from 0.0.0.0/0", "all traffic from ::/0".</summary>
        public override string ToString() => $"{Permission} from {Source}";

    }
}
