namespace SgNarrower.AwsApi
{
    /// <summary>A route table: which subnets use it (or that it is the VPC's main one) and whether it routes to the internet.</summary>
    public sealed class RouteTableInfo
    {
        public string RouteTableId { get; set; } = "";
        public string? VpcId { get; set; }
        public bool Main { get; set; }
        public List<string> SubnetIds { get; set; } = new List<string>();
        /// <summary>A route for 0.0.0.0/0 to an internet gateway (igw-...).</summary>
        public bool Ipv4ToInternet { get; set; }
        /// <summary>A route for ::/0 to an internet gateway (igw-...; an egress-only gateway does not let traffic in).</summary>
        public bool Ipv6ToInternet { get; set; }
    }
}
