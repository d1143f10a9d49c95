using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Tests;

/// <summary>
/// An in-memory EC2 for planner and executor tests, keeping to what EC2 does to a caller: revokes by id are all or
/// nothing (InvalidSecurityGroupRuleId.NotFound), authorizes are all or nothing (InvalidPermission.Duplicate), rules
/// keep their ids when edited in place. A lost reply is modelled as the SDK meets it: the call is applied, the answer
/// never comes, and the SDK's retry of the same request gets whatever EC2 now says.
/// </summary>
public sealed class FakeEc2 : IEc2Api
{
    public sealed class Rule
    {
        public string Id = "";
        public string Protocol = "tcp";
        public int From = -1, To = -1;
        public string? V4, V6, GroupRef;
        public string? Description;
        public Dictionary<string, string> Tags = new();
        public RuleIdentity Identity => RuleIdentity.FromAws(Protocol, From, To, RuleSource.From(V4, V6, GroupRef, null)!.Value);
        public override string ToString() => $"{Id} {Identity} '{Description}'";
    }

    private int _next = 100;
    public Dictionary<string, List<Rule>> Groups { get; } = new(StringComparer.Ordinal);
    public List<string> Calls { get; } = new();
    private readonly List<(string Action, Func<Exception?> Fault)> _faults = new();

    public FakeEc2(string region = "us-east-1") { Region = region; }
    public string Region { get; }

    public Rule Add(string groupId, string protocol, int from, int to, string source, string? description = null, string? id = null, Dictionary<string, string>? tags = null)
    {
        if (!Groups.TryGetValue(groupId, out var rules)) Groups[groupId] = rules = new();
        var r = new Rule { Id = id ?? NewId(), Protocol = protocol, From = from, To = to, Description = description, Tags = tags ?? new() };
        if (source.StartsWith("sg-")) r.GroupRef = source; else if (source.Contains(':')) r.V6 = source; else r.V4 = source;
        rules.Add(r);
        return r;
    }

    public void Group(string groupId) { if (!Groups.ContainsKey(groupId)) Groups[groupId] = new(); }

    /// <summary>The rule set as comparable text: id-free, so a restore that gives new ids compares equal.</summary>
    public List<string> RuleSet(string groupId) => Groups[groupId].Select(r => $"{r.Identity} '{r.Description}'").OrderBy(x => x, StringComparer.Ordinal).ToList();

    /// <summary>The next call of the action is applied, and its reply lost: the call policy retries it once.</summary>
    public void LoseNextReply(string action) => _faults.Add((action, () => new LostReply()));
    public void FailNext(string action, string code, int status = 400) => _faults.Add((action, () => new AwsServiceException("ec2", action, code, "Injected " + code, status)));
    public void OnNext(string action, Action sideEffect) => _faults.Add((action, () => { sideEffect(); return null; }));

    private sealed class LostReply : Exception { }

    private readonly object _gate = new();

    /// <summary>One call at a time, as EC2 applies each atomically (a change stream plans and changes on two threads).</summary>
    private T Call<T>(string action, Func<T> apply)
    {
        lock (_gate) return CallLocked(action, apply);
    }

    private T CallLocked<T>(string action, Func<T> apply)
    {
        Calls.Add(action);
        int i = _faults.FindIndex(f => f.Action == action);
        if (i >= 0)
        {
            var fault = _faults[i].Fault;
            _faults.RemoveAt(i);
            var e = fault();
            if (e is LostReply)
            {
                apply();
                Calls.Add(action);      // the call policy's retry, whose error may answer the first attempt's effect
                try { return apply(); }
                catch (AwsServiceException retried)
                {
                    retried.AfterLostReply = true;
                    throw;
                }
            }
            if (e != null) throw e;
        }
        return apply();
    }

    public int Count(string action) => Calls.Count(c => c == action);

    /// <summary>Groups with their permissions as DescribeSecurityGroups gives them: one per rule, ports left out for all traffic.</summary>
    public Page<SecurityGroupSnapshot> DescribeSecurityGroups(GroupQuery query, string? nextToken) => Call("DescribeSecurityGroups", () =>
        new Page<SecurityGroupSnapshot>(Groups.Where(g => query.GroupIds.Count == 0 || query.GroupIds.Contains(g.Key))
            .Select(g => new SecurityGroupSnapshot
            {
                GroupId = g.Key, GroupName = g.Key, OwnerId = "111122223333", VpcId = "vpc-1",
                IpPermissions = g.Value.Select(Permission).ToList(),
            }).ToList(), null));

