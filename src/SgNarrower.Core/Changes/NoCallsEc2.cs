using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>Stands in for EC2 where every outcome was decided in planning: a plan with nothing pending calls nothing.</summary>
    internal sealed class NoCallsEc2 : IEc2Api
    {
        public static readonly NoCallsEc2 Instance = new NoCallsEc2();
        public string Region => "";
        private static Exception Never() => new InvalidOperationException("A plan with nothing pending made an EC2 call.");
        public Page<SecurityGroupSnapshot> DescribeSecurityGroups(GroupQuery query, string? nextToken) => throw Never();
        public Page<SecurityGroupRuleInfo> DescribeSecurityGroupRules(IReadOnlyList<string> groupIds, int pageSize, string? nextToken) => throw Never();
        public IReadOnlyList<string> RevokeIngress(string groupId, IReadOnlyList<string> ruleIds) => throw Never();
        public IReadOnlyList<SecurityGroupRuleInfo> AuthorizeIngress(string groupId, IReadOnlyList<RuleGrant> grants, IReadOnlyDictionary<string, string>? tags) => throw Never();
        public void TagRules(IReadOnlyList<string> ruleIds, IReadOnlyDictionary<string, string> tags) => throw Never();
        public void ModifyIngress(string groupId, IReadOnlyList<KeyValuePair<string, RuleGrant>> changes) => throw Never();
        public Page<NetworkInterfaceInfo> DescribeNetworkInterfaces(IReadOnlyList<string> groupIds, string? nextToken) => throw Never();
        public Page<RouteTableInfo> DescribeRouteTables(IReadOnlyList<string> vpcIds, string? nextToken) => throw Never();
        public IReadOnlyList<PrefixListInfo> DescribeManagedPrefixLists(IReadOnlyList<string> prefixListIds) => throw Never();
        public Page<string> GetManagedPrefixListEntries(string prefixListId, string? nextToken) => throw Never();
        public IReadOnlyList<string> DescribeRegions() => throw Never();
    }
}
