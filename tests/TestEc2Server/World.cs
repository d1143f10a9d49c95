using System.Text.Json;
using System.Text.Json.Serialization;

namespace SgNarrower.TestEc2;

/// <summary>A world of security groups by region, as the tests describe it (JSON over the control API).</summary>
public sealed class WorldSpec
{
    /// <summary>The regions of the caller's own account (<see cref="Ec2Service.DefaultAccount"/>).</summary>
    public Dictionary<string, RegionSpec> Regions { get; set; } = new();
    /// <summary>Other accounts, reached by assuming a role in them.</summary>
    public Dictionary<string, AccountSpec> Accounts { get; set; } = new();
    /// <summary>What DescribeRegions lists (the regions enabled for every account); null for a standard set.</summary>
    public List<string>? EnabledRegions { get; set; }
    /// <summary>EC2's token buckets per account and region; null for none.</summary>
    public ThrottleSpec? Throttling { get; set; }
    /// <summary>How long credentials from the stand-in STS and SSO last.</summary>
    public int CredentialSeconds { get; set; } = 3600;
    /// <summary>Inbound rules per group and address family: EC2's default 60, or an account's raised quota.</summary>
    public int RulesPerGroup { get; set; } = 60;
    /// <summary>How long each EC2 answer takes, in milliseconds (EC2 takes on the order of 100-500 ms); 0 answers at once.</summary>
    public int LatencyMs { get; set; }
}

public sealed class AccountSpec
{
    public Dictionary<string, RegionSpec> Regions { get; set; } = new();
    /// <summary>Roles that exist in the account; empty means any role name can be assumed.</summary>
    public List<string> Roles { get; set; } = new();
    /// <summary>The external id AssumeRole must carry, if any.</summary>
    public string? ExternalId { get; set; }
}

/// <summary>Token buckets shaped like EC2's: burst and refill per second, per account and region, by category.</summary>
public sealed class ThrottleSpec
{
    public double DescribeBurst { get; set; } = 100;
    public double DescribeRate { get; set; } = 20;
    public double MutatingBurst { get; set; } = 50;
    public double MutatingRate { get; set; } = 5;
    public double TagBurst { get; set; } = 100;
    public double TagRate { get; set; } = 10;
}

public sealed class RegionSpec
{
    public List<GroupSpec> Groups { get; set; } = new();
    public List<InterfaceSpec> NetworkInterfaces { get; set; } = new();
    public List<RouteTableSpec> RouteTables { get; set; } = new();
    public List<PrefixListSpec> PrefixLists { get; set; } = new();
}

/// <summary>A managed prefix list: customer lists carry the owner's account id, AWS's own carry "AWS" and a com.amazonaws name.</summary>
public sealed class PrefixListSpec
{
    public string PrefixListId { get; set; } = "";
    public string PrefixListName { get; set; } = "";
    public string OwnerId { get; set; } = "123456789012";
    public string AddressFamily { get; set; } = "IPv4";
    public int MaxEntries { get; set; } = 10;
    public List<string> Entries { get; set; } = new();
}

/// <summary>A network interface: what carries a group, and how it can be reached.</summary>
public sealed class InterfaceSpec
{
    public string NetworkInterfaceId { get; set; } = "";
    public string VpcId { get; set; } = "vpc-1";
    public string SubnetId { get; set; } = "subnet-1";
    public string InterfaceType { get; set; } = "interface";
    public string? Description { get; set; }
    public string? InstanceId { get; set; }
    public List<string> Groups { get; set; } = new();
    public string PrivateIp { get; set; } = "10.0.0.10";
    public string? PublicIp { get; set; }
    public List<string> Ipv6Addresses { get; set; } = new();
}

/// <summary>A route table: the subnets associated with it (or main for its VPC) and its routes to gateways.</summary>
public sealed class RouteTableSpec
{
    public string RouteTableId { get; set; } = "";
    public string VpcId { get; set; } = "vpc-1";
    public bool Main { get; set; }
    public List<string> Subnets { get; set; } = new();
    /// <summary>Destination CIDR (IPv4 or IPv6) to gateway id (igw-..., eigw-..., nat-...).</summary>
    public Dictionary<string, string> Routes { get; set; } = new();
}

