namespace SgNarrower.TestEc2;

/// <summary>One documented EC2 constraint the endpoint enforces: what it refuses, the error EC2 answers, and where AWS says so.</summary>
public sealed record Ec2Constraint(string Name, string ErrorCode, string Source);

/// <summary>
/// Every documented constraint of EC2 that SgNarrower can run into, in one table, so that the test endpoint is the
/// strictest thing the module meets: where the reference names no error code, InvalidParameterValue (what EC2 answers
/// for a bad parameter). Each row has a test that the endpoint refuses (StrictEndpointTests) and a test of how the
/// module meets it.
/// </summary>
public static class Ec2Constraints
{
    public static readonly Ec2Constraint RuleTypeUnchanged = new("RuleTypeUnchanged", "InvalidParameterValue",
        "API Reference, SecurityGroupRuleRequest: \"When you modify a rule, you cannot change the rule type. For example, if the rule uses an IPv4 address range, you must use CidrIpv4 to specify a new IPv4 address range.\"");
    public static readonly Ec2Constraint RulesPerGroupPerFamily = new("RulesPerGroupPerFamily", "RulesPerSecurityGroupLimitExceeded",
        "VPC User Guide, Amazon VPC quotas: 60 inbound rules per security group, \"enforced separately for IPv4 rules and IPv6 rules\"; \"A rule that references a security group or AWS-managed prefix list ID counts as one rule for IPv4 and one rule for IPv6\"; a customer-managed prefix list counts as its maximum number of entries.");
    public static readonly Ec2Constraint CanonicalCidr = new("CanonicalCidr", "InvalidPermission.Duplicate",
        "API Reference, IpRange.CidrIp / SecurityGroupRuleRequest: a CIDR with host bits (100.68.0.18/18) is stored as its network address (100.68.0.0/18), so the other form of an existing rule is a duplicate.");
    public static readonly Ec2Constraint DescriptionLength = new("DescriptionLength", "InvalidParameterValue",
        "API Reference, IpRange.Description: \"Constraints: Up to 255 characters in length.\"");
    public static readonly Ec2Constraint DescriptionCharacters = new("DescriptionCharacters", "InvalidParameterValue",
        "API Reference, IpRange.Description: \"Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*\"");
    public static readonly Ec2Constraint TagsPerResource = new("TagsPerResource", "TagLimitExceeded",
        "EC2 User Guide, Tag restrictions: \"Maximum number of tags per resource - 50\".");
    public static readonly Ec2Constraint TagKeyLength = new("TagKeyLength", "InvalidParameterValue",
        "EC2 User Guide, Tag restrictions: \"Maximum key length - 128 Unicode characters in UTF-8\".");
    public static readonly Ec2Constraint TagValueLength = new("TagValueLength", "InvalidParameterValue",
        "EC2 User Guide, Tag restrictions: \"Maximum value length - 256 Unicode characters in UTF-8\".");
    public static readonly Ec2Constraint CreateTagsResourceIds = new("CreateTagsResourceIds", "InvalidParameterValue",
        "API Reference, CreateTags, Resources: \"Constraints: Up to 1000 resource IDs.\"");
    public static readonly Ec2Constraint FilterValues = new("FilterValues", "FilterLimitExceeded",
        "API Reference, Filter: \"you can specify a maximum of 200 values per filter\" (EC2 User Guide, Filter your resources).");
    public static readonly Ec2Constraint MaxResultsRange = new("MaxResultsRange", "InvalidParameterValue",
        "API Reference, DescribeSecurityGroups / DescribeSecurityGroupRules / DescribeNetworkInterfaces: MaxResults \"Valid Range: Minimum value of 5. Maximum value of 1000.\" (DescribeRouteTables 5-100, DescribeManagedPrefixLists and GetManagedPrefixListEntries 1-100).");
    public static readonly Ec2Constraint RevokeUnknownRule = new("RevokeUnknownRule", "InvalidSecurityGroupRuleId.NotFound",
        "API Reference, RevokeSecurityGroupIngress: outside a default VPC, a rule that does not exist fails the whole call and nothing is revoked (InvalidPermission.NotFound for permissions, InvalidSecurityGroupRuleId.NotFound for rule ids); in a default VPC, unknown permissions come back in UnknownIpPermissions.");

    public static readonly IReadOnlyList<Ec2Constraint> All = new[]
    {
        RuleTypeUnchanged, RulesPerGroupPerFamily, CanonicalCidr, DescriptionLength, DescriptionCharacters, TagsPerResource,
        TagKeyLength, TagValueLength, CreateTagsResourceIds, FilterValues, MaxResultsRange, RevokeUnknownRule,
    };

    /// <summary>The error EC2 answers when a request breaks the constraint.</summary>
    public static Ec2Error Refuse(this Ec2Constraint constraint, string message) => new(400, constraint.ErrorCode, message);
}
