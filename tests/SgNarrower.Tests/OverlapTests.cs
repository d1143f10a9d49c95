using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Changes;
using SgNarrower.TestEc2;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// Calls that overlap under the bucket: within a scope several groups are changed at once when EC2 takes its time to
/// answer, and still one group never has two calls in flight, a failure stays with its group, a lost reply is verified
/// as before, and no more calls are in flight than the pacer's bucket allows. Over HTTP, through the real SDK and the
/// module's pacer, against the tests' endpoint answering after a set latency.
/// </summary>
public sealed class OverlapTests : OverHttp, IDisposable
{
    private static readonly string[] Mutating = { "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules" };

    private void World(int groups, int latencyMs, ThrottleSpec? throttling = null)
    {
        var world = new WorldSpec { LatencyMs = latencyMs, Throttling = throttling };
        world.Regions["us-east-1"] = new RegionSpec
        {
            Groups = Enumerable.Range(0, groups).Select(i => new GroupSpec
            {
                GroupId = $"sg-{i:d5}", VpcId = "vpc-1",
                Rules = new List<RuleSpec>
                {
                    new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0", Description = $"ssh {i}" },
                    new() { IpProtocol = "tcp", FromPort = 443, ToPort = 443, CidrIpv4 = "10.0.0.0/8", Description = "lan" },
                },
            }).ToList(),
        };
        Server.Service.Load(world);
    }

    private List<OpenIngressRule> OpenRules() => Server.Service.Snapshot().Regions["us-east-1"].Groups
        .SelectMany(g => g.Rules.Where(r => r.CidrIpv4 == "0.0.0.0/0").Select(r => new OpenIngressRule
        {
            Region = "us-east-1", GroupId = g.GroupId, SecurityGroupRuleId = r.RuleId, IpProtocol = r.IpProtocol, FromPort = r.FromPort,
            ToPort = r.ToPort, CidrIpv4 = r.CidrIpv4, Description = r.Description,
        })).ToList();

    private List<string> RuleSet() => Server.Service.Snapshot().Regions["us-east-1"].Groups
        .SelectMany(g => g.Rules.Where(r => !r.Egress).Select(r => $"{g.GroupId} {r.IpProtocol} {r.FromPort} {r.CidrIpv4}{r.ReferencedGroupId} '{r.Description}'"))
        .OrderBy(x => x, StringComparer.Ordinal).ToList();

    private List<IngressRuleChange> Run(PlanKind kind, IEnumerable<OpenIngressRule> rules, string[]? replaceWith = null)
    {
        var requests = rules.Select(r => { var e = RuleInput.FromRule(r); return new ChangeRequest(e.Rule, e.Identity, true, e.Status); }).ToList();
        var options = kind == PlanKind.Revoke
            ? new PlanOptions(PlanKind.Revoke, "run-1") { Replacements = Rules.ReplacementSet.Parse(replaceWith) }
            : new PlanOptions(PlanKind.Restore, "restore-run");
        return ChangeRun.Changes(scope => Session.Ec2(scope.Region), requests, options);
    }

    /// <summary>A session of its own, as a restore run later in another process has: its pacer's buckets full.</summary>
    private IAwsSession Later()
    {
        var session = new AwsSdk.AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a", SecretKey = "b", EndpointUrl = Server.Url });
        _sessions.Add(session);
        return session;
    }

    private readonly List<IAwsSession> _sessions = new();

    public new void Dispose()
    {
        foreach (var s in _sessions) s.Dispose();
        base.Dispose();
    }

    private static List<ChangeRequest> Requests(IEnumerable<IngressRuleChange> results) => results
        .Select(r => RuleInput.Read(n => typeof(IngressRuleChange).GetProperty(n)?.GetValue(r)))
        .Select(e => new ChangeRequest(e.Rule, e.Identity, true, e.Status)).ToList();

    private List<CallRecord> MutatingCalls() => Server.Service.Calls().Where(c => Mutating.Contains(c.Action)).ToList();

