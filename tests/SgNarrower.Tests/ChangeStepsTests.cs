using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Changes;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// The change engine's pieces on a plan in memory, one call at a time and without a thread: the verified calls, the
/// planner's decisions, and one group's execution.
/// </summary>
public sealed class ChangeStepsTests
{
    private readonly FakeEc2 _ec2 = new();

    private GroupPlan Plan(FakeEc2.Rule open, string[] replaceWith, string group = "sg-1")
    {
        var entry = RuleInput.FromRule(new OpenIngressRule
        {
            Region = "us-east-1", GroupId = group, SecurityGroupRuleId = open.Id, IpProtocol = open.Protocol, FromPort = open.From, ToPort = open.To,
            CidrIpv4 = open.V4, CidrIpv6 = open.V6, Description = open.Description,
        });
        var requests = new[] { new ChangeRequest(entry.Rule, entry.Identity, true) };
        return Assert.Single(RevokePlanner.Plan(requests, LiveState.Read(_ec2, new[] { group }, null), ReplacementSet.Parse(replaceWith), "run-1"));
    }

    private static RuleGrant Grant(string cidr) => new(RuleIdentity.Parse("tcp", 22, 22, RuleSource.FromCidr(Cidr.Parse(cidr))), "x");

    [Fact]
    public void A_grant_whose_reply_was_lost_is_verified_by_describe_and_counted_as_this_calls()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var calls = new VerifiedCalls(_ec2, null);
        _ec2.LoseNextReply("AuthorizeSecurityGroupIngress");
        var tags = RuleTags.Write(RuleTags.Replacement, new[] { "run-1" });
        var granted = calls.Grant(Plan(ssh, Array.Empty<string>()), new List<RuleGrant> { Grant("203.0.113.0/24") }, tags, "test");
        var id = Assert.Single(granted.Ids).Value;
        Assert.Contains(id, granted.Created);
        Assert.Null(granted.Failure);
    }

    [Fact]
    public void A_revoke_answered_with_an_error_changed_nothing_and_a_rule_gone_by_then_was_removed_elsewhere()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var plan = Plan(ssh, Array.Empty<string>());
        _ec2.OnNext("RevokeSecurityGroupIngress", () => _ec2.Groups["sg-1"].Clear());
        var revoked = new VerifiedCalls(_ec2, null).Revoke(plan, new List<string> { ssh.Id }, "test");
        Assert.Empty(revoked.Ids);
        Assert.Equal(new[] { ssh.Id }, revoked.RemovedElsewhere);
        Assert.Equal("InvalidSecurityGroupRuleId.NotFound", revoked.ElsewhereCode);
    }

    [Fact]
    public void An_edit_EC2_refused_changed_nothing_and_keeps_the_failure_as_it_came()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        _ec2.FailNext("ModifySecurityGroupRules", "UnauthorizedOperation", 403);
        var changes = new List<KeyValuePair<string, RuleGrant>> { new(ssh.Id, Grant("203.0.113.0/24")) };
        var modified = new VerifiedCalls(_ec2, null).Modify(Plan(ssh, Array.Empty<string>()), changes, "test");
        Assert.Empty(modified.Ids);
        Assert.Equal(FailureKind.AccessDenied, modified.Failure!.Kind);
        Assert.Equal("0.0.0.0/0", ssh.V4);
    }

    [Fact]
    public void The_planner_decides_without_a_call_that_changes_and_the_executor_runs_its_steps_in_order()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var plan = Plan(ssh, new[] { "sg-bastion", "203.0.113.0/24" });
        var item = Assert.Single(plan.Items);
        Assert.True(item.InPlace);
        Assert.Equal("203.0.113.0/24", item.Replacements[0].Value);
        Assert.DoesNotContain(_ec2.Calls, c => !c.StartsWith("Describe", StringComparison.Ordinal));

        var outcome = new PlanExecutor(_ec2).Execute(plan);

        Assert.Equal(ChangeStatus.Narrowed, Assert.Single(outcome.Changes).Status);
        var mutating = _ec2.Calls.Where(c => !c.StartsWith("Describe", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "AuthorizeSecurityGroupIngress", "CreateTags", "ModifySecurityGroupRules" }, mutating);
    }

    [Fact]
    public void A_decided_failure_carries_its_kind_into_the_error()
    {
        _ec2.Group("sg-1");
        var v6 = _ec2.Add("sg-1", "tcp", 22, 22, "::/0");
        var plan = Plan(v6, new[] { "203.0.113.0/24" });
        var outcome = new PlanExecutor(_ec2).Execute(plan);
        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("NoReplacementForFamily", FailureKind.InvalidArgument), (error.ErrorId, error.Kind));
    }

    [Fact]
    public void Confirm_and_record_answer_the_lane_which_alone_makes_the_answered_plans_and_the_plans_handed_over_never_change()
    {
        var a = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var b = _ec2.Add("sg-2", "tcp", 22, 22, "0.0.0.0/0");
        var planA = Plan(a, Array.Empty<string>());
        var planB = Plan(b, Array.Empty<string>(), "sg-2");
        var declined = planA.Items[0];
        var recorded = planB.Items[0];
        var answer = new BatchAnswer(new Dictionary<PlanItem, string?> { [declined] = "No" }, new Dictionary<PlanItem, string> { [recorded] = "/records/x.jsonl" });
        // Nothing is marked until the lane applies the answer.
        Assert.True(declined.NeedsChange);
        Assert.Null(recorded.AuditUri);

        var answered = answer.ApplyTo(new[] { planA, planB });

        var (nowDeclined, nowRecorded) = (answered[0].Items[0], answered[1].Items[0]);
        Assert.Equal((ChangeStatus.Skipped, "No"), (nowDeclined.Decided!.Value, nowDeclined.Reason));
        Assert.Equal("/records/x.jsonl", nowRecorded.AuditUri);
        Assert.True(nowRecorded.NeedsChange);
        // The plans handed over are values: the answered ones are new, the ones handed over are as they were.
        Assert.True(declined.NeedsChange);
        Assert.Null(recorded.AuditUri);
    }
}
