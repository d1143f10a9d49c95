using SgNarrower.Aws;
using SgNarrower.AwsSdk;
using SgNarrower.Changes;
using SgNarrower.TestEc2;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>GroupChanges through the real SDK against the stateful EC2 endpoint.</summary>
public sealed class GroupChangesTests : IDisposable
{
    private readonly Ec2TestServer _server = new Ec2TestServer().Start();
    private readonly IAwsSession _session;
    private readonly IEc2Api _api;

    public GroupChangesTests()
    {
        _session = new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a", SecretKey = "b", EndpointUrl = _server.Url });
        _api = _session.Ec2("us-east-1");
    }

    public void Dispose()
    {
        _session.Dispose();
        _server.Dispose();
    }

    private void World(params RuleSpec[] rules) => _server.Service.Load(new WorldSpec
    {
        Regions = { ["us-east-1"] = new RegionSpec { Groups = { new GroupSpec { GroupId = "sg-1", VpcId = "vpc-1", Rules = rules.ToList() } } } },
    });

    private List<RuleSpec> Rules() => _server.Service.Snapshot().Regions["us-east-1"].Groups.Single().Rules;
    private int Calls(string action) => _server.Service.Calls().Count(c => c.Action == action);

    private static OpenIngressRule Rule(string id, string proto, int from, int to, string cidr) => new()
    {
        GroupId = "sg-1", SecurityGroupRuleId = id, IpProtocol = proto, FromPort = from, ToPort = to,
        CidrIpv4 = cidr.Contains(':') ? null : cidr, CidrIpv6 = cidr.Contains(':') ? cidr : null,
    };

    [Fact]
    public void Revokes_all_rules_of_a_group_in_one_call_by_id()
    {
        World(new RuleSpec { RuleId = "sgr-a", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" },
              new RuleSpec { RuleId = "sgr-b", IpProtocol = "-1", CidrIpv6 = "::/0" },
              new RuleSpec { RuleId = "sgr-keep", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "10.0.0.0/8" });
        var outcome = new GroupChanges(_api).Revoke("sg-1", new[] { Rule("sgr-a", "tcp", 22, 22, "0.0.0.0/0"), Rule("sgr-b", "-1", -1, -1, "::/0") }, Array.Empty<string>(), "run");
        Assert.All(outcome.Changes, c => Assert.Equal(ChangeStatus.Revoked, c.Status));
        Assert.Null(outcome.Failure);
        Assert.Equal(1, Calls("RevokeSecurityGroupIngress"));
        Assert.Equal("sgr-keep", Assert.Single(Rules()).RuleId);
    }

    [Fact]
    public void A_missing_rule_costs_one_describe_and_one_more_revoke_not_a_failure()
    {
        World(new RuleSpec { RuleId = "sgr-a", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" });
        var outcome = new GroupChanges(_api).Revoke("sg-1", new[] { Rule("sgr-a", "tcp", 22, 22, "0.0.0.0/0"), Rule("sgr-gone", "tcp", 80, 80, "0.0.0.0/0") }, Array.Empty<string>(), "run");
        Assert.Equal(new[] { ChangeStatus.Revoked, ChangeStatus.AlreadyAbsent }, outcome.Changes.Select(c => c.Status));
        Assert.Equal(2, Calls("RevokeSecurityGroupIngress"));
        Assert.Equal(1, Calls("DescribeSecurityGroupRules"));
        Assert.Empty(Rules());
    }

    [Fact]
    public void Rules_without_ids_are_revoked_by_permission()
    {
        World(new RuleSpec { IpProtocol = "udp", FromPort = 500, ToPort = 500, CidrIpv4 = "0.0.0.0/0" });
        var outcome = new GroupChanges(_api).Revoke("sg-1", new[] { Rule(null!, "udp", 500, 500, "0.0.0.0/0") }, Array.Empty<string>(), "run");
        Assert.Equal(ChangeStatus.Revoked, Assert.Single(outcome.Changes).Status);
        Assert.Equal("IpPermissions.1.IpProtocol", _server.Service.Calls().Single(c => c.Action == "RevokeSecurityGroupIngress").Parameters.Keys.Single(k => k.EndsWith("IpProtocol")));
        Assert.Empty(Rules());
    }

    [Fact]
    public void Narrowing_grants_before_revoking_and_keeps_the_open_rule_when_the_grant_fails()
    {
        World(new RuleSpec { RuleId = "sgr-a", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" });
        _server.Service.AddFault(new FaultSpec { Action = "AuthorizeSecurityGroupIngress", Code = "RulesPerSecurityGroupLimitExceeded", Status = 400 });
        var failed = new GroupChanges(_api).Revoke("sg-1", new[] { Rule("sgr-a", "tcp", 22, 22, "0.0.0.0/0") }, new[] { "203.0.113.0/24" }, "run");
        Assert.Equal(ChangeStatus.Failed, Assert.Single(failed.Changes).Status);
        Assert.Contains("left in place", failed.Failure!.Message);
        Assert.Equal(0, Calls("RevokeSecurityGroupIngress"));
        Assert.Equal("0.0.0.0/0", Assert.Single(Rules()).CidrIpv4);

        var ok = new GroupChanges(_api).Revoke("sg-1", new[] { Rule("sgr-a", "tcp", 22, 22, "0.0.0.0/0") }, new[] { "203.0.113.0/24", "sg-office" }, "run-2");
        var change = Assert.Single(ok.Changes);
        Assert.Equal(ChangeStatus.Narrowed, change.Status);
        Assert.Equal(2, change.NewRuleIds.Count);
        var rules = Rules();
        Assert.Equal(2, rules.Count);
        Assert.All(rules, r => Assert.Equal(("tcp", 22, 22, "run-2"), (r.IpProtocol, r.FromPort, r.ToPort, r.Tags[GroupChanges.ReplacementTag])));
    }

    [Fact]
    public void Restore_grants_in_one_call_reports_present_ones_and_removes_replacements()
    {
        World(new RuleSpec { RuleId = "sgr-r", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "203.0.113.0/24", Tags = { [GroupChanges.ReplacementTag] = "x" } },
              new RuleSpec { RuleId = "sgr-p", IpProtocol = "tcp", FromPort = 443, ToPort = 443, CidrIpv4 = "0.0.0.0/0" });
        var rules = new[]
        {
            new OpenIngressRule { GroupId = "sg-1", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0", Description = "ssh" },
            new OpenIngressRule { GroupId = "sg-1", IpProtocol = "-1", CidrIpv6 = "::/0" },
            new OpenIngressRule { GroupId = "sg-1", IpProtocol = "tcp", FromPort = 443, ToPort = 443, CidrIpv4 = "0.0.0.0/0" },
        };
        var outcome = new GroupChanges(_api).Restore("sg-1", rules, keepReplacements: false, "run");
        Assert.Equal(new[] { ChangeStatus.Restored, ChangeStatus.Restored, ChangeStatus.AlreadyPresent }, outcome.Changes.Select(c => c.Status));
        Assert.Equal(1, Calls("AuthorizeSecurityGroupIngress"));
        var now = Rules();
        Assert.DoesNotContain(now, r => r.RuleId == "sgr-r");
        Assert.Contains(now, r => r.CidrIpv4 == "0.0.0.0/0" && r.FromPort == 22 && r.Description == "ssh");
        Assert.Contains(now, r => r.CidrIpv6 == "::/0" && r.IpProtocol == "-1");
    }
}