    [Fact]
    public void Groups_overlap_when_answers_take_their_time_one_group_never_has_two_calls_in_flight_and_results_keep_their_order()
    {
        // 45 groups: narrowing in place (one mutating call a group) and its restore each fit in the mutating burst, so
        // that the replies, not the bucket, would set the pace if calls did not overlap.
        World(groups: 45, latencyMs: 100);
        var open = OpenRules();

        var narrowed = Run(PlanKind.Revoke, open, new[] { "203.0.113.0/24" });

        Assert.All(narrowed, r => Assert.Equal(ChangeStatus.Narrowed, r.Status));
        Assert.Equal(open.Select(r => r.GroupId), narrowed.Select(r => r.GroupId));
        var calls = Server.Service.Calls();
        Assert.DoesNotContain(calls, c => c.GroupBusy);
        // One group at a time would never have more than the planner's describe beside a change in flight.
        Assert.True(calls.Max(c => c.InFlight) > 10, $"at most {calls.Max(c => c.InFlight)} calls were in flight at once");
        Assert.True(calls.Max(c => c.InFlight) <= ChangeStream.GroupsInFlight + 1, $"{calls.Max(c => c.InFlight)} calls were in flight at once");

        // The restore runs later, in a session of its own (its buckets full again).
        Server.Service.ResetCalls();
        var later = Later();
        var back = ChangeRun.Changes(scope => later.Ec2(scope.Region), Requests(narrowed), new PlanOptions(PlanKind.Restore, "restore-run"));
        Assert.All(back, r => Assert.Equal(ChangeStatus.Restored, r.Status));
        Assert.Equal(open.Select(r => r.GroupId), back.Select(r => r.GroupId));
        Assert.DoesNotContain(Server.Service.Calls(), c => c.GroupBusy);
        Assert.True(Server.Service.Calls().Max(c => c.InFlight) > 10, $"restore: at most {Server.Service.Calls().Max(c => c.InFlight)} calls in flight at once");
        Assert.Equal(open.Select(r => $"{r.GroupId} tcp 22 0.0.0.0/0 '{r.Description}'").OrderBy(x => x, StringComparer.Ordinal),
            RuleSet().Where(x => x.Contains("0.0.0.0/0")));
    }

    [Fact]
    public void A_failed_call_of_one_group_among_overlapping_calls_leaves_the_others_changed()
    {
        World(groups: 60, latencyMs: 50);
        Server.Service.AddFault(new FaultSpec { Action = "RevokeSecurityGroupIngress", GroupId = "sg-00007", Code = "UnauthorizedOperation", Status = 403, Times = -1 });
        Server.Service.AddFault(new FaultSpec { Action = "RevokeSecurityGroupIngress", GroupId = "sg-00031", Code = "InternalError", Status = 500, Times = -1 });

        var results = Run(PlanKind.Revoke, OpenRules());

        Assert.Equal(60, results.Count);
        Assert.Equal(new[] { "sg-00007", "sg-00031" }, results.Where(r => r.Status == ChangeStatus.Failed).Select(r => r.GroupId));
        Assert.Equal(58, results.Count(r => r.Status == ChangeStatus.Revoked));
        Assert.Equal(new[] { "sg-00007", "sg-00031" }, OpenRules().Select(r => r.GroupId));
        Assert.DoesNotContain(Server.Service.Calls(), c => c.GroupBusy);
    }

    [Fact]
    public void Lost_replies_among_overlapping_calls_are_verified_as_before_and_restore_is_exact()
    {
        World(groups: 40, latencyMs: 50);
        var before = RuleSet();
        foreach (var action in new[] { "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules", "DescribeSecurityGroupRules" })
            Server.Service.AddFault(new FaultSpec { Action = action, LostReply = true, Times = -1, Probability = 0.2, Seed = 11 });

        var results = Run(PlanKind.Revoke, OpenRules(), new[] { "203.0.113.0/24" });

        Assert.All(results, r => Assert.Equal(ChangeStatus.Narrowed, r.Status));
        Assert.Contains(Server.Service.Calls(), c => c.ReplyLost && Mutating.Contains(c.Action));
        Assert.True(Server.Service.Calls().Max(c => c.InFlight) > 5);
        Assert.DoesNotContain(Server.Service.Calls(), c => c.GroupBusy);
        Assert.Empty(OpenRules());

        var later = Later();
        var back = ChangeRun.Changes(scope => later.Ec2(scope.Region), Requests(results), new PlanOptions(PlanKind.Restore, "restore-run"));
        Assert.All(back, r => Assert.Equal(ChangeStatus.Restored, r.Status));
        Assert.Equal(before, RuleSet());
    }

    [Fact]
    public void Under_ec2_shaped_buckets_with_latency_the_calls_in_flight_stay_within_the_bucket_and_none_is_throttled()
    {
        // 60 groups: the burst of 50 goes out at once, the rest at the bucket's 5 a second.
        World(groups: 60, latencyMs: 200, throttling: new ThrottleSpec());

        var results = Run(PlanKind.Revoke, OpenRules());

        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        var calls = Server.Service.Calls();
        Assert.DoesNotContain(calls, c => c.Throttled);
        var mutating = MutatingCalls();
        Assert.Equal(60, mutating.Count);
        // In flight at once: more than a reply-paced run would have, never more than the mutating bucket's burst
        // (plus the planner's describes, which draw on their own bucket).
        int most = calls.Max(c => c.InFlight);
        Assert.InRange(most, 20, 50 + 1);
        Assert.DoesNotContain(calls, c => c.GroupBusy);
    }
}
