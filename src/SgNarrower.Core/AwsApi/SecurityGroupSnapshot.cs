namespace SgNarrower.AwsApi
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
}
