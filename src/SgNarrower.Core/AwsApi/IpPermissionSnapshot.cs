namespace SgNarrower.AwsApi
{
    /// <summary>One permission: a protocol and port range with any number of sources, each of them one rule.</summary>
    public sealed class IpPermissionSnapshot
    {
        public string IpProtocol { get; set; } = "-1";
        /// <summary>Null where EC2 leaves the port out (all traffic, protocols without ports).</summary>
        public int? FromPort { get; set; }
        public int? ToPort { get; set; }
        public List<CidrSource> Ipv4Ranges { get; set; } = new List<CidrSource>();
        public List<CidrSource> Ipv6Ranges { get; set; } = new List<CidrSource>();
        /// <summary>Group references and prefix lists: kept for completeness, never CIDR sources.</summary>
        public List<string> ReferencedGroupIds { get; set; } = new List<string>();
        public List<string> PrefixListIds { get; set; } = new List<string>();
    }
}
