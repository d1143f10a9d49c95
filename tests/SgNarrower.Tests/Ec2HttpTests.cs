using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.AwsSdk;
using SgNarrower.Changes;
using SgNarrower.Rules;
using SgNarrower.TestEc2;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// The change engine through the real AWS SDK against the tests' EC2 endpoint over HTTP: what the SDK does with a
/// lost reply (it retries, and the retry meets the first attempt's effect), tags on rules, and regions kept apart.
/// </summary>
public sealed class Ec2HttpTests : OverHttp
{
    private void World(string region, params GroupSpec[] groups)
    {
        var world = Server.Service.Snapshot();
        world.Regions[region] = new RegionSpec { Groups = groups.ToList() };
        Server.Service.Load(world);
    }

    private static GroupSpec Group(string id, params RuleSpec[] rules) => new() { GroupId = id, VpcId = "vpc-1", Rules = rules.ToList() };
    private static RuleSpec Open(string proto, int from, int to, string cidr, string? description = null) =>
        new() { IpProtocol = proto, FromPort = from, ToPort = to, CidrIpv4 = cidr.Contains(':') ? null : cidr, CidrIpv6 = cidr.Contains(':') ? cidr : null, Description = description };

    private List<string> RuleSet(string region) => Server.Service.Snapshot().Regions[region].Groups
        .SelectMany(g => g.Rules.Where(r => !r.Egress).Select(r => $"{g.GroupId} {r.IpProtocol} {r.FromPort} {r.ToPort} {r.CidrIpv4}{r.CidrIpv6}{r.ReferencedGroupId} '{r.Description}'"))
        .OrderBy(x => x, StringComparer.Ordinal).ToList();

    private List<OpenIngressRule> OpenRules(string region) => Server.Service.Snapshot().Regions[region].Groups
        .SelectMany(g => g.Rules.Where(r => r.CidrIpv4 == "0.0.0.0/0" || r.CidrIpv6 == "::/0").Select(r => new OpenIngressRule
        {
            Region = region, GroupId = g.GroupId, SecurityGroupRuleId = r.RuleId, IpProtocol = r.IpProtocol, FromPort = r.FromPort, ToPort = r.ToPort,
            CidrIpv4 = r.CidrIpv4, CidrIpv6 = r.CidrIpv6, Description = r.Description,
        })).ToList();

    private List<IngressRuleChange> Run(PlanKind kind, IEnumerable<OpenIngressRule> rules, string[]? replaceWith = null, string runId = "run-1")
    {
        var requests = rules.Select(r => { var e = RuleInput.FromRule(r); return new ChangeRequest(e.Rule, e.Identity, true, e.Status); }).ToList();
        var options = kind == PlanKind.Revoke
            ? new PlanOptions(PlanKind.Revoke, runId) { Replacements = ReplacementSet.Parse(replaceWith) }
            : new PlanOptions(PlanKind.Restore, "restore-run");
        return ChangeRun.Changes(scope => Session.Ec2(scope.Region), requests, options);
    }

    private int Calls(string action, bool lost = false) => Server.Service.Calls().Count(c => c.Action == action && (!lost || c.ReplyLost));

    [Fact]
    public void A_lost_revoke_reply_is_retried_and_the_rules_are_still_reported_revoked()
    {
        World("us-east-1", Group("sg-1", Open("tcp", 22, 22, "0.0.0.0/0", "ssh"), Open("-1", -1, -1, "::/0"), Open("tcp", 443, 443, "10.0.0.0/8", "private")));
        var open = OpenRules("us-east-1");
        Server.Service.AddFault(new FaultSpec { Action = "RevokeSecurityGroupIngress", LostReply = true, Times = 1 });

        var results = Run(PlanKind.Revoke, open);

        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        Assert.Equal(1, Calls("RevokeSecurityGroupIngress", lost: true));
        Assert.True(Calls("RevokeSecurityGroupIngress") >= 2, "the call whose reply was lost was tried again");
        Assert.Equal(new[] { "sg-1 tcp 443 443 10.0.0.0/8 'private'" }, RuleSet("us-east-1"));
    }

    [Fact]
    public void Narrowing_through_lost_replies_tags_its_replacements_and_restore_from_the_results_is_exact()
    {
        World("us-east-1", Group("sg-1", Open("tcp", 22, 22, "0.0.0.0/0", "ssh"), Open("tcp", 22, 22, "::/0", "ssh6")));
        var before = RuleSet("us-east-1");
        Server.Service.AddFault(new FaultSpec { Action = "CreateTags", LostReply = true, Times = 1 });
        Server.Service.AddFault(new FaultSpec { Action = "ModifySecurityGroupRules", LostReply = true, Times = 1 });

        var results = Run(PlanKind.Revoke, OpenRules("us-east-1"), new[] { "203.0.113.0/24", "2001:db8::/48" });

        Assert.All(results, r => Assert.Equal(ChangeStatus.Narrowed, r.Status));
        var rules = Server.Service.Snapshot().Regions["us-east-1"].Groups.Single().Rules;
        Assert.Equal(2, rules.Count);
        // Each open rule was edited in place into the replacement of its own family: same ids, marked for the restore.
        Assert.All(rules, r => Assert.Equal("run-1", r.Tags[RuleTags.Narrowed]));
        Assert.Equal(results.Select(r => r.SecurityGroupRuleId).OrderBy(x => x), rules.Select(r => r.RuleId).OrderBy(x => x));

        Server.Service.AddFault(new FaultSpec { Action = "ModifySecurityGroupRules", LostReply = true, Times = 1 });
        var back = Run(PlanKind.Restore, results.Select(r => RuleInput.Read(n => typeof(IngressRuleChange).GetProperty(n)?.GetValue(r)).Rule));
        Assert.All(back, r => Assert.Equal(ChangeStatus.Restored, r.Status));
        Assert.Equal(before, RuleSet("us-east-1"));
    }

