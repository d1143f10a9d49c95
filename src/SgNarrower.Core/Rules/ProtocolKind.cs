namespace SgNarrower.Rules
{
    public enum ProtocolKind { All, Tcp, Udp, Icmp, Icmpv6, Other }
}
