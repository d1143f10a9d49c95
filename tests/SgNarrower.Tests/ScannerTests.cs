using SgNarrower.AwsApi;
using SgNarrower.AwsSdk;
using SgNarrower.Matching;
using SgNarrower.Scanning;
using SgNarrower.TestEc2;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>The scanner through the real AWS SDK, over HTTP, against the tests' EC2 endpoint.</summary>
public sealed class ScannerTests : IDisposable
{
    private readonly Ec2TestServer _server = new Ec2TestServer().Start();
    private readonly IAwsSession _session;

    public ScannerTests()
    {
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        _session = new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "AKIDTEST", SecretKey = "secret", EndpointUrl = _server.Url });
    }

    public void Dispose()
    {
        _session.Dispose();
        _server.Dispose();
    }

    public static WorldSpec World(int groups, Func<int, List<RuleSpec>> rules, string region = "us-east-1")
    {
        var spec = new RegionSpec();
        for (int i = 0; i < groups; i++)
            spec.Groups.Add(new GroupSpec
            {
                GroupId = $"sg-{i:d17}", GroupName = $"group-{i}", VpcId = i % 2 == 0 ? "vpc-even" : "vpc-odd",
                Tags = new() { ["idx"] = i.ToString() }, Rules = rules(i),
            });
        return new WorldSpec { Regions = { [region] = spec } };
    }

    private List<OpenIngressRule> Scan(OpenRulePolicy? policy = null, ScanScope? scope = null, OpenRuleScanner? scanner = null)
    {
        scanner ??= new OpenRuleScanner(new OpenRuleMatcher(policy ?? new OpenRulePolicy()));
        return scanner.ScanRegion(_session.Ec2("us-east-1"), scope ?? new ScanScope()).ToList();
    }

    private int Calls(string action) => _server.Service.Calls().Count(c => c.Action == action);

    [Fact]
    public void Every_rule_shape_comes_back_with_its_rule_id_and_tags()
    {
        _server.Service.Load(World(1, _ => new()
        {
            new() { RuleId = "sgr-tcp", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0", Description = "ssh", Tags = { ["owner"] = "ops" } },
            new() { RuleId = "sgr-tcp6", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv6 = "::/0" },
            new() { RuleId = "sgr-all", IpProtocol = "-1", CidrIpv4 = "0.0.0.0/0" },
            new() { RuleId = "sgr-esp", IpProtocol = "50", CidrIpv4 = "0.0.0.0/0" },
            new() { RuleId = "sgr-icmp", IpProtocol = "icmp", FromPort = 8, ToPort = -1, CidrIpv4 = "0.0.0.0/0" },
            new() { RuleId = "sgr-icmp6", IpProtocol = "icmpv6", FromPort = -1, ToPort = -1, CidrIpv6 = "::/0" },
            new() { RuleId = "sgr-udp", IpProtocol = "udp", FromPort = 1000, ToPort = 2000, CidrIpv4 = "0.0.0.0/0" },
            new() { RuleId = "sgr-private", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "10.0.0.0/8" },
            new() { RuleId = "sgr-ref", IpProtocol = "tcp", FromPort = 22, ToPort = 22, ReferencedGroupId = "sg-other" },
            new() { RuleId = "sgr-pl", IpProtocol = "tcp", FromPort = 22, ToPort = 22, PrefixListId = "pl-1" },
            new() { RuleId = "sgr-egress", Egress = true, IpProtocol = "-1", CidrIpv4 = "0.0.0.0/0" },
        }));
        var rules = Scan();
        Assert.Equal(new[] { "sgr-all", "sgr-esp", "sgr-icmp", "sgr-icmp6", "sgr-tcp", "sgr-tcp6", "sgr-udp" },
            rules.Select(r => r.SecurityGroupRuleId).OrderBy(x => x, StringComparer.Ordinal));
        var ssh = rules.Single(r => r.SecurityGroupRuleId == "sgr-tcp");
        Assert.Equal(("ssh", "ops", "group-0", "vpc-even", "123456789012"), (ssh.Description, ssh.Tags["owner"], ssh.GroupName, ssh.VpcId, ssh.OwnerId));
        var all = rules.Single(r => r.SecurityGroupRuleId == "sgr-all");
        Assert.Equal((-1, -1), (all.FromPort, all.ToPort));
        Assert.Equal("0", all.GroupTags["idx"]);
    }

    [Fact]
    public void Paged_scan_makes_one_describe_per_page_and_rule_lookups_only_for_open_groups()
    {
        // 23 groups, every third with an open rule; page size 5: 5 group pages.
        _server.Service.Load(World(23, i => i % 3 == 0
            ? new() { new() { IpProtocol = "tcp", FromPort = 443, ToPort = 443, CidrIpv4 = "0.0.0.0/0" }, new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "10.0.0.0/8" } }
            : new() { new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "10.0.0.0/8" } }));
        var progress = new List<int>();
        var scanner = new OpenRuleScanner(new OpenRuleMatcher(new OpenRulePolicy()), null, p => progress.Add(p.GroupsScanned));
        var rules = Scan(scanner: scanner, scope: new ScanScope { PageSize = 5 });
        Assert.Equal(8, rules.Count);
        Assert.All(rules, r => Assert.StartsWith("sgr-", r.SecurityGroupRuleId));
        Assert.Equal(5, Calls("DescribeSecurityGroups"));
        // Every page has at least one open group (0,3 | 6,9 | 12 | 15,18 | 21): one rule lookup per page.
        Assert.Equal(5, Calls("DescribeSecurityGroupRules"));
        Assert.Equal(new[] { 5, 10, 15, 20, 23 }, progress);
    }

    [Fact]
    public void Default_page_size_scans_a_thousand_groups_in_one_call()
    {
        _server.Service.Load(World(1000, i => new() { new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = i < 2 ? "0.0.0.0/0" : "10.0.0.0/8" } }));
        Assert.Equal(2, Scan().Count);
        Assert.Equal(1, Calls("DescribeSecurityGroups"));
        Assert.Equal(1, Calls("DescribeSecurityGroupRules"));
    }

    [Fact]
    public void No_open_rule_means_no_rule_lookup()
    {
        _server.Service.Load(World(10, _ => new() { new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "10.0.0.0/8" } }));
        Assert.Empty(Scan());
        Assert.Equal(0, Calls("DescribeSecurityGroupRules"));
    }

    [Fact]
    public void Scope_by_vpc_and_group_id_uses_filters_and_reports_missing_groups()
    {
        _server.Service.Load(World(6, _ => new() { new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" } }));
        Assert.Equal(3, Scan(scope: new ScanScope { VpcIds = new[] { "vpc-odd" } }).Count);
        var scanner = new OpenRuleScanner(new OpenRuleMatcher(new OpenRulePolicy()));
        var rules = Scan(scanner: scanner, scope: new ScanScope { GroupIds = new[] { "sg-00000000000000001", "sg-nope" } });
        Assert.Equal("sg-00000000000000001", Assert.Single(rules).GroupId);
        Assert.Equal(new[] { "sg-nope" }, scanner.MissingGroupIds);
        var call = _server.Service.Calls().Last(c => c.Action == "DescribeSecurityGroups");
        Assert.Equal("group-id", call.Parameters["Filter.1.Name"]);
        Assert.Equal("1000", call.Parameters["MaxResults"]);
    }

    [Fact]
    public void Rule_tag_exemption_applies_after_the_rule_lookup()
    {
        _server.Service.Load(World(1, _ => new()
        {
            new() { IpProtocol = "tcp", FromPort = 443, ToPort = 443, CidrIpv4 = "0.0.0.0/0", Tags = { ["approved"] = "yes" } },
            new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" },
        }));
        var r = Assert.Single(Scan(OpenRulePolicy.Create(excludeRuleTags: new[] { "approved=yes" })));
        Assert.Equal(22, r.FromPort);
    }

    [Theory]
    [InlineData("UnauthorizedOperation", 403, "AccessDenied", "ec2:DescribeSecurityGroups")]
    [InlineData("AuthFailure", 401, "AuthenticationFailed", "credentials")]
    public void Service_errors_become_our_errors_naming_what_to_do(string code, int status, string errorId, string mention)
    {
        _server.Service.Load(World(1, _ => new()));
        _server.Service.AddFault(new FaultSpec { Action = "DescribeSecurityGroups", Code = code, Status = status, Times = -1, Message = "no" });
        var e = Assert.Throws<AwsServiceException>(() => Scan());
        var info = AwsErrors.Explain(e, "region us-east-1");
        Assert.Equal(errorId, info.ErrorId);
        Assert.Contains(mention, info.Message);
    }

    [Fact]
    public void Throttling_is_retried_by_the_sdk_and_nothing_is_lost()
    {
        _server.Service.Load(World(3, _ => new() { new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" } }));
        _server.Service.AddFault(new FaultSpec { Action = "DescribeSecurityGroups", Code = "RequestLimitExceeded", Status = 503, Times = 2 });
        Assert.Equal(3, Scan().Count);
        Assert.Equal(3, Calls("DescribeSecurityGroups"));
    }

    [Fact]
    public void Unreachable_endpoint_is_a_connection_failure()
    {
        int port;
        using (var s = new Ec2TestServer()) port = s.Port; // a free port with nothing listening
        using var session = new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a", SecretKey = "b", EndpointUrl = $"http://127.0.0.1:{port}/" });
        var e = Assert.Throws<AwsServiceException>(() =>
            new OpenRuleScanner(new OpenRuleMatcher(new OpenRulePolicy())).ScanRegion(session.Ec2("us-east-1"), new ScanScope()).ToList());
        Assert.Equal("EndpointUnreachable", AwsErrors.Explain(e, "x").ErrorId);
    }

    [Fact]
    public void Unknown_region_and_half_credentials_are_setup_errors()
    {
        Assert.Equal("UnknownRegion", Assert.Throws<AwsSetupException>(() => _session.Ec2("mars-1")).ErrorId);
        Assert.Equal("IncompleteCredentials", Assert.Throws<AwsSetupException>(() =>
            new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a" })).ErrorId);
        Assert.Equal("ProfileNotFound", Assert.Throws<AwsSetupException>(() =>
            new AwsClientFactory().CreateSession(new AwsConnection { ProfileName = "nope", ProfileLocation = Path.GetTempFileName() })).ErrorId);
    }
}
