using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Reads the live ingress rules of many groups with few calls: DescribeSecurityGroupRules with a group-id filter of
    /// up to 200 ids and 1000 rules a page. Groups that show no rule at all are looked up with DescribeSecurityGroups
    /// (same batching), to tell a group without rules from a group that does not exist.
    /// </summary>
    public static class LiveState
    {
        public const int PageSize = 1000;

        public static Dictionary<string, LiveGroup> Read(IEc2Api api, IEnumerable<string> groupIds, Action<string>? verbose)
        {
            var ids = groupIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var rows = new Dictionary<string, List<SecurityGroupRuleInfo>>(StringComparer.OrdinalIgnoreCase);
            foreach (var chunk in Paging.Chunk(ids))
                foreach (var r in Paging.All(token =>
                {
                    verbose?.Invoke($"{api.Region}: DescribeSecurityGroupRules for {chunk.Count} group(s)");
                    return api.DescribeSecurityGroupRules(chunk, PageSize, token);
                }))
                {
                    if (!rows.TryGetValue(r.GroupId, out var list)) rows[r.GroupId] = list = new List<SecurityGroupRuleInfo>();
                    list.Add(r);
                }
            var result = new Dictionary<string, LiveGroup>(StringComparer.OrdinalIgnoreCase);
            var unseen = ids.Where(id => !rows.ContainsKey(id)).ToList();
            var existing = unseen.Count == 0 ? new HashSet<string>() : Existing(api, unseen, verbose);
            foreach (var id in ids)
                result[id] = rows.TryGetValue(id, out var list) ? new LiveGroup(id, true, list)
                    : existing.Contains(id) ? new LiveGroup(id, true, Array.Empty<SecurityGroupRuleInfo>()) : LiveGroup.Missing(id);
            return result;
        }

        public static LiveGroup ReadOne(IEc2Api api, string groupId, Action<string>? verbose) => Read(api, new[] { groupId }, verbose)[groupId];

        private static HashSet<string> Existing(IEc2Api api, List<string> ids, Action<string>? verbose)
        {
            var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var chunk in Paging.Chunk(ids))
                foreach (var g in Paging.All(token =>
                {
                    verbose?.Invoke($"{api.Region}: DescribeSecurityGroups for {chunk.Count} group(s) that show no rules");
                    return api.DescribeSecurityGroups(new GroupQuery { GroupIds = chunk, PageSize = PageSize }, token);
                }))
                    found.Add(g.GroupId);
            return found;
        }
    }
}
