using System.Reflection;
using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.AwsSdk;
using SgNarrower.Changes;
using SgNarrower.Rules;
using SgNarrower.TestEc2;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// The test endpoint refuses what EC2's documentation says EC2 refuses, one case per row of its constraint table, with
/// EC2's error code; and the module, over HTTP through the real SDK, meets each constraint as EC2 would have it.
/// </summary>
public sealed class StrictEndpointTests : OverHttp
{
    private const string Region = "us-east-1";

    private void World(params GroupSpec[] groups) => World(new List<PrefixListSpec>(), groups);

    private void World(List<PrefixListSpec> lists, params GroupSpec[] groups)
    {
        var world = new WorldSpec();
        world.Regions[Region] = new RegionSpec { Groups = groups.ToList(), PrefixLists = lists };
        Server.Service.Load(world);
    }

    private static GroupSpec Group(string id, params RuleSpec[] rules) => new() { GroupId = id, VpcId = "vpc-1", Rules = rules.ToList() };
    private static RuleSpec V4(int port, string cidr, string? id = null) => new() { RuleId = id, IpProtocol = "tcp", FromPort = port, ToPort = port, CidrIpv4 = cidr };
    private static RuleSpec V6(int port, string cidr) => new() { IpProtocol = "tcp", FromPort = port, ToPort = port, CidrIpv6 = cidr };

    private static Dictionary<string, string> Authorize(string group, string cidr, string? description = null, int port = 22)
    {
        var p = new Dictionary<string, string>
        {
            ["Action"] = "AuthorizeSecurityGroupIngress", ["GroupId"] = group, ["IpPermissions.1.IpProtocol"] = "tcp",
            ["IpPermissions.1.FromPort"] = port.ToString(), ["IpPermissions.1.ToPort"] = port.ToString(),
        };
        if (cidr.Contains(':')) p["IpPermissions.1.Ipv6Ranges.1.CidrIpv6"] = cidr; else p["IpPermissions.1.IpRanges.1.CidrIp"] = cidr;
        if (description != null) p[cidr.Contains(':') ? "IpPermissions.1.Ipv6Ranges.1.Description" : "IpPermissions.1.IpRanges.1.Description"] = description;
        return p;
    }

    private static Dictionary<string, string> CreateTags(IEnumerable<string> ids, IEnumerable<(string Key, string Value)> tags)
    {
        var p = new Dictionary<string, string> { ["Action"] = "CreateTags" };
        int i = 1;
        foreach (var id in ids) p[$"ResourceId.{i++}"] = id;
        i = 1;
        foreach (var (k, v) in tags) { p[$"Tag.{i}.Key"] = k; p[$"Tag.{i++}.Value"] = v; }
        return p;
    }

    /// <summary>A request that breaks each row's constraint, against a world made for it.</summary>
    private Dictionary<string, string> Breaking(Ec2Constraint row)
    {
        switch (row.Name)
        {
            case "RuleTypeUnchanged":
                World(Group("sg-1", V4(22, "0.0.0.0/0", "sgr-open")));
                return new()
                {
                    ["Action"] = "ModifySecurityGroupRules", ["GroupId"] = "sg-1", ["SecurityGroupRule.1.SecurityGroupRuleId"] = "sgr-open",
                    ["SecurityGroupRule.1.SecurityGroupRule.IpProtocol"] = "tcp", ["SecurityGroupRule.1.SecurityGroupRule.FromPort"] = "22",
                    ["SecurityGroupRule.1.SecurityGroupRule.ToPort"] = "22", ["SecurityGroupRule.1.SecurityGroupRule.ReferencedGroupId"] = "sg-bastion",
                };
            case "RulesPerGroupPerFamily":
                // 40 IPv4 rules and a customer-managed list of 20 entries at most: the group is full for IPv4.
                World(new List<PrefixListSpec> { new() { PrefixListId = "pl-office", PrefixListName = "office", MaxEntries = 20, Entries = { "203.0.113.0/24" } } },
                    Group("sg-1", Enumerable.Range(0, 40).Select(i => V4(1000 + i, $"10.{i}.0.0/16"))
                        .Append(new RuleSpec { IpProtocol = "tcp", FromPort = 443, ToPort = 443, PrefixListId = "pl-office" }).ToArray()));
                return Authorize("sg-1", "198.51.100.0/24");
            case "CanonicalCidr":
                World(Group("sg-1", V4(22, "100.68.0.0/18")));
                return Authorize("sg-1", "100.68.0.18/18");
            case "DescriptionLength":
                World(Group("sg-1"));
                return Authorize("sg-1", "203.0.113.0/24", new string('a', 256));
            case "DescriptionCharacters":
                World(Group("sg-1"));
                return Authorize("sg-1", "203.0.113.0/24", "ssh <admins>");
            case "TagsPerResource":
                World(Group("sg-1", V4(22, "0.0.0.0/0", "sgr-open")));
                return CreateTags(new[] { "sgr-open" }, Enumerable.Range(0, 51).Select(i => ($"k{i}", "v")));
            case "TagKeyLength":
                World(Group("sg-1", V4(22, "0.0.0.0/0", "sgr-open")));
                return CreateTags(new[] { "sgr-open" }, new[] { (new string('k', 129), "v") });
            case "TagValueLength":
                World(Group("sg-1", V4(22, "0.0.0.0/0", "sgr-open")));
                return CreateTags(new[] { "sgr-open" }, new[] { ("k", new string('v', 257)) });
            case "CreateTagsResourceIds":
                World(Group("sg-1", V4(22, "0.0.0.0/0", "sgr-open")));
                return CreateTags(Enumerable.Repeat("sgr-open", 1001), new[] { ("k", "v") });
            case "FilterValues":
                World(Group("sg-1"));
                var f = new Dictionary<string, string> { ["Action"] = "DescribeSecurityGroupRules", ["Filter.1.Name"] = "group-id" };
                for (int i = 1; i <= 201; i++) f[$"Filter.1.Value.{i}"] = $"sg-{i}";
                return f;
            case "MaxResultsRange":
                World(Group("sg-1"));
                return new() { ["Action"] = "DescribeSecurityGroupRules", ["MaxResults"] = "4" };
            case "RevokeUnknownRule":
                World(Group("sg-1", V4(22, "0.0.0.0/0", "sgr-open")));
                return new() { ["Action"] = "RevokeSecurityGroupIngress", ["GroupId"] = "sg-1", ["SecurityGroupRuleId.1"] = "sgr-open", ["SecurityGroupRuleId.2"] = "sgr-gone" };
            default:
                throw new InvalidOperationException($"No case for constraint {row.Name}: every row of the table needs one.");
        }
    }

