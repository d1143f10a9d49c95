namespace SgNarrower.AwsApi
{
    /// <summary>A network interface as DescribeNetworkInterfaces shows it, in our own shape.</summary>
    public sealed class NetworkInterfaceInfo
    {
        public string NetworkInterfaceId { get; set; } = "";
        public string? VpcId { get; set; }
        public string? SubnetId { get; set; }
        /// <summary>interface, network_load_balancer, nat_gateway, lambda, vpc_endpoint, ...</summary>
        public string? InterfaceType { get; set; }
        /// <summary>For load balancers: "ELB app/&lt;name&gt;/&lt;id&gt;" or "ELB net/...".</summary>
        public string? Description { get; set; }
        public string? InstanceId { get; set; }
        public List<string> GroupIds { get; set; } = new List<string>();
        /// <summary>The private IPv4 addresses.</summary>
        public List<string> PrivateIpAddresses { get; set; } = new List<string>();
        /// <summary>Public IPv4 addresses associated with any of the private ones.</summary>
        public List<string> PublicIpAddresses { get; set; } = new List<string>();
        public List<string> Ipv6Addresses { get; set; } = new List<string>();

        /// <summary>"app/name/id" for a load balancer's interface, else null.</summary>
        public string? LoadBalancer => Description != null && Description.StartsWith("ELB ", System.StringComparison.Ordinal) ? Description.Substring(4) : null;
    }
}