public sealed class GroupSpec
{
    public string GroupId { get; set; } = "";
    public string? GroupName { get; set; }
    public string? Description { get; set; }
    public string? VpcId { get; set; }
    public string OwnerId { get; set; } = "123456789012";
    /// <summary>In the default VPC, revoking unknown rules is not an error: they come back as unknown.</summary>
    public bool DefaultVpc { get; set; }
    public Dictionary<string, string> Tags { get; set; } = new();
    public List<RuleSpec> Rules { get; set; } = new();
}

public sealed class RuleSpec
{
    public string? RuleId { get; set; }
    public bool Egress { get; set; }
    public string IpProtocol { get; set; } = "-1";
    public int FromPort { get; set; } = -1;
    public int ToPort { get; set; } = -1;
    public string? CidrIpv4 { get; set; }
    public string? CidrIpv6 { get; set; }
    public string? PrefixListId { get; set; }
    public string? ReferencedGroupId { get; set; }
    public string? Description { get; set; }
    public Dictionary<string, string> Tags { get; set; } = new();

    public RuleSpec Clone() => (RuleSpec)MemberwiseClone();

    /// <summary>EC2 allows no two rules with the same direction, protocol, ports and source.</summary>
    public string Key => $"{Egress}|{IpProtocol}|{FromPort}|{ToPort}|{CidrIpv4}|{CidrIpv6}|{PrefixListId}|{ReferencedGroupId}";
}

/// <summary>A fault to inject: the next <see cref="Times"/> calls of an action (optionally for one group) fail.</summary>
public sealed class FaultSpec
{
    public string Action { get; set; } = "";
    public string? Region { get; set; }
    public string? GroupId { get; set; }
    public string Code { get; set; } = "InternalError";
    public string Message { get; set; } = "Injected fault";
    public int Status { get; set; } = 500;
    /// <summary>How many calls fail; -1 for all of them.</summary>
    public int Times { get; set; } = 1;
    /// <summary>The call is applied, then the connection is closed before the answer: what a caller sees when a reply is lost.</summary>
    public bool LostReply { get; set; }
    /// <summary>The share of matching calls hit (0-1], drawn from a generator seeded with <see cref="Seed"/>.</summary>
    public double Probability { get; set; } = 1.0;
    public int Seed { get; set; } = 1;
}

/// <summary>Thrown after a call was applied, to make the server drop the connection instead of answering.</summary>
public sealed class LostReplyException() : Exception("The reply is lost.");

/// <summary>Another admin editing a rule in place (ModifySecurityGroupRules keeps the rule's id and tags).</summary>
public sealed class ModifyRuleRequest
{
    public string Region { get; set; } = "us-east-1";
    public string RuleId { get; set; } = "";
    public string? IpProtocol { get; set; }
    public int? FromPort { get; set; }
    public int? ToPort { get; set; }
    public string? CidrIpv4 { get; set; }
    public string? CidrIpv6 { get; set; }
    public string? Description { get; set; }
}

public sealed class PinRegionRequest
{
    /// <summary>The region whose state answers every request; null to route by the signature again.</summary>
    public string? Region { get; set; }
}

public sealed class CallRecord
{
    public string Action { get; set; } = "";
    public string Account { get; set; } = "";
    /// <summary>The access key the call was signed with.</summary>
    public string? AccessKey { get; set; }
    /// <summary>Refused with RequestLimitExceeded by the token bucket.</summary>
    public bool Throttled { get; set; }
    public DateTime At { get; set; } = DateTime.UtcNow;
    public string Region { get; set; } = "";
    public string? GroupId { get; set; }
    public Dictionary<string, string> Parameters { get; set; } = new();
    /// <summary>Applied, but the caller never got the answer.</summary>
    public bool ReplyLost { get; set; }
    /// <summary>EC2 calls of the account and region in flight when this one arrived, itself included.</summary>
    public int InFlight { get; set; }
    /// <summary>Another call naming the same group was still in flight when this one arrived.</summary>
    public bool GroupBusy { get; set; }
}

public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };
}