    public static IEnumerable<object[]> Rows => Ec2Constraints.All.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Rows))]
    public void The_endpoint_refuses_what_EC2_refuses_with_EC2s_error_and_changes_nothing(string name)
    {
        var row = Ec2Constraints.All.Single(c => c.Name == name);
        var request = Breaking(row);
        var before = Server.Service.Snapshot();
        var error = Assert.Throws<Ec2Error>(() => Server.Service.Handle(Region, request));
        Assert.Equal(row.ErrorCode, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(row.Source));
        Assert.Equal(Text(before), Text(Server.Service.Snapshot()));
    }

    private static string Text(WorldSpec w) => string.Join("\n", w.Regions.SelectMany(r => r.Value.Groups.SelectMany(g => g.Rules.Select(x =>
        $"{g.GroupId} {x.RuleId} {x.Key} {x.Description} {string.Join(",", x.Tags.Select(t => t.Key + "=" + t.Value))}"))));

    [Fact]
    public void Within_the_constraints_the_endpoint_does_what_EC2_does()
    {
        // Counted per family: a group full of IPv4 rules still takes an IPv6 one.
        World(Group("sg-1", Enumerable.Range(0, 60).Select(i => V4(1000 + i, $"10.{i}.0.0/16")).ToArray()));
        Server.Service.Handle(Region, Authorize("sg-1", "2001:db8::/48"));
        // A CIDR with host bits is stored as its network address; an edit in place keeps the rule type.
        World(Group("sg-2", V4(22, "0.0.0.0/0", "sgr-open")));
        Server.Service.Handle(Region, Authorize("sg-2", "100.69.0.18/18"));
        Assert.Contains(Server.Service.Snapshot().Regions[Region].Groups[0].Rules, r => r.CidrIpv4 == "100.69.0.0/18");
        Server.Service.Handle(Region, new Dictionary<string, string>
        {
            ["Action"] = "ModifySecurityGroupRules", ["GroupId"] = "sg-2", ["SecurityGroupRule.1.SecurityGroupRuleId"] = "sgr-open",
            ["SecurityGroupRule.1.SecurityGroupRule.IpProtocol"] = "tcp", ["SecurityGroupRule.1.SecurityGroupRule.FromPort"] = "22",
            ["SecurityGroupRule.1.SecurityGroupRule.ToPort"] = "22", ["SecurityGroupRule.1.SecurityGroupRule.CidrIpv4"] = "203.0.113.0/24",
            ["SecurityGroupRule.1.SecurityGroupRule.Description"] = "office (main) & vpn: [x]",
        });
        Assert.Contains(Server.Service.Snapshot().Regions[Region].Groups[0].Rules, r => r.RuleId == "sgr-open" && r.CidrIpv4 == "203.0.113.0/24");
        // In a default VPC an unknown permission comes back as unknown, and the known one goes.
        var world = new WorldSpec();
        world.Regions[Region] = new RegionSpec { Groups = { new GroupSpec { GroupId = "sg-d", DefaultVpc = true, Rules = { V4(22, "0.0.0.0/0") } } } };
        Server.Service.Load(world);
        var revoke = Authorize("sg-d", "0.0.0.0/0");
        revoke["Action"] = "RevokeSecurityGroupIngress";
        revoke["IpPermissions.2.IpProtocol"] = "tcp";
        revoke["IpPermissions.2.FromPort"] = "23";
        revoke["IpPermissions.2.ToPort"] = "23";
        revoke["IpPermissions.2.IpRanges.1.CidrIp"] = "0.0.0.0/0";
        Assert.Contains("unknownIpPermissionSet", Server.Service.Handle(Region, revoke));
        Assert.Empty(Server.Service.Snapshot().Regions[Region].Groups[0].Rules);
    }

    // ------------------------------------------------------------------ how the module meets each row

    /// <summary>For each row, the tests that show the module meeting it: never sending what breaks it, or handling the refusal.</summary>
    private static readonly Dictionary<string, string[]> ModuleMeets = new()
    {
        ["RuleTypeUnchanged"] = new[] { nameof(Narrowing_to_a_group_over_http_grants_then_revokes_and_restores_exactly), nameof(Ec2LimitsTests.An_open_rule_is_edited_into_a_replacement_of_its_own_type_whatever_the_order_given) },
        ["RulesPerGroupPerFamily"] = new[] { nameof(A_narrowing_past_the_quota_over_http_makes_no_change_call), nameof(Ec2LimitsTests.Rules_are_counted_per_family_group_references_in_both_customer_prefix_lists_at_their_MaxEntries) },
        ["CanonicalCidr"] = new[] { nameof(A_replacement_with_host_bits_is_refused_before_any_call) },
        ["DescriptionLength"] = new[] { nameof(UnambiguousInputTests.A_description_ec2_cannot_hold_is_refused) },
        ["DescriptionCharacters"] = new[] { nameof(Ec2LimitsTests.A_recorded_description_EC2_would_refuse_is_not_granted) },
        ["TagsPerResource"] = new[] { nameof(Twelve_rounds_of_reopen_and_narrow_over_http_keep_every_run_id_whole_and_restore_exactly) },
        ["TagKeyLength"] = new[] { nameof(Twelve_rounds_of_reopen_and_narrow_over_http_keep_every_run_id_whole_and_restore_exactly) },
        ["TagValueLength"] = new[] { nameof(Twelve_rounds_of_reopen_and_narrow_over_http_keep_every_run_id_whole_and_restore_exactly), nameof(Ec2LimitsTests.Run_ids_are_packed_whole_into_as_many_values_as_they_need_and_read_back_in_order) },
        ["CreateTagsResourceIds"] = new[] { nameof(Many_rules_narrowed_in_place_are_marked_with_one_create_tags_call) },
        ["FilterValues"] = new[] { nameof(ChangeEngineTests.Live_rules_are_read_with_one_describe_per_200_groups) },
        ["MaxResultsRange"] = new[] { nameof(Narrowing_to_a_group_over_http_grants_then_revokes_and_restores_exactly) },
        ["RevokeUnknownRule"] = new[] { nameof(ChangeEngineTests.A_rule_someone_else_removed_between_plan_and_revoke_is_already_absent_never_revoked) },
    };

    [Fact]
    public void Every_row_has_a_test_of_how_the_module_meets_it()
    {
        var tests = typeof(StrictEndpointTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttributes<FactAttribute>().Any()).Select(m => m.Name).ToHashSet();
        foreach (var row in Ec2Constraints.All)
        {
            Assert.True(ModuleMeets.TryGetValue(row.Name, out var names), $"no module test for {row.Name}");
            Assert.All(names, n => Assert.Contains(n, tests));
        }
    }

    private List<IngressRuleChange> Run(PlanKind kind, IEnumerable<OpenIngressRule> rules, string[]? replaceWith = null, string runId = "run-1")
    {
        var requests = rules.Select(r => { var e = RuleInput.FromRule(r); return new ChangeRequest(e.Rule, e.Identity, true, e.Status); }).ToList();
        var options = kind == PlanKind.Revoke
            ? new PlanOptions(PlanKind.Revoke, runId) { Replacements = ReplacementSet.Parse(replaceWith) }
            : new PlanOptions(PlanKind.Restore, "restore-" + runId);
        return ChangeRun.Changes(scope => Session.Ec2(scope.Region), requests, options);
    }

    private List<OpenIngressRule> Open(string? runId = null) => Server.Service.Snapshot().Regions[Region].Groups
        .SelectMany(g => g.Rules.Where(r => r.CidrIpv4 == "0.0.0.0/0").Select(r => new OpenIngressRule
        {
            Region = Region, GroupId = g.GroupId, SecurityGroupRuleId = r.RuleId, IpProtocol = r.IpProtocol, FromPort = r.FromPort, ToPort = r.ToPort,
            CidrIpv4 = r.CidrIpv4, Description = r.Description, AuditRunId = runId,
        })).ToList();

    private List<string> RuleSet() => Server.Service.Snapshot().Regions[Region].Groups
        .SelectMany(g => g.Rules.Select(r => $"{g.GroupId} {r.IpProtocol} {r.FromPort} {r.CidrIpv4}{r.CidrIpv6}{r.ReferencedGroupId} '{r.Description}'")).OrderBy(x => x, StringComparer.Ordinal).ToList();

    private int Calls(string action) => Server.Service.Calls().Count(c => c.Action == action);

    [Fact]
    public void Narrowing_to_a_group_over_http_grants_then_revokes_and_restores_exactly()
    {
        World(Group("sg-1", V4(22, "0.0.0.0/0")));
        var before = RuleSet();
        var results = Run(PlanKind.Revoke, Open("run-G"), new[] { "sg-bastion" });
        var result = Assert.Single(results);
        Assert.Equal(ChangeStatus.Narrowed, result.Status);
        Assert.Equal(0, Calls("ModifySecurityGroupRules"));
        var bastion = Assert.Single(Server.Service.Snapshot().Regions[Region].Groups[0].Rules);
        Assert.Equal(("sg-bastion", bastion.RuleId), (bastion.ReferencedGroupId, result.NewRuleIds.Single()));
        Run(PlanKind.Restore, results.Select(r => r.OpenRule with { AuditRunId = "run-G" }));
        Assert.Equal(before, RuleSet());
    }

    [Fact]
    public void A_narrowing_past_the_quota_over_http_makes_no_change_call()
    {
        World(Group("sg-1", Enumerable.Range(0, 4).Select(i => V4(1000 + i, $"192.168.{i}.0/24")).Append(V4(22, "0.0.0.0/0")).ToArray()));
        var before = RuleSet();
        var result = Assert.Single(Run(PlanKind.Revoke, Open(), Enumerable.Range(0, 61).Select(i => $"10.{i}.0.0/16").ToArray()));
        Assert.Equal(("RuleQuotaExceeded", ChangeStatus.Failed), (result.ErrorId, result.Status));
        Assert.Equal(0, Calls("AuthorizeSecurityGroupIngress") + Calls("ModifySecurityGroupRules") + Calls("CreateTags") + Calls("RevokeSecurityGroupIngress"));
        Assert.Equal(before, RuleSet());
    }

    [Fact]
    public void A_replacement_with_host_bits_is_refused_before_any_call()
    {
        var e = Assert.Throws<FormatException>(() => ReplacementSet.Parse(new[] { "100.68.0.18/18" }));
        Assert.Contains("Did you mean 100.68.0.0/18", e.Message);
    }

    [Fact]
    public void Many_rules_narrowed_in_place_are_marked_with_one_create_tags_call()
    {
        World(Group("sg-1", Enumerable.Range(0, 50).Select(i => V4(1000 + i, "0.0.0.0/0")).ToArray()));
        var results = Run(PlanKind.Revoke, Open("run-M"), new[] { "203.0.113.0/24" });
        Assert.All(results, r => Assert.Equal(ChangeStatus.Narrowed, r.Status));
        Assert.Equal((1, 1), (Calls("CreateTags"), Calls("ModifySecurityGroupRules")));
    }

    [Fact]
    public void Twelve_rounds_of_reopen_and_narrow_over_http_keep_every_run_id_whole_and_restore_exactly()
    {
        World(Group("sg-1", V4(22, "0.0.0.0/0")));
        var before = RuleSet();
        var records = new List<List<OpenIngressRule>>();
        for (int round = 0; round < 12; round++)
        {
            var runId = $"20261207T{round:D2}0000Z-{round:x12}";
            if (round > 0) Server.Service.Handle(Region, Authorize("sg-1", "0.0.0.0/0"));
            var open = Open(runId);
            records.Add(open);
            Assert.Equal(ChangeStatus.Narrowed, Assert.Single(Run(PlanKind.Revoke, open, new[] { "203.0.113.0/24" }, runId)).Status);
        }
        var replacement = Server.Service.Snapshot().Regions[Region].Groups[0].Rules.Single();
        Assert.Equal(11, RuleTags.RunIds(replacement.Tags).Count);
        Assert.All(replacement.Tags.Values, v => Assert.True(v.Length <= 256));
        foreach (var record in Enumerable.Reverse(records)) Run(PlanKind.Restore, record, runId: record[0].AuditRunId!);
        Assert.Equal(before, RuleSet());
    }
}
