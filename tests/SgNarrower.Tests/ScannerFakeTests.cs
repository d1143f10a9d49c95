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
        var rules = scanner.ScanExport(Offline.SecurityGroupStream.Read(new StringReader(export)), "us-east-1", null, null, read.Add).ToList();
        Assert.Equal(new[] { "sg-1 tcp 22 0.0.0.0/0 ssh", "sg-2 all ::/0 " }, rules.Select(r => $"{r.GroupId} {r.Rule} {r.Description}"));
        Assert.All(rules, r => Assert.Equal(("us-east-1", "111122223333"), (r.Region, r.OwnerId)));
        Assert.Equal(new[] { 1, 2 }, read);

        // With a network export that carries neither group, both are unattached: asking for public ones finds none.
        var none = new Exposure.ExposureMap(Exposure.NetworkJsonReader.ReadInterfaces("{\"NetworkInterfaces\":[]}"), Exposure.NetworkJsonReader.ReadRouteTables("{\"RouteTables\":[]}"));
        Assert.Empty(scanner.ScanExport(Offline.SecurityGroupStream.Read(new StringReader(export)), "us-east-1", none, new[] { ExposureLevel.Public }));
        Assert.All(scanner.ScanExport(Offline.SecurityGroupStream.Read(new StringReader(export)), "us-east-1", none, null), r => Assert.Equal(ExposureLevel.Unattached, r.Exposure));
    }
}
