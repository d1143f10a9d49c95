namespace SgNarrower.AwsApi
{
    /// <summary>The EC2 calls SgNarrower makes, in its own types.</summary>
    public interface IEc2Api
    {
        string Region { get; }
        /// <summary>One page of DescribeSecurityGroups (scoped by filters, so that paging works with group ids too).</summary>
        Page<SecurityGroupSnapshot> DescribeSecurityGroups(GroupQuery query, string? nextToken);
        /// <summary>One page of DescribeSecurityGroupRules for the given groups (at most 200 ids per call).</summary>
        Page<SecurityGroupRuleInfo> DescribeSecurityGroupRules(IReadOnlyList<string> groupIds, int pageSize, string? nextToken);

        /// <summary>RevokeSecurityGroupIngress by rule ids, in one call; returns the ids EC2 says it revoked.</summary>
        IReadOnlyList<string> RevokeIngress(string groupId, IReadOnlyList<string> ruleIds);

        /// <summary>AuthorizeSecurityGroupIngress in one call, tagging the new rules; returns the rules EC2 created.</summary>
        IReadOnlyList<SecurityGroupRuleInfo> AuthorizeIngress(string groupId, IReadOnlyList<RuleGrant> grants, IReadOnlyDictionary<string, string>? tags);

        /// <summary>CreateTags on rules (sgr-...): adds the tags, or overwrites the value of a key that is there.</summary>
        void TagRules(IReadOnlyList<string> ruleIds, IReadOnlyDictionary<string, string> tags);

        /// <summary>ModifySecurityGroupRules in one call: each rule, by id, becomes the given rule (it keeps its id and tags).</summary>
        void ModifyIngress(string groupId, IReadOnlyList<KeyValuePair<string, RuleGrant>> changes);

        /// <summary>One page of DescribeNetworkInterfaces for the interfaces that carry any of these groups (at most 200 ids).</summary>
        Page<NetworkInterfaceInfo> DescribeNetworkInterfaces(IReadOnlyList<string> groupIds, string? nextToken);

        /// <summary>One page of DescribeRouteTables for these VPCs (at most 200 ids).</summary>
        Page<RouteTableInfo> DescribeRouteTables(IReadOnlyList<string> vpcIds, string? nextToken);

        /// <summary>DescribeManagedPrefixLists for these ids (at most 200).</summary>
        IReadOnlyList<PrefixListInfo> DescribeManagedPrefixLists(IReadOnlyList<string> prefixListIds);

        /// <summary>One page of GetManagedPrefixListEntries (100 entries a page).</summary>
        Page<string> GetManagedPrefixListEntries(string prefixListId, string? nextToken);

        /// <summary>DescribeRegions: the regions enabled for the account.</summary>
        IReadOnlyList<string> DescribeRegions();
    }
}