    private static IpPermissionSnapshot Permission(Rule r)
    {
        var p = new IpPermissionSnapshot { IpProtocol = r.Protocol, FromPort = r.Protocol == "-1" ? null : r.From, ToPort = r.Protocol == "-1" ? null : r.To };
        if (r.V4 != null) p.Ipv4Ranges.Add(new CidrSource(r.V4, r.Description));
        if (r.V6 != null) p.Ipv6Ranges.Add(new CidrSource(r.V6, r.Description));
        if (r.GroupRef != null) p.ReferencedGroupIds.Add(r.GroupRef);
        return p;
    }

    public Page<SecurityGroupRuleInfo> DescribeSecurityGroupRules(IReadOnlyList<string> groupIds, int pageSize, string? nextToken) => Call("DescribeSecurityGroupRules", () =>
    {
        if (groupIds.Count > 200) throw new AwsServiceException("ec2", "DescribeSecurityGroupRules", "FilterLimitExceeded", "200 values at most", 400);
        var all = groupIds.Where(Groups.ContainsKey).SelectMany(g => Groups[g].Select(r => Info(g, r))).ToList();
        int start = nextToken == null ? 0 : int.Parse(nextToken);
        var page = all.Skip(start).Take(pageSize).ToList();
        return new Page<SecurityGroupRuleInfo>(page, start + page.Count < all.Count ? (start + page.Count).ToString() : null);
    });

    public IReadOnlyList<string> RevokeIngress(string groupId, IReadOnlyList<string> ruleIds) => Call("RevokeSecurityGroupIngress", () =>
    {
        var rules = Find(groupId, "RevokeSecurityGroupIngress");
        foreach (var id in ruleIds)
            if (!rules.Any(r => r.Id == id))
                throw new AwsServiceException("ec2", "RevokeSecurityGroupIngress", "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist", 400);
        rules.RemoveAll(r => ruleIds.Contains(r.Id));
        return (IReadOnlyList<string>)ruleIds.ToList();
    });

    public IReadOnlyList<SecurityGroupRuleInfo> AuthorizeIngress(string groupId, IReadOnlyList<RuleGrant> grants, IReadOnlyDictionary<string, string>? tags) => Call("AuthorizeSecurityGroupIngress", () =>
    {
        var rules = Find(groupId, "AuthorizeSecurityGroupIngress");
        foreach (var g in grants)
            if (rules.Any(r => r.Identity.Equals(g.Identity)))
                throw new AwsServiceException("ec2", "AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate", $"the specified rule {g.Identity} already exists", 400);
        CheckTags(tags, 0, "AuthorizeSecurityGroupIngress");
        int v4 = rules.Count(r => r.V6 == null) + grants.Count(g => g.Identity.Source.CidrIpv6 == null);
        int v6 = rules.Count(r => r.V4 == null) + grants.Count(g => g.Identity.Source.CidrIpv4 == null);
        if (v4 > RulesPerGroup || v6 > RulesPerGroup)
            throw new AwsServiceException("ec2", "AuthorizeSecurityGroupIngress", "RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.", 400);
        var created = new List<SecurityGroupRuleInfo>();
        foreach (var g in grants)
        {
            var s = g.Identity.Source;
            var r = new Rule { Id = NewId(), Protocol = g.Identity.Protocol, From = g.Identity.FromPort, To = g.Identity.ToPort,
                V4 = s.CidrIpv4, V6 = s.CidrIpv6, GroupRef = s.ReferencedGroupId, Description = g.Description, Tags = new(tags ?? new Dictionary<string, string>()) };
            rules.Add(r);
            created.Add(Info(groupId, r));
        }
        return (IReadOnlyList<SecurityGroupRuleInfo>)created;
    });

