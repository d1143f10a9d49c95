namespace SgNarrower.Rules
{
    public enum SourceKind { Ipv4Cidr, Ipv6Cidr, SecurityGroup, PrefixList }
}
