using System.Text;
using SgNarrower.Audit;
using SgNarrower.Changes;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>The planners and the executor against an in-memory EC2: drift, lost replies, narrowing and restores.</summary>
public sealed class ChangeEngineTests
{
    private readonly FakeEc2 _ec2 = new();

    private static OpenIngressRule Rule(string group, string proto, int from, int to, string cidr, string? id = null, string? description = null) => new()
    {
        Region = "us-east-1", GroupId = group, SecurityGroupRuleId = id, IpProtocol = proto, FromPort = from, ToPort = to,
        CidrIpv4 = cidr.Contains(':') ? null : cidr, CidrIpv6 = cidr.Contains(':') ? cidr : null, Description = description,
    };

    private static OpenIngressRule Of(FakeEc2.Rule r, string group) =>
        Rule(group, r.Protocol, r.From, r.To, r.V4 ?? r.V6!, r.Id, r.Description);

    private List<IngressRuleChange> Revoke(IEnumerable<OpenIngressRule> rules, string[]? replaceWith = null, string runId = "run-1")
    {
        var requests = rules.Select(r => { var e = RuleInput.FromRule(r); return new ChangeRequest(e.Rule, e.Identity, true, e.Status); }).ToList();
        return ChangeRun.Changes(_ => _ec2, requests, new PlanOptions(PlanKind.Revoke, runId) { Replacements = ReplacementSet.Parse(replaceWith) });
    }

    /// <summary>Restores from results the way a user does: through a record written and read back.</summary>
    private List<IngressRuleChange> RestoreFrom(IEnumerable<IngressRuleChange> results, bool keepReplacements = false)
    {
        var entries = results.Select(c => RuleInput.Read(name => typeof(IngressRuleChange).GetProperty(name)?.GetValue(c))).ToList();
        var run = new AuditRunInfo("record-of-results", DateTime.UtcNow, "test");
        var text = Encoding.UTF8.GetString(AuditRecordFormat.Write(entries, run, AuditFormat.JsonLines));
        return Restore(AuditRecordReader.Read(text), keepReplacements);
    }

    private List<IngressRuleChange> Restore(IEnumerable<AuditEntry> entries, bool keepReplacements = false)
    {
        var requests = entries.Where(e => RestorePlanner.WasRemoved(e.Status)).Select(e => new ChangeRequest(e.Rule, e.Identity, true, e.Status)).ToList();
        return ChangeRun.Changes(_ => _ec2, requests, new PlanOptions(PlanKind.Restore, "restore-run") { KeepReplacements = keepReplacements });
    }

    private static List<AuditEntry> Record(IEnumerable<OpenIngressRule> rules, string runId)
    {
        var run = new AuditRunInfo(runId, DateTime.UtcNow, "test");
        return AuditRecordReader.Read(Encoding.UTF8.GetString(AuditRecordFormat.Write(rules.Select(RuleInput.FromRule).ToList(), run, AuditFormat.JsonLines)));
    }

    [Fact]
    public void A_stale_rule_id_whose_rule_was_edited_in_place_is_not_revoked()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var recorded = Of(ssh, "sg-1");
        // Someone edits the rule in place: same id, now the office /32.
        ssh.V4 = "198.51.100.7/32";
        ssh.Description = "office";
        var before = _ec2.RuleSet("sg-1");

        var result = Assert.Single(Revoke(new[] { recorded }));