    [Fact]
    public void One_in_five_replies_lost_over_many_groups_every_status_is_true_and_restore_gives_back_the_same_set()
    {
        var groups = Enumerable.Range(0, 40).Select(i => Group($"sg-{i:d4}", Open("tcp", 22, 22, "0.0.0.0/0", $"ssh {i}"), Open("udp", 53, 53, "::/0"), Open("tcp", 80, 80, "10.0.0.0/8"))).ToArray();
        World("us-east-1", groups);
        var before = RuleSet("us-east-1");
        foreach (var action in new[] { "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "DescribeSecurityGroupRules" })
            Server.Service.AddFault(new FaultSpec { Action = action, LostReply = true, Times = -1, Probability = 0.2, Seed = 7 });

        var results = Run(PlanKind.Revoke, OpenRules("us-east-1"));
        Assert.Equal(80, results.Count);
        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        Assert.True(Calls("RevokeSecurityGroupIngress", lost: true) > 0);
        Assert.Empty(OpenRules("us-east-1"));

        var back = Run(PlanKind.Restore, results.Select(r => RuleInput.Read(n => typeof(IngressRuleChange).GetProperty(n)?.GetValue(r)).Rule));
        Assert.All(back, r => Assert.Equal(ChangeStatus.Restored, r.Status));
        Assert.Equal(before, RuleSet("us-east-1"));
    }

    [Fact]
    public void Rules_change_in_their_own_region_and_a_group_of_the_same_id_elsewhere_is_untouched()
    {
        World("us-east-2", Group("sg-1", Open("tcp", 22, 22, "0.0.0.0/0")));
        World("us-west-2", Group("sg-1", Open("tcp", 22, 22, "0.0.0.0/0")), Group("sg-2", Open("tcp", 3389, 3389, "0.0.0.0/0")));
        var west = OpenRules("us-west-2");

        var results = Run(PlanKind.Revoke, west);

        Assert.All(results, r => Assert.Equal((ChangeStatus.Revoked, "us-west-2"), (r.Status, r.Region)));
        Assert.Empty(OpenRules("us-west-2"));
        Assert.Single(OpenRules("us-east-2"));
        Assert.All(Server.Service.Calls(), c => Assert.Equal("us-west-2", c.Region));
    }

    [Fact]
    public void An_answer_from_another_region_stops_the_scope_with_wrong_scope_and_nothing_changes()
    {
        World("us-east-2", Group("sg-1", Open("tcp", 22, 22, "0.0.0.0/0")));
        World("eu-west-1", Group("sg-1", Open("tcp", 22, 22, "0.0.0.0/0")), Group("sg-2", Open("tcp", 3389, 3389, "0.0.0.0/0")));
        var west = OpenRules("eu-west-1");
        // An endpoint that answers every request from us-east-2, whatever region it was signed for.
        Server.Service.PinnedRegion = "us-east-2";

        var results = Run(PlanKind.Revoke, west);

        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal((ChangeStatus.Failed, "WrongScope"), (r.Status, r.ErrorId)));
        Assert.Contains("region eu-west-1 was asked", results[0].Error);
        Assert.Contains("region us-east-2", results[0].Error);
        Assert.DoesNotContain(Server.Service.Calls(), c => c.Action.StartsWith("Revoke") || c.Action.StartsWith("Authorize") || c.Action.StartsWith("Modify"));
        Server.Service.PinnedRegion = null;
        Assert.Single(OpenRules("us-east-2"));
        Assert.Equal(2, OpenRules("eu-west-1").Count);
    }

    [Fact]
    public void Tags_on_rules_are_written_with_create_tags()
    {
        World("us-east-1", Group("sg-1", Open("tcp", 22, 22, "203.0.113.0/24")));
        var id = Server.Service.Snapshot().Regions["us-east-1"].Groups.Single().Rules.Single().RuleId!;
        Session.Ec2("us-east-1").TagRules(new[] { id }, new Dictionary<string, string> { [RuleTags.Replacement] = "a b" });
        var rule = Assert.Single(Session.Ec2("us-east-1").DescribeSecurityGroupRules(new[] { "sg-1" }, 1000, null).Items);
        Assert.Equal("a b", rule.Tags[RuleTags.Replacement]);
    }
}
