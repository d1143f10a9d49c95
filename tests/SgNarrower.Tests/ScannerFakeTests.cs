using SgNarrower.Matching;
using SgNarrower.Scanning;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>The scanner over the in-memory EC2: which rules are open, with their ids, in few calls; HTTP is for what the SDK does.</summary>
public sealed class ScannerFakeTests
{
    private readonly FakeEc2 _ec2 = new();

    private List<OpenIngressRule> Scan(OpenRulePolicy? policy = null) =>
        new OpenRuleScanner(new OpenRuleMatcher(policy ?? new OpenRulePolicy())).ScanRegion(_ec2, new ScanScope()).ToList();

    [Fact]
    public void Rules_open_to_the_world_come_back_with_their_ids_and_nothing_else_does()
    {
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0", "ssh", tags: new() { ["owner"] = "ops" });
        var all6 = _ec2.Add("sg-1", "-1", -1, -1, "::/0");
        _ec2.Add("sg-1", "tcp", 443, 443, "10.0.0.0/8", "private");
        _ec2.Add("sg-2", "tcp", 22, 22, "sg-1");
        var ping = _ec2.Add("sg-2", "icmp", 8, -1, "0.0.0.0/0", "ping");

        var open = Scan();

        Assert.Equal(new[] { ssh.Id, all6.Id, ping.Id }.OrderBy(x => x), open.Select(r => r.SecurityGroupRuleId!).OrderBy(x => x));
        var s = open.Single(r => r.SecurityGroupRuleId == ssh.Id);
        Assert.Equal(("us-east-1", "111122223333", "sg-1", "tcp 22 0.0.0.0/0", "ssh"), (s.Region, s.OwnerId, s.GroupId, s.Rule, s.Description));
        Assert.Equal("ops", s.Tags["owner"]);
        Assert.Equal("all ::/0", open.Single(r => r.SecurityGroupRuleId == all6.Id).Rule);
        Assert.Equal(1, _ec2.Count("DescribeSecurityGroups"));
    }

    [Fact]
    public void A_port_policy_keeps_only_the_rules_on_its_ports_and_all_traffic()
    {
        _ec2.Add("sg-1", "tcp", 443, 443, "0.0.0.0/0");
        var ssh = _ec2.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        var all = _ec2.Add("sg-2", "-1", -1, -1, "0.0.0.0/0");

        var open = Scan(OpenRulePolicy.Create(PortPolicy.HighRiskPorts));

        Assert.Equal(new[] { ssh.Id, all.Id }.OrderBy(x => x), open.Select(r => r.SecurityGroupRuleId!).OrderBy(x => x));
    }
}
