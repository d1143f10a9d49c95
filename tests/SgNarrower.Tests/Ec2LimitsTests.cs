using System.Text;
using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Changes;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// What EC2 allows, planned for before the first call: edits in place of the rule's own type only, the rule quota per
/// address family, tags that hold every run id whole, and all or nothing per rule when EC2 refuses half-way.
/// </summary>
public sealed class Ec2LimitsTests
{
    private readonly FakeEc2 _ec2 = new();

    private static OpenIngressRule Rule(string group, string proto, int from, int to, string cidr, string? id = null, string? runId = null) => new()
    {
        Region = "us-east-1", GroupId = group, SecurityGroupRuleId = id, IpProtocol = proto, FromPort = from, ToPort = to,
        CidrIpv4 = cidr.Contains(':') ? null : cidr, CidrIpv6 = cidr.Contains(':') ? cidr : null, AuditRunId = runId,
    };

    private static OpenIngressRule Of(FakeEc2.Rule r, string group, string? runId = null) => Rule(group, r.Protocol, r.From, r.To, r.V4 ?? r.V6!, r.Id, runId) with { Description = r.Description };

    private List<IngressRuleChange> Revoke(IEnumerable<OpenIngressRule> rules, string[]? replaceWith = null, string runId = "run-1", int quota = RuleQuota.Default)
    {
        var requests = rules.Select(r => { var e = RuleInput.FromRule(r); return new ChangeRequest(e.Rule, e.Identity, true, e.Status) { Replacements = e.Replacements }; }).ToList();
        return ChangeRun.Changes(_ => _ec2, requests, new PlanOptions(PlanKind.Revoke, runId) { Replacements = ReplacementSet.Parse(replaceWith), RuleQuota = quota });
    }

    private List<IngressRuleChange> Restore(IEnumerable<AuditEntry> entries)
    {
        var requests = entries.Where(e => RestorePlanner.WasRemoved(e.Status)).Select(e => new ChangeRequest(e.Rule, e.Identity, true, e.Status)).ToList();
        return ChangeRun.Changes(_ => _ec2, requests, new PlanOptions(PlanKind.Restore, "restore-" + Guid.NewGuid().ToString("N")[..8]));
    }

    private static List<AuditEntry> Record(IEnumerable<OpenIngressRule> rules, string runId)
    {
        var run = new AuditRunInfo(runId, DateTime.UtcNow, "test");
        return AuditRecordReader.Read(Encoding.UTF8.GetString(AuditRecordFormat.Write(rules.Select(r => RuleInput.FromRule(r with { AuditRunId = runId })).ToList(), run, AuditFormat.JsonLines)));
    }

    private static string[] Sources(int n) => Enumerable.Range(0, n).Select(i => $"10.{i}.0.0/16").ToArray();

    // ------------------------------------------------------------------ edits in place: the rule's own type only