        Assert.Equal(ChangeStatus.AlreadyAbsent, result.Status);
        Assert.Contains("now allows tcp 22 from 198.51.100.7/32", result.Error);
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
        Assert.Equal(0, _ec2.Count("RevokeSecurityGroupIngress"));
        // And the result does not make a restore add 0.0.0.0/0 back: its record says AlreadyAbsent, which the
        // restore planner skips without a call.
        var entry = Assert.Single(RecordOfResults(new[] { result }));
        Assert.Equal(ChangeStatus.AlreadyAbsent, entry.Status);
        var restored = Assert.Single(ChangeRun.Changes(_ => _ec2, new[] { new ChangeRequest(entry.Rule, entry.Identity, true, entry.Status) }, new PlanOptions(PlanKind.Restore, "restore-run")));
        Assert.Equal(ChangeStatus.Skipped, restored.Status);
        Assert.Contains("AlreadyAbsent", restored.Error);
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
        Assert.Equal(0, _ec2.Count("AuthorizeSecurityGroupIngress"));
    }

    /// <summary>Results written as a record and read back, as Restore-IngressRule reads them.</summary>
    private static List<AuditEntry> RecordOfResults(IEnumerable<IngressRuleChange> results)
    {
        var entries = results.Select(c => RuleInput.Read(name => typeof(IngressRuleChange).GetProperty(name)?.GetValue(c))).ToList();
        var run = new AuditRunInfo("record-of-results", DateTime.UtcNow, "test");
        return AuditRecordReader.Read(Encoding.UTF8.GetString(AuditRecordFormat.Write(entries, run, AuditFormat.JsonLines)));
    }

    [Fact]
    public void A_stale_id_after_a_restore_finds_the_same_rule_under_its_new_id()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "open ssh");
        var recorded = Of(ssh, "sg-1");
        var first = Revoke(new[] { recorded });
        Assert.Equal(ChangeStatus.Revoked, Assert.Single(first).Status);
        Assert.Equal(ChangeStatus.Restored, Assert.Single(RestoreFrom(first)).Status);
        Assert.NotEqual(ssh.Id, _ec2.Groups["sg-1"].Single().Id);

        var again = Assert.Single(Revoke(new[] { recorded }));
        Assert.Equal(ChangeStatus.Revoked, again.Status);
        Assert.Empty(_ec2.Groups["sg-1"]);
        Assert.NotEqual(ssh.Id, again.SecurityGroupRuleId);
    }

    [Fact]
    public void A_lost_revoke_reply_is_still_reported_revoked_and_the_results_restore_exactly()
    {
        _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh");
        _ec2.Add("sg-1", "-1", -1, -1, "::/0", "everything");
        _ec2.Add("sg-1", "tcp", 5432, 5432, "10.0.0.0/8", "db");
        var before = _ec2.RuleSet("sg-1");
        var open = _ec2.Groups["sg-1"].Where(r => r.V4 == "0.0.0.0/0" || r.V6 == "::/0").Select(r => Of(r, "sg-1")).ToList();
        _ec2.LoseNextReply("RevokeSecurityGroupIngress");

        var results = Revoke(open);

        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        Assert.Equal(new[] { "tcp 5432 from 10.0.0.0/8 'db'" }, _ec2.RuleSet("sg-1"));
        RestoreFrom(results);
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
    }

    [Fact]
    public void Narrowing_to_one_source_edits_the_rule_in_place_with_one_mutating_call_and_restore_edits_it_back()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh");
        var before = _ec2.RuleSet("sg-1");
        _ec2.LoseNextReply("ModifySecurityGroupRules");

        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, new[] { "203.0.113.0/24" }));

        Assert.Equal(ChangeStatus.Narrowed, result.Status);
        var rule = Assert.Single(_ec2.Groups["sg-1"]);
        Assert.Equal((ssh.Id, "203.0.113.0/24"), (rule.Id, rule.V4));
        Assert.Equal(ssh.Id, Assert.Single(result.NewRuleIds));
        Assert.Equal("run-1", rule.Tags[RuleTags.Narrowed]);
        Assert.Equal("SgNarrower: replaces 0.0.0.0/0 (" + ssh.Id + ")", rule.Description);
        Assert.Equal(0, _ec2.Count("AuthorizeSecurityGroupIngress") + _ec2.Count("RevokeSecurityGroupIngress"));

        var back = Assert.Single(RestoreFrom(new[] { result }));
        Assert.Equal((ChangeStatus.Restored, ssh.Id), (back.Status, back.SecurityGroupRuleId));
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
        Assert.Equal(ssh.Id, _ec2.Groups["sg-1"].Single().Id);
    }

    [Fact]
    public void A_lost_authorize_reply_while_narrowing_to_several_sources_still_narrows_and_restore_takes_them_back()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh");
        var before = _ec2.RuleSet("sg-1");
        _ec2.LoseNextReply("AuthorizeSecurityGroupIngress");

        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, new[] { "203.0.113.0/24", "198.51.100.0/24" }));

        Assert.Equal(ChangeStatus.Narrowed, result.Status);
        var extra = _ec2.Groups["sg-1"].Single(r => r.V4 == "198.51.100.0/24");
        Assert.Equal("run-1", extra.Tags[RuleTags.Replacement]);
        Assert.Equal(new[] { ssh.Id, extra.Id }, result.NewRuleIds);
        Assert.Equal(ChangeStatus.Restored, Assert.Single(RestoreFrom(new[] { result })).Status);
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
    }

    [Fact]
    public void Lost_replies_on_every_call_of_many_groups_never_turn_into_a_wrong_status()
    {
        for (int g = 0; g < 20; g++)
        {
            _ec2.Add($"sg-{g}", "tcp", 22, 22, "0.0.0.0/0", $"ssh {g}");
            _ec2.Add($"sg-{g}", "udp", 500, 500, "::/0");
            _ec2.Add($"sg-{g}", "tcp", 443, 443, "10.1.0.0/16", "private");
        }
        var before = _ec2.Groups.Keys.ToDictionary(k => k, _ec2.RuleSet);
        var open = _ec2.Groups.SelectMany(g => g.Value.Where(r => r.V4 == "0.0.0.0/0" || r.V6 == "::/0").Select(r => Of(r, g.Key))).ToList();
        for (int i = 0; i < 20; i++) { _ec2.LoseNextReply("AuthorizeSecurityGroupIngress"); _ec2.LoseNextReply("ModifySecurityGroupRules"); _ec2.LoseNextReply("CreateTags"); }

        var results = Revoke(open, new[] { "203.0.113.0/24", "198.51.100.0/24", "2001:db8::/48" });

        Assert.Equal(40, results.Count);
        Assert.All(results, r => Assert.Equal(ChangeStatus.Narrowed, r.Status));
        Assert.All(_ec2.Groups.Values, rules => Assert.DoesNotContain(rules, r => r.V4 == "0.0.0.0/0" || r.V6 == "::/0"));
        for (int i = 0; i < 20; i++) { _ec2.LoseNextReply("ModifySecurityGroupRules"); _ec2.LoseNextReply("RevokeSecurityGroupIngress"); }
        var back = RestoreFrom(results);
        Assert.All(back, r => Assert.Equal(ChangeStatus.Restored, r.Status));
        Assert.All(_ec2.Groups.Keys, k => Assert.Equal(before[k], _ec2.RuleSet(k)));
    }

    [Fact]
    public void A_rule_removed_by_someone_else_is_already_absent_and_the_others_are_revoked_in_the_same_call()
    {
        var a = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var b = _ec2.Add("sg-1", "tcp", 80, 80, "0.0.0.0/0");
        var input = new[] { Of(a, "sg-1"), Of(b, "sg-1") };
        _ec2.Groups["sg-1"].Remove(b);

        var results = Revoke(input);

        Assert.Equal(new[] { ChangeStatus.Revoked, ChangeStatus.AlreadyAbsent }, results.Select(r => r.Status));
        Assert.Equal(1, _ec2.Count("RevokeSecurityGroupIngress"));
    }

    [Fact]
    public void A_rule_someone_else_removed_between_plan_and_revoke_is_already_absent_never_revoked()
    {
        var a = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var b = _ec2.Add("sg-1", "tcp", 80, 80, "0.0.0.0/0");
        _ec2.OnNext("RevokeSecurityGroupIngress", () => _ec2.Groups["sg-1"].Remove(b));

        var results = Revoke(new[] { Of(a, "sg-1"), Of(b, "sg-1") });

        // EC2 answered this run's call with NotFound, so the call changed nothing: b was removed by someone else.
        Assert.Equal(ChangeStatus.Revoked, results[0].Status);
        Assert.Equal(ChangeStatus.AlreadyAbsent, results[1].Status);
        Assert.Contains("removed by someone else", results[1].Error);
        Assert.Null(results[1].ErrorId);
        Assert.Empty(_ec2.Groups["sg-1"]);
        Assert.Equal(2, _ec2.Count("RevokeSecurityGroupIngress"));
    }

    [Fact]
    public void A_grant_someone_else_made_between_plan_and_restore_is_already_present_never_restored()
    {
        _ec2.Group("sg-1");
        _ec2.OnNext("AuthorizeSecurityGroupIngress", () => _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0"));
        var result = Assert.Single(Restore(Record(new[] { Rule("sg-1", "tcp", 22, 22, "0.0.0.0/0") }, "run-A")));
        // The authorize was answered with Duplicate: this run granted nothing.
        Assert.Equal(ChangeStatus.AlreadyPresent, result.Status);
        Assert.Single(_ec2.Groups["sg-1"]);
    }

    [Fact]
    public void Live_rules_are_read_with_one_describe_per_200_groups()
    {
        var rules = Enumerable.Range(0, 250).Select(i => Of(_ec2.Add($"sg-{i}", "tcp", 22, 22, "0.0.0.0/0"), $"sg-{i}")).ToList();
        var results = Revoke(rules);
        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        Assert.Equal(2, _ec2.Count("DescribeSecurityGroupRules"));
        Assert.Equal(250, _ec2.Count("RevokeSecurityGroupIngress"));
    }

    [Fact]
    public void Two_inputs_for_the_same_rule_revoke_it_once_and_both_say_so()
    {
        var a = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var results = Revoke(new[] { Of(a, "sg-1"), Of(a, "sg-1") with { SecurityGroupRuleId = null, IpProtocol = "6" } });
        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        Assert.Equal(1, _ec2.Count("RevokeSecurityGroupIngress"));
    }

    [Fact]
    public void A_deleted_group_makes_its_rules_already_absent_when_the_region_is_the_rules_own()
    {
        var results = Revoke(new[] { Rule("sg-gone", "tcp", 22, 22, "0.0.0.0/0", "sgr-1") });
        Assert.Equal(ChangeStatus.AlreadyAbsent, Assert.Single(results).Status);
        Assert.Contains("does not exist in us-east-1", results[0].Error);
    }

    [Fact]
    public void A_group_missing_from_a_region_given_by_the_caller_is_an_error_not_absent()
    {
        var e = RuleInput.FromRule(Rule("sg-x", "tcp", 22, 22, "0.0.0.0/0"));
        var outcome = Assert.Single(ChangeRun.Outcomes(_ => _ec2, new[] { new ChangeRequest(e.Rule, e.Identity, RegionFromRule: false) }, new PlanOptions(PlanKind.Revoke, "r")));
        Assert.Equal(ChangeStatus.Failed, Assert.Single(outcome.Changes).Status);
        Assert.Equal("SecurityGroupNotFound", Assert.Single(outcome.Errors).ErrorId);
    }

    [Fact]
    public void Narrowing_never_widens_an_ipv6_rule_with_an_ipv4_replacement()
    {
        var v6 = _ec2.Add("sg-1", "tcp", 443, 443, "::/0");
        var v4 = _ec2.Add("sg-1", "tcp", 443, 443, "0.0.0.0/0");
        var outcome = Assert.Single(ChangeRun.Outcomes(_ => _ec2, new[] { v6, v4 }.Select(r => { var e = RuleInput.FromRule(Of(r, "sg-1")); return new ChangeRequest(e.Rule, e.Identity, true); }).ToList(),
            new PlanOptions(PlanKind.Revoke, "run-1") { Replacements = ReplacementSet.Parse(new[] { "203.0.113.0/24" }) }));

        Assert.Equal(new[] { ChangeStatus.Failed, ChangeStatus.Narrowed }, outcome.Changes.Select(c => c.Status));
        Assert.Equal("NoReplacementForFamily", outcome.Changes[0].ErrorId);
        Assert.Contains("IPv6", outcome.Changes[0].Error);
        Assert.Equal("NoReplacementForFamily", Assert.Single(outcome.Errors).ErrorId);
        Assert.Contains(_ec2.Groups["sg-1"], r => r.V6 == "::/0");
        Assert.DoesNotContain(_ec2.Groups["sg-1"], r => r.V4 == "0.0.0.0/0");
        Assert.Equal(new[] { "203.0.113.0/24" }, outcome.Changes[1].ReplacedWith);
    }

    [Fact]
    public void A_group_replacement_serves_both_families_granted_once_then_both_open_rules_revoked()
    {
        // EC2 never edits a CIDR rule into a group reference (SecurityGroupRuleRequest: the rule type cannot change).
        var v6 = _ec2.Add("sg-1", "tcp", 22, 22, "::/0");
        var v4 = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var results = Revoke(new[] { Of(v6, "sg-1"), Of(v4, "sg-1") }, new[] { "sg-bastion" });
        Assert.All(results, r => Assert.Equal(ChangeStatus.Narrowed, r.Status));
        var grant = Assert.Single(_ec2.Groups["sg-1"]);
        Assert.Equal("sg-bastion", grant.GroupRef);
        Assert.All(results, r => Assert.Equal(new[] { grant.Id }, r.NewRuleIds));
        Assert.Equal((1, 1, 0), (_ec2.Count("AuthorizeSecurityGroupIngress"), _ec2.Count("RevokeSecurityGroupIngress"), _ec2.Count("ModifySecurityGroupRules")));
        Assert.True(_ec2.Calls.IndexOf("AuthorizeSecurityGroupIngress") < _ec2.Calls.IndexOf("RevokeSecurityGroupIngress"), "the rule both rely on exists before the open rules go");
        RestoreFrom(results);
        Assert.Equal(new[] { "tcp 22 from 0.0.0.0/0 ''", "tcp 22 from ::/0 ''" }, _ec2.RuleSet("sg-1"));
    }

    [Fact]
    public void A_broad_rule_is_narrowed_only_to_sources_inside_it()
    {
        var broad = _ec2.Add("sg-1", "tcp", 22, 22, "10.0.0.0/8");
        var results = Revoke(new[] { Of(broad, "sg-1") }, new[] { "203.0.113.0/24", "sg-bastion" });
        Assert.Equal(ChangeStatus.Failed, Assert.Single(results).Status);
        Assert.Contains("inside 10.0.0.0/8", results[0].Error);
        results = Revoke(new[] { Of(broad, "sg-1") }, new[] { "10.20.0.0/16", "203.0.113.0/24" });
        Assert.Equal(new[] { "10.20.0.0/16" }, Assert.Single(results).ReplacedWith);
        Assert.Equal("10.20.0.0/16", Assert.Single(_ec2.Groups["sg-1"]).V4);
    }

    [Fact]
    public void When_the_edit_fails_after_the_grant_the_extra_replacement_is_taken_back()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var before = _ec2.RuleSet("sg-1");
        _ec2.FailNext("ModifySecurityGroupRules", "UnauthorizedOperation", 403);
        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, new[] { "203.0.113.0/24", "198.51.100.0/24" }));
        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.Contains("ec2:ModifySecurityGroupRules", result.Error);
        Assert.Contains("removed again", result.Error);
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
    }

    [Fact]
    public void When_the_revoke_fails_after_the_grant_the_replacement_is_taken_back()
    {
        _ec2.Add("sg-1", "tcp", 22, 22, "203.0.113.0/24", "office");
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var before = _ec2.RuleSet("sg-1");
        _ec2.FailNext("RevokeSecurityGroupIngress", "UnauthorizedOperation", 403);
        // The IPv4 replacement is there already and a group reference is of another type: so the open rule is revoked, not edited.
        var result = Assert.Single(Revoke(new[] { Of(ssh, "sg-1") }, new[] { "203.0.113.0/24", "sg-bastion" }));
        Assert.Equal(ChangeStatus.Failed, result.Status);
        Assert.Contains("ec2:RevokeSecurityGroupIngress", result.Error);
        Assert.Contains("removed again", result.Error);
        Assert.Equal(before, _ec2.RuleSet("sg-1"));
    }

    [Fact]
    public void Restoring_one_run_leaves_another_runs_replacements_whichever_is_restored_first()
    {
        foreach (var aFirst in new[] { true, false })
        {
            var ec2 = new FakeEc2();
            var engine = new ChangeEngineTests(ec2);
            var o4 = ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "v4");
            var o6 = ec2.Add("sg-1", "tcp", 22, 22, "::/0", "v6");
            var before = ec2.RuleSet("sg-1");
            var recordA = Record(new[] { Of(o4, "sg-1") }, "run-A");
            var recordB = Record(new[] { Of(o6, "sg-1") }, "run-B");
            // Both runs narrow to the same bastion group (shared) and to their own CIDRs.
            Assert.Equal(ChangeStatus.Narrowed, Assert.Single(engine.Revoke(recordA.Select(e => e.Rule), new[] { "sg-bastion", "203.0.113.0/24" })).Status);
            Assert.Equal(ChangeStatus.Narrowed, Assert.Single(engine.Revoke(recordB.Select(e => e.Rule), new[] { "sg-bastion", "2001:db8::/48" })).Status);
            // Each edited its open rule into its own CIDR (same type) and A granted the bastion rule; B found it there and shares it.
            var bastion = ec2.Groups["sg-1"].Single(r => r.GroupRef == "sg-bastion");
            Assert.Equal("run-A run-B", bastion.Tags[RuleTags.Replacement]);
            Assert.Equal(("203.0.113.0/24", "run-A"), (o4.V4, o4.Tags[RuleTags.Narrowed]));
            Assert.Equal(("2001:db8::/48", "run-B"), (o6.V6, o6.Tags[RuleTags.Narrowed]));

            engine.Restore(aFirst ? recordA : recordB);
            // The other run's narrowing still gives its clients access.
            Assert.Contains(ec2.Groups["sg-1"], r => r.GroupRef == "sg-bastion");
            Assert.Contains(ec2.Groups["sg-1"], r => aFirst ? r.V6 == "2001:db8::/48" : r.V4 == "203.0.113.0/24");
            Assert.DoesNotContain(ec2.Groups["sg-1"], r => aFirst ? r.V4 == "203.0.113.0/24" : r.V6 == "2001:db8::/48");

            engine.Restore(aFirst ? recordB : recordA);
            Assert.Equal(before, ec2.RuleSet("sg-1"));
        }
    }

    private ChangeEngineTests(FakeEc2 ec2) { _ec2 = ec2; }
    public ChangeEngineTests() { }

    [Fact]
    public void Restore_never_removes_a_rule_it_did_not_add_and_keeps_replacements_when_asked()
    {
        var office = _ec2.Add("sg-1", "tcp", 22, 22, "203.0.113.0/24", "office");
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh");
        var record = Record(new[] { Of(ssh, "sg-1") }, "run-A");
        // 203.0.113.0/24 is there already (office), the open rule is edited into 198.51.100.0/24 and 192.0.2.0/24 is granted.
        Assert.Equal(ChangeStatus.Narrowed, Assert.Single(Revoke(record.Select(e => e.Rule), new[] { "203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24" })).Status);
        Assert.Equal("office", _ec2.Groups["sg-1"].Single(r => r.V4 == "203.0.113.0/24").Description);

        Restore(record, keepReplacements: true);
        Assert.Contains(_ec2.Groups["sg-1"], r => r.V4 == "192.0.2.0/24");
        Restore(record);
        Assert.Equal(new[] { "tcp 22 from 0.0.0.0/0 'ssh'", "tcp 22 from 203.0.113.0/24 'office'" }, _ec2.RuleSet("sg-1"));
        Assert.Equal(office.Id, _ec2.Groups["sg-1"].Single(r => r.V4 == "203.0.113.0/24").Id);
    }

    [Fact]
    public void Restore_grants_in_one_call_and_reports_what_is_there_already()
    {
        _ec2.Add("sg-1", "tcp", 443, 443, "0.0.0.0/0");
        var record = Record(new[]
        {
            Rule("sg-1", "tcp", 22, 22, "0.0.0.0/0", description: "ssh"),
            Rule("sg-1", "-1", -1, -1, "::/0"),
            Rule("sg-1", "tcp", 443, 443, "0.0.0.0/0"),
        }, "run-A");
        var results = Restore(record);
        Assert.Equal(new[] { ChangeStatus.Restored, ChangeStatus.Restored, ChangeStatus.AlreadyPresent }, results.Select(r => r.Status));
        Assert.Equal(1, _ec2.Count("AuthorizeSecurityGroupIngress"));
        Assert.Equal("restore-run", _ec2.Groups["sg-1"].Single(r => r.From == 22).Tags[RuleTags.Restored]);
    }

    [Fact]
    public void A_lost_restore_reply_is_still_reported_restored()
    {
        _ec2.Group("sg-1");
        _ec2.LoseNextReply("AuthorizeSecurityGroupIngress");
        var results = Restore(Record(new[] { Rule("sg-1", "tcp", 22, 22, "0.0.0.0/0") }, "run-A"));
        Assert.Equal(ChangeStatus.Restored, Assert.Single(results).Status);
        Assert.Equal(_ec2.Groups["sg-1"].Single().Id, results[0].NewRuleIds.Single());
    }

    [Fact]
    public void Results_say_the_rule_as_it_was_when_changed_its_id_and_description_now()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "new words");
        var stale = Of(ssh, "sg-1") with { SecurityGroupRuleId = "sgr-0000000000000dead", Description = "old words" };
        var result = Assert.Single(Revoke(new[] { stale }));
        Assert.Equal((ChangeStatus.Revoked, ssh.Id, "new words"), (result.Status, result.SecurityGroupRuleId, result.Description));
    }
}
