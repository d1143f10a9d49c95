using SgNarrower.Audit;
using SgNarrower.Changes;
using SgNarrower.Concurrency;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>Planning ahead of the changes: batches of up to 200 groups, the first changes out before the input ends.</summary>
public sealed class ChangeStreamTests
{
    private readonly FakeEc2 _ec2 = new();

    private ChangeRequest Request(string group, FakeEc2.Rule r)
    {
        var rule = new OpenIngressRule { Region = "us-east-1", GroupId = group, SecurityGroupRuleId = r.Id, IpProtocol = r.Protocol, FromPort = r.From, ToPort = r.To, CidrIpv4 = r.V4, CidrIpv6 = r.V6 };
        var e = RuleInput.Check(rule);
        return new ChangeRequest(e.Rule, e.Identity, true, e.Status);
    }

    private ChangeStream Open() => new(_ => _ec2, new PlanOptions(PlanKind.Revoke, "run-1"), 4, null, CancellationToken.None);

    /// <summary>Drains the stream as the cmdlets do: every batch approved as it comes; returns the results.</summary>
    private static List<IngressRuleChange> Drain(ChangeStream stream, bool wait, List<int>? batchSizes = null)
    {
        var results = new List<IngressRuleChange>();
        foreach (var m in stream.Take(wait))
        {
            if (m.Kind == ChangeMessageKind.Plans) { batchSizes?.Add(m.Plans.Count); m.Approve(); }
            if (m.Kind == ChangeMessageKind.Outcome) results.AddRange(m.Outcome.Changes);
            if (m.Kind == ChangeMessageKind.Error) throw (Exception)m.Payload;
        }
        return results;
    }

    /// <summary>Drains without waiting, as the pipeline thread does between rules, until results come (at most 10 s).</summary>
    private static List<IngressRuleChange> DrainUntilResults(ChangeStream stream)
    {
        var results = new List<IngressRuleChange>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (results.Count == 0 && DateTime.UtcNow < deadline)
        {
            results.AddRange(Drain(stream, wait: false));
            Thread.Sleep(20);
        }
        return results;
    }

    [Fact]
    public void The_first_changes_go_out_while_later_rules_have_not_arrived_yet()
    {
        var first = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var later = _ec2.Add("sg-2", "tcp", 22, 22, "0.0.0.0/0");
        using var stream = Open();
        stream.Add(Request("sg-1", first));

        var early = DrainUntilResults(stream);
        Assert.Equal(ChangeStatus.Revoked, Assert.Single(early).Status);
        Assert.Empty(_ec2.Groups["sg-1"]);

        stream.Add(Request("sg-2", later));
        stream.Complete();
        Assert.Equal(ChangeStatus.Revoked, Assert.Single(Drain(stream, wait: true)).Status);
        Assert.Empty(_ec2.Groups["sg-2"]);
    }

    [Fact]
    public void Live_rules_are_read_for_200_groups_a_call_and_every_group_is_changed_once()
    {
        var requests = Enumerable.Range(0, 450).Select(i => Request($"sg-{i}", _ec2.Add($"sg-{i}", "tcp", 22, 22, "0.0.0.0/0"))).ToList();
        using var stream = Open();
        foreach (var r in requests) stream.Add(r);
        stream.Complete();
        var sizes = new List<int>();
        var results = Drain(stream, wait: true, sizes);

        Assert.Equal(450, results.Count);
        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        Assert.Equal(new[] { 200, 200, 50 }, sizes);
        Assert.Equal(3, _ec2.Count("DescribeSecurityGroupRules"));
        Assert.Equal(450, _ec2.Count("RevokeSecurityGroupIngress"));
        // Results come in input order within the one scope.
        Assert.Equal(requests.Select(r => r.GroupId), results.Select(r => r.GroupId));
    }

    [Fact]
    public void A_group_that_comes_back_later_is_planned_again_only_after_its_first_batch_is_done()
    {
        var a = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var b = _ec2.Add("sg-1", "tcp", 80, 80, "0.0.0.0/0");
        using var stream = Open();
        stream.Add(Request("sg-1", a));
        var first = DrainUntilResults(stream);
        stream.Add(Request("sg-1", b));
        stream.Add(Request("sg-1", a));
        stream.Complete();
        var rest = Drain(stream, wait: true);

        Assert.Equal(ChangeStatus.Revoked, Assert.Single(first).Status);
        // The second batch was planned against the group as the first left it: b revoked, a already gone.
        Assert.Equal(new[] { ChangeStatus.Revoked, ChangeStatus.AlreadyAbsent }, rest.Select(r => r.Status));
        Assert.Empty(_ec2.Groups["sg-1"]);
    }

    [Fact]
    public void A_batch_that_is_never_approved_changes_nothing()
    {
        var a = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var stream = Open();
        stream.Add(Request("sg-1", a));
        stream.Complete();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        bool planned = false;
        while (!planned && DateTime.UtcNow < deadline)
        {
            planned = stream.Take(wait: false).Any(m => m.Kind == ChangeMessageKind.Plans);
            Thread.Sleep(20);
        }
        Assert.True(planned);
        stream.Dispose();   // the record could not be written: the command stops here
        Thread.Sleep(200);
        Assert.Single(_ec2.Groups["sg-1"]);
        Assert.Equal(0, _ec2.Count("RevokeSecurityGroupIngress"));
    }
}
