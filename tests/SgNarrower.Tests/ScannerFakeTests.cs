using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Matching;
using SgNarrower.Scanning;
using Xunit;
using static SgNarrower.Tests.JsonBytes;

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

public sealed class ExportScanTests
{
    [Fact]
    public void A_saved_export_is_scanned_as_a_live_scan_matches_it_exposure_filtered_where_asked()
    {
        const string export = """
            {"SecurityGroups":[
              {"GroupId":"sg-1","OwnerId":"111122223333","VpcId":"vpc-1","IpPermissions":[
                {"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"ssh"}]},
                {"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"10.0.0.0/8"}]}]},
              {"GroupId":"sg-2","OwnerId":"111122223333","VpcId":"vpc-1","IpPermissions":[
                {"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]}]}
            """;
        var scanner = new OpenRuleScanner(new OpenRuleMatcher(new OpenRulePolicy()));
        var read = new List<int>();
        var rules = scanner.ScanExport(Offline.SecurityGroupStream.Read(Utf8(export)), "us-east-1", null, null, read.Add).ToList();
        Assert.Equal(new[] { "sg-1 tcp 22 0.0.0.0/0 ssh", "sg-2 all ::/0 " }, rules.Select(r => $"{r.GroupId} {r.Rule} {r.Description}"));
        Assert.All(rules, r => Assert.Equal(("us-east-1", "111122223333"), (r.Region, r.OwnerId)));
        Assert.Equal(new[] { 1, 2 }, read);

        // With a network export that carries neither group, both are unattached: asking for public ones finds none.
        var none = new Exposure.ExposureMap(Exposure.NetworkJsonReader.ReadInterfaces("{\"NetworkInterfaces\":[]}"), Exposure.NetworkJsonReader.ReadRouteTables("{\"RouteTables\":[]}"));
        Assert.Empty(scanner.ScanExport(Offline.SecurityGroupStream.Read(Utf8(export)), "us-east-1", none, new[] { ExposureLevel.Public }));
        Assert.All(scanner.ScanExport(Offline.SecurityGroupStream.Read(Utf8(export)), "us-east-1", none, null), r => Assert.Equal(ExposureLevel.Unattached, r.Exposure));
    }
}

/// <summary>The live scan of an estate, scope by scope, over in-memory EC2s: the work Get-OpenIngressRule hands its workers.</summary>
public sealed class EstateScanTests
{
    private sealed class Sink<T> : IWorkerSink<T>
    {
        public List<T> Written { get; } = new();
        public List<string> Progressed { get; } = new();
        public List<Exception> Errors { get; } = new();
        public void Result(T item) => Written.Add(item);
        public void Progress(WorkProgress progress) => Progressed.Add(progress.Text);
        public void Verbose(string text) { }
        public void Warning(string text) { }
        public void Failure(Exception error) => Errors.Add(error);
    }

    /// <summary>One caller's account: an in-memory EC2 per region.</summary>
    private sealed class Session(Dictionary<string, FakeEc2> regions) : IAwsSession
    {
        public string? DefaultRegion => "us-east-1";
        public IEc2Api Ec2(string region) => regions[region];
        public IS3Api S3(string region) => throw new NotSupportedException();
        public IKmsApi Kms(string region) => throw new NotSupportedException();
        public string AccountId(string region) => "111122223333";
        public IAwsSession AssumeRole(RoleRequest role, string region) => throw new NotSupportedException();
        public void Dispose() { }
    }

    private static EstateScan Estate(Dictionary<string, FakeEc2> regions, params string[] patterns) =>
        new(new AccountSessions(new Session(regions), null, null, "run-1", "us-east-1"), patterns, "us-east-1", new OpenRuleMatcher(new OpenRulePolicy()),
            new ScanScope { GroupIds = new[] { "sg-1", "sg-gone" } });

    [Fact]
    public void An_account_s_regions_are_those_its_describe_regions_names_that_the_patterns_match()
    {
        var home = new FakeEc2("us-east-1");
        home.Regions.Clear();
        home.Regions.AddRange(new[] { "us-east-1", "us-west-2", "eu-west-1" });
        var sink = new Sink<Scope>();
        var estate = Estate(new() { ["us-east-1"] = home }, "us-*");

        estate.Regions(Assert.Single(estate.Accounts(null)), sink);

        Assert.Equal(new[] { "us-east-1", "us-west-2" }, sink.Written.Select(s => s.Region).OrderBy(r => r));
        Assert.Equal(1, home.Count("DescribeRegions"));
    }

    [Fact]
    public void A_scope_writes_its_open_rules_its_pages_and_an_error_for_each_group_not_found()
    {
        var west = new FakeEc2("us-west-2");
        var ssh = west.Add("sg-1", "tcp", 22, 22, "0.0.0.0/0");
        west.Add("sg-1", "tcp", 443, 443, "10.0.0.0/8");
        var sink = new Sink<OpenIngressRule>();

        Estate(new() { ["us-west-2"] = west }, "us-west-2").Scan(new Scope(null, "us-west-2"), sink);

        // Progress goes its own way: only rules are results.
        var rule = Assert.Single(sink.Written);
        Assert.Equal((ssh.Id, "us-west-2"), (rule.SecurityGroupRuleId, rule.Region));
        Assert.Equal(new ScopePage(new Scope(null, "us-west-2"), 1, 1, 1).ToString(), sink.Progressed.Last());
        var missing = Assert.IsType<ScopeFailure>(Assert.Single(sink.Errors));
        Assert.Equal(("SecurityGroupNotFound", "sg-gone"), (missing.ErrorId, missing.Target));
    }
}
