using System.Collections.Generic;

namespace SgNarrower
{
    /// <summary>A security group as DescribeSecurityGroups (or its JSON export) shows it: our own shape, no SDK types.</summary>
    public sealed class SecurityGroupSnapshot
    {
        public string GroupId { get; set; } = "";
        public string? GroupName { get; set; }
        public string? OwnerId { get; set; }
        public string? VpcId { get; set; }
        public string? Description { get; set; }
        public List<IpPermissionSnapshot> IpPermissions { get; set; } = new List<IpPermissionSnapshot>();
        public Dictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
    }

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

    public sealed class CidrSource
    {
        public CidrSource(string cidr, string? description = null)
        {
            Cidr = cidr;
            Description = description;
        }
        public string Cidr { get; }
        public string? Description { get; }
    }

    /// <summary>A managed prefix list: who owns it (AWS for com.amazonaws.* lists) and its name.</summary>
    public sealed class PrefixListInfo
    {
        public string PrefixListId { get; set; } = "";
        public string? Name { get; set; }
        public string? OwnerId { get; set; }
        public bool IsAwsManaged => OwnerId == "AWS" || (Name != null && Name.StartsWith("com.amazonaws.", System.StringComparison.Ordinal));
    }

    /// <summary>One row of DescribeSecurityGroupRules: the rule's own id and tags.</summary>
    public sealed class SecurityGroupRuleInfo
    {
        public string SecurityGroupRuleId { get; set; } = "";
        public string GroupId { get; set; } = "";
        public string? GroupOwnerId { get; set; }
        public bool IsEgress { get; set; }
        public string IpProtocol { get; set; } = "-1";
        public int FromPort { get; set; } = -1;
        public int ToPort { get; set; } = -1;
        public string? CidrIpv4 { get; set; }
        public string? CidrIpv6 { get; set; }
        public string? PrefixListId { get; set; }
        public string? ReferencedGroupId { get; set; }
        public string? Description { get; set; }
        public Dictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();

        /// <summary>What the rule allows; null for a row without a source EC2 would never send.</summary>
        public RuleIdentity? Identity
        {
            get
            {
                var source = RuleSource.From(CidrIpv4, CidrIpv6, ReferencedGroupId, PrefixListId);
                return source == null ? null : RuleIdentity.Of(IpProtocol, FromPort, ToPort, source.Value);
            }
        }
    }
}