    [Fact]
    public void An_open_rule_is_edited_into_a_replacement_of_its_own_type_whatever_the_order_given()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, new[] { "sg-bastion", "203.0.113.0/24" }));
        Assert.Equal(ChangeStatus.Narrowed, result.Status);
        Assert.Equal(("203.0.113.0/24", (string?)null), (ssh.V4, ssh.GroupRef));
        Assert.Equal(ssh.Id, result.NewRuleIds[0]);
        Assert.Contains(_ec2.Groups["sg-1"], r => r.GroupRef == "sg-bastion");
    }

    [Fact]
    public void Narrowing_to_a_group_grants_it_then_revokes_the_open_rule_which_gets_a_new_id_and_restores_exactly()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh");
        var before = _ec2.RuleSet("sg-1");
        var record = Record(new[] { Of(ssh, "sg-1") }, "run-G");
        var result = Assert.Single(Revoke(record.Select(e => e.Rule), new[] { "sg-bastion" }));
        Assert.Equal(ChangeStatus.Narrowed, result.Status);
        var bastion = Assert.Single(_ec2.Groups["sg-1"]);
        Assert.Equal(new[] { bastion.Id }, result.NewRuleIds);
        Assert.NotEqual(ssh.Id, bastion.Id);
        Assert.Equal(0, _ec2.Count("ModifySecurityGroupRules"));
        Restore(record);
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
    }

    // ------------------------------------------------------------------ the rule quota, before the first call

    [Fact]
    public void A_narrowing_past_the_quota_is_refused_before_anything_is_granted()
    {
        foreach (var i in Enumerable.Range(0, 4)) _ec2.Add("sg-1", "tcp", 1000 + i, 1000 + i, $"192.168.{i}.0/24");
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var before = _ec2.RuleSet("sg-1");
        _ec2.Calls.Clear();

        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, Sources(61)));

        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.Equal("RuleQuotaExceeded", result.ErrorId);
        Assert.Contains("sg-1", result.Error);
        Assert.Contains("needs 60 more inbound IPv4 rule(s), and the group holds 5 of its quota of 60", result.Error);
        Assert.Contains("-RuleQuota", result.Error);
        Assert.Equal(new[] { "DescribeSecurityGroupRules" }, _ec2.Calls.Distinct());
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
    }

    [Fact]
    public void A_raised_quota_stated_by_the_admin_lets_the_narrowing_through_and_the_edge_fits_exactly()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        _ec2.RulesPerGroup = 100;
        Assert.Equal(ChangeStatus.Narrowed, Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, Sources(61), quota: 100)).Status);
        Assert.Equal(61, _ec2.Groups["sg-1"].Count);

        // At the default quota, a group of one open rule takes 60 sources: one edit in place and 59 grants.
        var other = _ec2.Add("sg-2", "tcp", 22, 22, "0.0.0.0/0");
        _ec2.RulesPerGroup = 60;
        Assert.Equal(ChangeStatus.Narrowed, Assert.Single(Revoke(new[] { Of(other, "sg-2") }, Sources(60))).Status);
        Assert.Equal(60, _ec2.Groups["sg-2"].Count);
    }

    [Fact]
    public void Rules_are_counted_per_family_group_references_in_both_customer_prefix_lists_at_their_MaxEntries()
    {
        var live = new LiveGroup("sg-1", true, new[]
        {
            new SecurityGroupRuleInfo { SecurityGroupRuleId = "sgr-1", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "10.0.0.0/8" },
            new SecurityGroupRuleInfo { SecurityGroupRuleId = "sgr-2", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv6 = "2001:db8::/32" },
            new SecurityGroupRuleInfo { SecurityGroupRuleId = "sgr-3", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 22, ToPort = 22, ReferencedGroupId = "sg-app" },
            new SecurityGroupRuleInfo { SecurityGroupRuleId = "sgr-4", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 443, ToPort = 443, PrefixListId = "pl-mine" },
            new SecurityGroupRuleInfo { SecurityGroupRuleId = "sgr-5", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 443, ToPort = 443, PrefixListId = "pl-aws" },
            new SecurityGroupRuleInfo { SecurityGroupRuleId = "sgr-6", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 80, ToPort = 80, PrefixListId = "pl-mine6" },
        });
        var lists = new Dictionary<string, PrefixListInfo>(StringComparer.OrdinalIgnoreCase)
        {
            ["pl-mine"] = new PrefixListInfo { PrefixListId = "pl-mine", OwnerId = "111122223333", AddressFamily = "IPv4", MaxEntries = 20 },
            ["pl-mine6"] = new PrefixListInfo { PrefixListId = "pl-mine6", OwnerId = "111122223333", AddressFamily = "IPv6", MaxEntries = 7 },
            ["pl-aws"] = new PrefixListInfo { PrefixListId = "pl-aws", OwnerId = "AWS", Name = "com.amazonaws.global.cloudfront.origin-facing", AddressFamily = "IPv4" },
        };
        var quota = RuleQuota.Of(live, 60, lists);
        Assert.Equal((1 + 1 + 20 + 1, 1 + 1 + 1 + 7), (quota.Ipv4, quota.Ipv6));
        Assert.Null(quota.TryTake(Enumerable.Range(0, 37).Select(i => RuleSource.FromCidr(Cidr.Parse($"10.{i}.0.0/16"))).ToList(), lists));
        Assert.Contains("needs 1 more inbound IPv4 rule(s), and the group holds 60 of its quota of 60",
            quota.TryTake(new[] { RuleSource.SecurityGroup("sg-x") }, lists));
        Assert.Null(quota.TryTake(new[] { RuleSource.FromCidr(Cidr.Parse("2001:db8:1::/48")) }, lists));
    }

    // ------------------------------------------------------------------ all or nothing per rule

    [Fact]
    public void A_grant_refused_half_way_takes_back_what_was_granted_before_it_and_Failed_means_unchanged()
    {
        // Two runs' rules share one replacement, so their grants go in two calls (one per set of owning runs).
        var v4 = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var v6 = _ec2.Add("sg-1", "tcp", 22, 22, "::/0");
        var before = _ec2.RuleSet("sg-1");
        var a = Of(v4, "sg-1", "run-A") with { Recommendation = Recommendation.Narrow, ReplaceWith = new[] { "sg-onlya", "sg-shared" } };
        var b = Of(v6, "sg-1", "run-B") with { Recommendation = Recommendation.Narrow, ReplaceWith = new[] { "sg-shared" } };
        _ec2.OnNext("AuthorizeSecurityGroupIngress", () => { });
        _ec2.FailNext("AuthorizeSecurityGroupIngress", "RulesPerSecurityGroupLimitExceeded");

        var results = Revoke(new[] { a, b });

        Assert.All(results, r => Assert.Equal(ChangeStatus.Failed, r.Status));
        Assert.Contains("removed again", results[0].Error);
        Assert.Equal(2, _ec2.Count("AuthorizeSecurityGroupIngress"));
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
        Assert.All(_ec2.Groups["sg-1"], r => Assert.Empty(r.Tags));
    }

    [Fact]
    public void A_shared_replacement_gets_its_tags_back_when_the_rule_it_was_shared_for_stays_open()
    {
        var shared = _ec2.Add("sg-1", "tcp", 22, 22, "203.0.113.0/24", "office", tags: new() { [RuleTags.Replacement] = "run-old" });
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        _ec2.FailNext("RevokeSecurityGroupIngress", "UnauthorizedOperation", 403);
        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1", "run-new") }, new[] { "203.0.113.0/24", "sg-bastion" }));
        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.Equal("run-old", shared.Tags[RuleTags.Replacement]);
        Assert.DoesNotContain(_ec2.Groups["sg-1"], r => r.GroupRef != null);
    }

    [Fact]
    public void The_narrowed_mark_goes_again_when_the_edit_in_place_fails()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        _ec2.FailNext("ModifySecurityGroupRules", "UnauthorizedOperation", 403);
        Assert.Equal(ChangeStatus.Failed, Assert.Single(Revoke(new[] { Of(ssh, "sg-1", "run-A") }, new[] { "203.0.113.0/24" })).Status);
        Assert.Empty(RuleTags.RunIds(ssh.Tags, RuleTags.Narrowed));
    }

    [Fact]
    public void What_cannot_be_taken_back_is_Incomplete_never_Failed_and_names_what_is_left()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        _ec2.FailNext("RevokeSecurityGroupIngress", "UnauthorizedOperation", 403);
        _ec2.FailNext("RevokeSecurityGroupIngress", "UnauthorizedOperation", 403);
        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, new[] { "sg-bastion" }));
        var bastion = _ec2.Groups["sg-1"].Single(r => r.GroupRef == "sg-bastion");
        Assert.Equal(ChangeStatus.Incomplete, result.Status);
        Assert.Equal("ChangeNotTakenBack", result.ErrorId);
        Assert.Contains(bastion.Id, result.Error);
        Assert.False(RestorePlanner.WasRemoved(ChangeStatus.Incomplete));
    }

    // ------------------------------------------------------------------ ownership that fits the tag

    [Fact]
    public void Run_ids_are_packed_whole_into_as_many_values_as_they_need_and_read_back_in_order()
    {
        var ids = Enumerable.Range(0, 40).Select(i => $"20261207T0{i:D2}000Z-{i:x12}").ToList();
        var tags = RuleTags.Write(RuleTags.Replacement, ids);
        Assert.All(tags.Values, v => Assert.True(v.Length <= RuleTags.MaxValueLength));
        Assert.Equal(ids, RuleTags.RunIds(tags));
        Assert.Equal(new[] { "sgnarrower:replacement", "sgnarrower:replacement.2", "sgnarrower:replacement.3", "sgnarrower:replacement.4", "sgnarrower:replacement.5" }, tags.Keys);
        var fewer = RuleTags.Write(RuleTags.Replacement, ids.Take(3), tags);
        Assert.Equal(ids.Take(3), RuleTags.RunIds(fewer));
        Assert.Equal("", fewer["sgnarrower:replacement.5"]);
        Assert.Throws<ArgumentException>(() => RuleTags.Write(RuleTags.Replacement, new[] { "a b" }));
    }

    [Fact]
    public void Thirty_rounds_of_reopen_and_narrow_then_every_record_restored_newest_first_end_where_they_began()
    {
        _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh");
        var before = _ec2.RuleSet("sg-1");
        var records = new List<List<AuditEntry>>();
        for (int round = 0; round < 30; round++)
        {
            var open = _ec2.Groups["sg-1"].SingleOrDefault(r => r.V4 == "0.0.0.0/0") ?? _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh");
            var record = Record(new[] { Of(open, "sg-1") }, $"20261207T{round:D2}0000Z-{round:x12}");
            records.Add(record);
            Assert.Equal(ChangeStatus.Narrowed, Assert.Single(Revoke(record.Select(e => e.Rule), new[] { "203.0.113.0/24" })).Status);
        }
        var replacement = _ec2.Groups["sg-1"].Single(r => r.V4 == "203.0.113.0/24");
        Assert.Equal(29, RuleTags.RunIds(replacement.Tags).Count);

        foreach (var record in Enumerable.Reverse(records))
            Assert.All(Restore(record), r => Assert.Contains(r.Status, new[] { ChangeStatus.Restored, ChangeStatus.AlreadyPresent }));
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
    }

    // ------------------------------------------------------------------ text is text

    [Theory]
    [InlineData("203.0.113.0/24\0")]
    [InlineData("203.0.113.0/2\u00004")]
    [InlineData("\u202E203.0.113.0/24")]
    [InlineData("203.0.113.0/24\u0085")]
    public void A_replacement_with_a_control_or_bidirectional_character_is_refused_showing_where(string value)
    {
        var e = Assert.Throws<FormatException>(() => ReplacementSet.Parse(new[] { value }));
        Assert.Contains("-ReplaceWith", e.Message);
        Assert.Contains("<U+", e.Message);
        Assert.Contains("position", e.Message);
        Assert.False(Cidr.TryParse(value, out _));
    }

    [Fact]
    public void Ids_regions_and_selectors_with_control_characters_are_refused_by_every_reader()
    {
        Assert.DoesNotMatch(Ec2Names.GroupId, "sg-123\n");
        Assert.DoesNotMatch(AwsNames.AccountIdPattern, "123456789012\n");
        Assert.Throws<FormatException>(() => Matching.TagSelector.Parse("team=ops\0"));
        var e = Assert.Throws<FormatException>(() => RuleInput.Read(name => name switch
        {
            "GroupId" => "sg-1\0", "Region" => "us-east-1", "IpProtocol" => "tcp", "FromPort" => 22, "ToPort" => 22, "CidrIpv4" => "0.0.0.0/0", _ => null,
        }));
        Assert.Contains("GroupId", e.Message);
        Assert.Contains("U+0000", e.Message);
    }

    [Fact]
    public void A_run_id_that_could_not_be_held_whole_in_a_tag_is_refused_where_it_is_read()
    {
        var e = Assert.Throws<FormatException>(() => RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22, "0.0.0.0/0", runId: "two words")));
        Assert.Contains("AuditRunId", e.Message);
        Assert.Throws<FormatException>(() => RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22, "0.0.0.0/0", runId: new string('r', RuleTags.MaxRunIdLength + 1))));
        var line = "{\"RecordType\":\"Run\",\"FormatVersion\":1,\"RunId\":\"a b\",\"RecordedAt\":\"2026-12-07T00:00:00.000Z\",\"Tool\":\"x\"}";
        var rule = "{\"RecordType\":\"Rule\",\"FormatVersion\":1,\"GroupId\":\"sg-1\",\"Region\":\"us-east-1\",\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"CidrIpv4\":\"0.0.0.0/0\"}";
        Assert.Equal(2, AuditRecordReader.ReadLines(line.Replace("a b", "run-1") + "\n" + rule).Count);
        Assert.Contains("line 1", Assert.Throws<AuditRecordException>(() => AuditRecordReader.ReadLines(line + "\n" + rule)).Message);
        // A rule line names its run itself: what a restore reads.
        Assert.Contains("line 1", Assert.Throws<AuditRecordException>(() => AuditRecordReader.Read(rule.Replace("\"GroupId\"", "\"RunId\":\"a b\",\"GroupId\""))).Message);
    }

    [Fact]
    public void A_recorded_description_EC2_would_refuse_is_not_granted()
    {
        _ec2.Group("sg-1");
        var record = Record(new[] { Rule("sg-1", "tcp", 22, 22, "0.0.0.0/0") with { Description = "ssh <admins>" } }, "run-D");
        var result = Assert.Single(Restore(record));
        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.Equal("DescriptionNotAccepted", result.ErrorId);
        Assert.Equal(0, _ec2.Count("AuthorizeSecurityGroupIngress"));
        Assert.True(Ec2Names.IsDescription("SgNarrower: replaces 0.0.0.0/0 (sgr-0123) & ::/0, [x]=y; {z}!$*@#+"));
    }
}