    public void ModifyIngress(string groupId, IReadOnlyList<KeyValuePair<string, RuleGrant>> changes) => Call("ModifySecurityGroupRules", () =>
    {
        var rules = Find(groupId, "ModifySecurityGroupRules");
        foreach (var (id, grant) in changes)
        {
            var rule = rules.FirstOrDefault(r => r.Id == id)
                ?? throw new AwsServiceException("ec2", "ModifySecurityGroupRules", "InvalidSecurityGroupRuleId.NotFound", id, 400);
            if (rules.Any(r => r != rule && r.Identity.Equals(grant.Identity)))
                throw new AwsServiceException("ec2", "ModifySecurityGroupRules", "InvalidPermission.Duplicate", $"{grant.Identity} already exists", 400);
            // SecurityGroupRuleRequest: "When you modify a rule, you cannot change the rule type."
            if (rule.Identity.Source.Kind != grant.Identity.Source.Kind)
                throw new AwsServiceException("ec2", "ModifySecurityGroupRules", "InvalidParameterValue", $"The rule type of {id} cannot be changed", 400);
        }
        foreach (var (id, grant) in changes)
        {
            var rule = rules.First(r => r.Id == id);
            var s = grant.Identity.Source;
            (rule.Protocol, rule.From, rule.To, rule.V4, rule.V6, rule.GroupRef, rule.Description) =
                (grant.Identity.Protocol, grant.Identity.FromPort, grant.Identity.ToPort, s.CidrIpv4, s.CidrIpv6, s.ReferencedGroupId, grant.Description);
        }
        return 0;
    });

    public void TagRules(IReadOnlyList<string> ruleIds, IReadOnlyDictionary<string, string> tags) => Call("CreateTags", () =>
    {
        var rules = ruleIds.Select(id => Groups.Values.SelectMany(x => x).FirstOrDefault(r => r.Id == id)
            ?? throw new AwsServiceException("ec2", "CreateTags", "InvalidSecurityGroupRuleId.NotFound", id, 400)).ToList();
        foreach (var r in rules) CheckTags(tags, r.Tags.Keys.Count(k => !tags.ContainsKey(k)), "CreateTags");
        foreach (var r in rules) foreach (var (k, v) in tags) r.Tags[k] = v;
        return 0;
    });

    public Page<NetworkInterfaceInfo> DescribeNetworkInterfaces(IReadOnlyList<string> groupIds, string? nextToken) => Call("DescribeNetworkInterfaces", () => new Page<NetworkInterfaceInfo>(Array.Empty<NetworkInterfaceInfo>(), null));
    public Page<RouteTableInfo> DescribeRouteTables(IReadOnlyList<string> vpcIds, string? nextToken) => Call("DescribeRouteTables", () => new Page<RouteTableInfo>(Array.Empty<RouteTableInfo>(), null));
    public IReadOnlyList<PrefixListInfo> DescribeManagedPrefixLists(IReadOnlyList<string> prefixListIds) => Call("DescribeManagedPrefixLists", () => (IReadOnlyList<PrefixListInfo>)Array.Empty<PrefixListInfo>());
    public Page<string> GetManagedPrefixListEntries(string prefixListId, string? nextToken) => Call("GetManagedPrefixListEntries", () => new Page<string>(Array.Empty<string>(), null));
    public List<string> Regions { get; } = new() { "us-east-1", "us-east-2", "eu-west-1", "eu-central-1" };
    public IReadOnlyList<string> DescribeRegions() => Call("DescribeRegions", () => (IReadOnlyList<string>)Regions.ToList());

    /// <summary>EC2's inbound rules per group and family (a group reference counts in both).</summary>
    public int RulesPerGroup { get; set; } = 60;

    /// <summary>EC2 User Guide, "Tag restrictions": 50 tags a resource, keys up to 128 and values up to 256 characters.</summary>
    private static void CheckTags(IReadOnlyDictionary<string, string>? tags, int others, string action)
    {
        if (tags == null) return;
        if (tags.Count + others > 50) throw new AwsServiceException("ec2", action, "TagLimitExceeded", "The maximum number of tags for the resource has been reached.", 400);
        foreach (var (k, v) in tags)
            if (k.Length > 128 || v.Length > 256) throw new AwsServiceException("ec2", action, "InvalidParameterValue", $"Tag {k} is too long", 400);
    }

    private List<Rule> Find(string groupId, string action) =>
        Groups.TryGetValue(groupId, out var rules) ? rules
            : throw new AwsServiceException("ec2", action, "InvalidGroup.NotFound", $"The security group '{groupId}' does not exist", 400);

    private static SecurityGroupRuleInfo Info(string groupId, Rule r) => new()
    {
        SecurityGroupRuleId = r.Id, GroupId = groupId, GroupOwnerId = "111122223333", IpProtocol = r.Protocol, FromPort = r.From, ToPort = r.To,
        CidrIpv4 = r.V4, CidrIpv6 = r.V6, ReferencedGroupId = r.GroupRef, Description = r.Description, Tags = new(r.Tags),
    };

    private string NewId() => "sgr-" + (_next++).ToString("x17");
}
