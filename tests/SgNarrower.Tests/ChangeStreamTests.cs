using SgNarrower.Audit;
using SgNarrower.Changes;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>Planning ahead of the changes: batches of up to 200 groups, the first changes out before the input ends.</summary>
public sealed class ChangeStreamTests
{
    private readonly FakeEc2 _ec2 = new();

    private ChangeRequest Request(string group, FakeEc2.Rule r)
    {
        var rule = new OpenIngressRule { Region = "us-east-1", GroupId = group, SecurityGroupRuleId = r.Id, IpProtocol = r.Protocol, FromPort = r.From, ToPort = r.To, CidrIpv4 = r.V4, CidrIpv6 = r.V6 };
        var e = RuleInput.FromRule(rule);
        return new ChangeRequest(e.Rule, e.Identity, true, e.Status);
    }

    private ChangeStream Open() => new(_ => _ec2, new PlanOptions(PlanKind.Revoke, "run-1"), 4, null, CancellationToken.None);

    /// <summary>Drains the stream through the cmdlets' own loop: every rule confirmed, every batch recorded; returns the results.</summary>
    private static List<IngressRuleChange> Drain(ChangeStream stream, bool wait, List<int>? batchSizes = null)
    {
        var results = new List<IngressRuleChange>();
        stream.Drain(wait, new ChangeHandlers
        {
            Record = items => { batchSizes?.Add(items.Count); return null; },
            Result = outcome => results.AddRange(outcome.Changes),
        });
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
        // Known together, as a record's rules are: the batches are full whatever the threads' timing.
        stream.AddRange(requests);
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
            planned = stream.Take(wait: false).Any(m => m.Kind == Concurrency.WorkerMessageKind.Result && m.Result.Kind == ChangeReportKind.Plans);
            Thread.Sleep(20);
        }
        Assert.True(planned);
        stream.Dispose();   // the record could not be written: the command stops here
        Thread.Sleep(200);
        Assert.Single(_ec2.Groups["sg-1"]);
        Assert.Equal(0, _ec2.Count("RevokeSecurityGroupIngress"));
    }

    [Fact]
    public void Each_batch_is_confirmed_then_recorded_before_any_of_its_changes_go_out()
    {
        var rules = Enumerable.Range(0, 3).Select(i => Request($"sg-{i}", _ec2.Add($"sg-{i}", "tcp", 22, 22, "0.0.0.0/0"))).ToList();
        using var stream = Open();
        foreach (var r in rules) stream.Add(r);
        stream.Complete();
        var order = new List<string>();
        var results = new List<IngressRuleChange>();
        stream.Drain(wait: true, new ChangeHandlers
        {
            Confirm = item => { order.Add("confirm " + item.Request.GroupId); return null; },
            Record = items =>
            {
                // Nothing of the batch has changed while it is being recorded.
                Assert.Equal(0, _ec2.Count("RevokeSecurityGroupIngress"));
                Assert.All(items, i => Assert.Single(_ec2.Groups[i.Request.GroupId]));
                order.Add("record " + items.Count);
                return "journal.jsonl";
            },
            Result = o => { order.Add("changed " + o.Changes.Single().GroupId); results.AddRange(o.Changes); },
        });
        Assert.Equal(new[] { "confirm sg-0", "confirm sg-1", "confirm sg-2", "record 3", "changed sg-0", "changed sg-1", "changed sg-2" }, order);
        Assert.All(results, r => Assert.Equal(ChangeStatus.Revoked, r.Status));
        // Each result names the record its rule was written to before it changed.
        Assert.All(results, r => Assert.Equal("journal.jsonl", r.AuditUri));
    }

    [Fact]
    public void Only_changes_no_record_holds_as_they_are_now_are_handed_to_be_recorded()
    {
        var recorded = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var unrecorded = _ec2.Add("sg-2", "tcp", 22, 22, "0.0.0.0/0");
        using var stream = Open();
        var fromRecord = Request("sg-1", recorded);
        stream.Add(fromRecord with { Rule = fromRecord.Rule with { AuditUri = "s3://audit/run.jsonl" } });
        stream.Add(Request("sg-2", unrecorded));
        stream.Complete();
        var handed = new List<string>();
        var results = new List<IngressRuleChange>();
        stream.Drain(wait: true, new ChangeHandlers
        {
            Record = items => { handed.AddRange(items.Select(i => i.Request.GroupId)); return "journal.jsonl"; },
            Result = o => results.AddRange(o.Changes),
        });
        Assert.Equal(new[] { "sg-2" }, handed);
        Assert.Equal("s3://audit/run.jsonl", results.Single(r => r.GroupId == "sg-1").AuditUri);
        Assert.Equal("journal.jsonl", results.Single(r => r.GroupId == "sg-2").AuditUri);
    }

    [Fact]
    public void A_batch_whose_record_cannot_be_written_changes_nothing()
    {
        var a = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var stream = Open();
        stream.Add(Request("sg-1", a));
        stream.Complete();
        var e = Assert.Throws<IOException>(() => stream.Drain(wait: true, new ChangeHandlers { Record = _ => throw new IOException("disk full") }));
        stream.Dispose();   // the command stops: its stream goes with it
        Thread.Sleep(200);
        Assert.Equal("disk full", e.Message);
        Assert.Single(_ec2.Groups["sg-1"]);
        Assert.Equal(0, _ec2.Count("RevokeSecurityGroupIngress"));
    }

    [Fact]
    public void A_change_not_confirmed_is_skipped_with_the_reason_and_made_by_no_call()
    {
        var keep = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var drop = _ec2.Add("sg-2", "tcp", 22, 22, "0.0.0.0/0");
        using var stream = Open();
        stream.Add(Request("sg-1", keep));
        stream.Add(Request("sg-2", drop));
        stream.Complete();
        var results = new List<IngressRuleChange>();
        stream.Drain(wait: true, new ChangeHandlers
        {
            Confirm = item => item.Request.GroupId == "sg-1" ? "Declined at the prompt." : null,
            Result = o => results.AddRange(o.Changes),
        });
        var skipped = results.Single(r => r.GroupId == "sg-1");
        Assert.Equal((ChangeStatus.Skipped, "Declined at the prompt."), (skipped.Status, skipped.Error));
        Assert.Single(_ec2.Groups["sg-1"]);
        Assert.Equal(ChangeStatus.Revoked, results.Single(r => r.GroupId == "sg-2").Status);
        Assert.Equal(1, _ec2.Count("RevokeSecurityGroupIngress"));
    }
}
