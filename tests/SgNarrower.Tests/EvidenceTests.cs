using System.IO.Compression;
using System.Net;
using System.Text;
using SgNarrower.AwsApi;
using SgNarrower.Evidence;
using SgNarrower.Exposure;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

public sealed class CidrCoverTests
{
    private static IPAddress A(string s) => IPAddress.Parse(s);

    [Fact]
    public void Equals_a_brute_force_search_on_many_small_cases()
    {
        var random = new Random(42);
        for (int round = 0; round < 300; round++)
        {
            int n = random.Next(1, 7);
            var addresses = Enumerable.Range(0, n).Select(_ => A($"10.{random.Next(0, 2)}.{random.Next(0, 4)}.{random.Next(0, 256)}")).Distinct().ToList();
            int k = random.Next(1, 4);
            int minPrefix = random.Next(8, 25);
            var dp = CidrCover.Cover(addresses, k, minPrefix);
            var brute = BruteForce(addresses, k, minPrefix);
            if (brute == null) { Assert.Null(dp); continue; }
            Assert.NotNull(dp);
            Assert.True(dp!.Count <= k);
            Assert.All(addresses, a => Assert.Contains(dp, c => c.Contains(Cidr.Parse(a + "/32"))));
            Assert.All(dp, c => Assert.True(c.PrefixLength >= minPrefix));
            Assert.Equal(brute.Value, CidrCover.SizeOf(dp).Lo);
        }
    }

    /// <summary>Every set of at most k blocks from the prefixes of the addresses (an optimal cover uses only those).</summary>
    private static ulong? BruteForce(List<IPAddress> addresses, int k, int minPrefix)
    {
        var candidates = addresses.SelectMany(a => Enumerable.Range(minPrefix, 33 - minPrefix).Select(len => Cidr.Parse($"{a}/{len}").ToString()))
            .Distinct().Select(Cidr.Parse).ToList();
        ulong? best = null;
        void Search(int start, List<Cidr> chosen)
        {
            if (chosen.Count > 0 && addresses.All(a => chosen.Any(c => c.Contains(Cidr.Parse(a + "/32")))))
            {
                ulong size = chosen.Aggregate(0UL, (s, c) => s + (1UL << (32 - c.PrefixLength)));
                if (best == null || size < best) best = size;
            }
            if (chosen.Count == k) return;
            for (int i = start; i < candidates.Count; i++)
            {
                chosen.Add(candidates[i]);
                Search(i + 1, chosen);
                chosen.RemoveAt(chosen.Count - 1);
            }
        }
        Search(0, new List<Cidr>());
        return best;
    }

    [Fact]
    public void Three_clients_need_three_host_blocks_and_two_networks_two_blocks()
    {
        Assert.Equal(new[] { "198.51.100.7/32", "203.0.113.5/32", "203.0.113.9/32" },
            CidrCover.Cover(new[] { A("203.0.113.5"), A("198.51.100.7"), A("203.0.113.9") }, 8, 8)!.Select(c => c.ToString()));
        var twoNets = Enumerable.Range(1, 40).Select(i => A($"203.0.113.{i}")).Concat(Enumerable.Range(1, 40).Select(i => A($"198.51.100.{100 + i}")));
        var cover = CidrCover.Cover(twoNets, 2, 8)!.Select(c => c.ToString()).ToList();
        // 198.51.100.101-140 straddles .128: with one block for it, the /24 is the least; 203.0.113.1-40 fits a /26.
        Assert.Equal(new[] { "198.51.100.0/24", "203.0.113.0/26" }, cover);
        var three = CidrCover.Cover(twoNets, 3, 8)!.Select(c => c.ToString()).ToList();
        Assert.Equal(new[] { "198.51.100.128/28", "198.51.100.96/27", "203.0.113.0/26" }, three);
    }

    [Fact]
    public void Covers_that_would_need_a_block_broader_than_the_limit_are_refused()
    {
        var world = new[] { A("1.2.3.4"), A("101.2.3.4"), A("201.2.3.4") };
        Assert.Null(CidrCover.Cover(world, 1, 8));
        Assert.Equal(3, CidrCover.Cover(world, 3, 8)!.Count);
        var v6 = CidrCover.Cover(new[] { A("2001:db8::1"), A("2001:db8::ffff") }, 1, 32)!;
        Assert.Equal("2001:db8::/112", Assert.Single(v6).ToString());
    }

    [Fact]
    public void A_hundred_thousand_sources_are_covered()
    {
        var random = new Random(7);
        var addresses = Enumerable.Range(0, 100_000).Select(_ => new IPAddress(new byte[] { 10, (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256) })).ToList();
        var cover = CidrCover.Cover(addresses, 8, 8);
        Assert.Equal("10.0.0.0/8", Assert.Single(cover!).ToString());
    }
}

public sealed class FlowLogTests
{
    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    private static readonly long T = DateTimeOffset.Parse("2026-11-20T12:00:00Z").ToUnixTimeSeconds();

    private static OpenIngressRule Rule(string group, string proto, int from, int to, string cidr) => new()
    {
        Region = "us-east-1", GroupId = group, IpProtocol = proto, FromPort = from, ToPort = to,
        CidrIpv4 = cidr.Contains(':') ? null : cidr, CidrIpv6 = cidr.Contains(':') ? cidr : null,
    };

    private static ExposureMap Interfaces() => new(new[]
    {
        new NetworkInterfaceInfo { NetworkInterfaceId = "eni-web", GroupIds = { "sg-web" }, PrivateIpAddresses = { "10.0.0.10" }, PublicIpAddresses = { "198.51.100.1" }, SubnetId = "s" },
        new NetworkInterfaceInfo { NetworkInterfaceId = "eni-both", GroupIds = { "sg-web", "sg-ssh" }, PrivateIpAddresses = { "10.0.0.20" }, SubnetId = "s" },
    }, new[] { new RouteTableInfo { RouteTableId = "r", Main = false, SubnetIds = { "s" }, Ipv4ToInternet = true } });

    private static string Line(string iface, string src, string dst, int port, int proto, string action = "ACCEPT", string status = "OK", long start = 0) =>
        $"2 123456789012 {iface} {src} {dst} 40000 {port} {proto} 10 840 {(start == 0 ? T : start)} {(start == 0 ? T : start) + 60} {action} {status}";

    private static (FlowEvidence Evidence, long Records) Read(string text, params OpenIngressRule[] rules)
    {
        var evidence = new FlowEvidence(rules.Select(r => (r, Audit.RuleInput.FromRule(r).Identity)), Interfaces(), DateTimeOffset.Parse("2026-11-01Z"), DateTimeOffset.Parse("2026-11-30Z"));
        var reader = new FlowLogReader(evidence);
        reader.Read(new MemoryStream(Encoding.ASCII.GetBytes(text)), "test.log");
        return (evidence, reader.Records);
    }

    [Fact]
    public void Counts_only_accepted_inbound_traffic_on_the_rules_protocol_port_and_family_in_the_window()
    {
        var ssh = Rule("sg-ssh", "tcp", 22, 22, "0.0.0.0/0");
        var text = string.Join("\n", Header,
            Line("eni-both", "203.0.113.5", "10.0.0.20", 22, 6),                 // counts
            Line("eni-both", "203.0.113.5", "10.0.0.20", 22, 6),                 // counts again (a second flow)
            Line("eni-both", "198.51.100.7", "10.0.0.20", 22, 6),                // counts
            Line("eni-both", "203.0.113.6", "10.0.0.20", 23, 6),                 // another port
            Line("eni-both", "203.0.113.7", "10.0.0.20", 22, 17),                // another protocol
            Line("eni-both", "203.0.113.8", "10.0.0.20", 22, 6, "REJECT"),       // rejected
            Line("eni-both", "10.0.0.20", "203.0.113.9", 22, 6),                 // egress: not to the interface
            Line("eni-both", "203.0.113.10", "10.0.0.20", 22, 6, start: T - 90 * 86400), // before the window
            Line("eni-both", "203.0.113.11", "10.0.0.20", 22, 6, status: "SKIPDATA"),
            Line("eni-other", "203.0.113.12", "10.9.0.1", 22, 6),                // not an interface of the group
            "");
        var (evidence, records) = Read(text, ssh);
        Assert.Equal(10, records);
        var result = Assert.Single(evidence.Results(Interfaces(), 8));
        Assert.Equal(new[] { "203.0.113.5", "198.51.100.7" }, result.ObservedSources!.Select(s => s.Address));
        Assert.Equal(2, result.ObservedSources![0].Flows);
        Assert.Equal(3, result.FlowRecordCount);
        Assert.Equal(Recommendation.Narrow, result.Recommendation);
        Assert.Equal(new[] { "198.51.100.7/32", "203.0.113.5/32" }, result.ReplaceWith);
    }

    [Fact]
    public void Every_distinct_source_is_listed_most_flows_first_so_the_cover_can_be_checked()
    {
        var ssh = Rule("sg-ssh", "tcp", 22, 22, "0.0.0.0/0");
        var lines = new List<string> { Header };
        for (int i = 0; i < 190; i++) lines.Add(Line("eni-both", $"203.0.{113 + i / 100}.{i % 100 + 1}", "10.0.0.20", 22, 6));
        lines.Add(Line("eni-both", "203.0.113.50", "10.0.0.20", 22, 6));
        var result = Assert.Single(Read(string.Join("\n", lines), ssh).Evidence.Results(Interfaces(), 2));
        Assert.Equal(190, result.ObservedSourceCount);
        Assert.Equal(190, result.ObservedSources!.Count);
        Assert.Equal(0, result.ObservedSourcesLeftOut);
        Assert.Equal(("203.0.113.50", 2L), (result.ObservedSources[0].Address, result.ObservedSources[0].Flows));
        // The cover the rule is narrowed to holds every listed source.
        var cover = result.ReplaceWith!.Select(Cidr.Parse).ToList();
        Assert.All(result.ObservedSources, o => Assert.Contains(cover, c => c.Contains(Cidr.Parse(o.Address + "/32"))));

        var record = Encoding.UTF8.GetString(Audit.AuditRecordFormat.Write(new[] { Audit.RuleInput.FromRule(result) },
            new Audit.AuditRunInfo("r", DateTime.UtcNow, "t"), Audit.AuditFormat.JsonLines));
        Assert.Equal(190, System.Text.RegularExpressions.Regex.Matches(record, "\"Address\"").Count);
        Assert.DoesNotContain("ObservedSourcesLeftOut", record);
    }

    [Fact]
    public void Past_ten_thousand_sources_the_rule_and_its_record_say_how_many_were_left_out()
    {
        var ssh = Rule("sg-ssh", "tcp", 22, 22, "0.0.0.0/0");
        var lines = new List<string> { Header };
        for (int i = 0; i < FlowEvidence.MaxObservedSources + 50; i++) lines.Add(Line("eni-both", $"10.{i / 65536}.{i / 256 % 256}.{i % 256}", "10.0.0.20", 22, 6));
        var result = Assert.Single(Read(string.Join("\n", lines), ssh).Evidence.Results(Interfaces(), 8));
        Assert.Equal(FlowEvidence.MaxObservedSources + 50, result.ObservedSourceCount);
        Assert.Equal(FlowEvidence.MaxObservedSources, result.ObservedSources!.Count);
        Assert.Equal(50, result.ObservedSourcesLeftOut);
        var record = Encoding.UTF8.GetString(Audit.AuditRecordFormat.Write(new[] { Audit.RuleInput.FromRule(result) },
            new Audit.AuditRunInfo("r", DateTime.UtcNow, "t"), Audit.AuditFormat.JsonLines));
        Assert.Contains("\"ObservedSourcesLeftOut\":50", record);
    }

    [Fact]
    public void An_interface_with_two_groups_counts_for_each_rule_that_admits_the_traffic()
    {
        var web = Rule("sg-web", "tcp", 80, 80, "0.0.0.0/0");
        var all = Rule("sg-ssh", "-1", -1, -1, "0.0.0.0/0");
        var (evidence, _) = Read(string.Join("\n", Header, Line("eni-both", "203.0.113.5", "10.0.0.20", 80, 6)), web, all);
        Assert.All(evidence.Results(Interfaces(), 8), r => Assert.Equal(1, r.FlowRecordCount));
    }

    [Fact]
    public void Custom_formats_in_any_order_with_flow_direction_are_read()
    {
        var ssh = Rule("sg-ssh", "tcp", 22, 22, "0.0.0.0/0");
        var text = "interface-id flow-direction pkt-srcaddr srcaddr dstaddr dstport protocol action start\n" +
                   $"eni-both ingress 192.0.2.1 203.0.113.5 10.0.0.99 22 6 ACCEPT {T}\n" +
                   $"eni-both egress - 203.0.113.6 10.0.0.20 22 6 ACCEPT {T}\n";
        var (evidence, _) = Read(text, ssh);
        Assert.Equal("203.0.113.5", Assert.Single(Assert.Single(evidence.Results(Interfaces(), 8)).ObservedSources!).Address);
    }

    [Fact]
    public void No_traffic_is_revoke_and_traffic_from_everywhere_is_keep()
    {
        var ssh = Rule("sg-ssh", "tcp", 22, 22, "0.0.0.0/0");
        var web = Rule("sg-web", "tcp", 443, 443, "0.0.0.0/0");
        var lines = new List<string> { Header };
        for (int i = 0; i < 20; i++) lines.Add(Line("eni-web", $"{i * 12 + 1}.2.3.4", "10.0.0.10", 443, 6));
        var (evidence, _) = Read(string.Join("\n", lines), ssh, web);
        var results = evidence.Results(Interfaces(), 8).ToList();
        Assert.Equal(Recommendation.Revoke, results.Single(r => r.GroupId == "sg-ssh").Recommendation);
        var keep = results.Single(r => r.GroupId == "sg-web");
        Assert.Equal(Recommendation.Keep, keep.Recommendation);
        Assert.Contains("serves the internet", keep.RecommendationReason);
    }

    [Theory]
    [InlineData("version interface-id srcaddr dstaddr dstport protocol action bogus-field\n", "not VPC flow log fields: bogus-field")]
    [InlineData("version interface-id srcaddr dstport protocol action\n", "no 'dstaddr' field")]
    [InlineData("PAR1\u0000\u0000", "Parquet")]
    public void Unreadable_formats_are_refused_naming_the_file(string text, string message)
    {
        var e = Assert.Throws<FlowLogFormatException>(() => Read(text, Rule("sg-ssh", "tcp", 22, 22, "0.0.0.0/0")));
        Assert.Contains("test.log", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_truncated_gzip_file_fails_after_the_records_before_the_cut()
    {
        var text = Header + "\n" + string.Join("\n", Enumerable.Range(0, 5000).Select(i => Line("eni-both", $"203.0.{i % 200}.{i % 250}", "10.0.0.20", 22, 6))) + "\n";
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true)) z.Write(Encoding.ASCII.GetBytes(text));
        var cut = gz.ToArray().Take((int)(gz.Length / 2)).ToArray();
        var file = Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".log.gz");
        File.WriteAllBytes(file, cut);
        try
        {
            var ssh = Rule("sg-ssh", "tcp", 22, 22, "0.0.0.0/0");
            var evidence = new FlowEvidence(new[] { (ssh, Audit.RuleInput.FromRule(ssh).Identity) }, Interfaces(), DateTimeOffset.Parse("2026-11-01Z"), DateTimeOffset.Parse("2026-11-30Z"));
            var reader = new FlowLogReader(evidence);
            var source = Assert.Single(FlowLogSources.Local(new[] { file }));
            Assert.ThrowsAny<Exception>(() => { using var s = source.Open(); reader.Read(s, source.Name); });
            Assert.InRange(reader.Records, 1, 4999);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void S3_day_prefixes_follow_the_layout_aws_delivers_in()
    {
        var days = FlowLogSources.DayPrefixes("vpc", "111111111111", "eu-west-1", DateTimeOffset.Parse("2026-11-29T23:00Z"), DateTimeOffset.Parse("2026-12-01T01:00Z")).ToList();
        Assert.Equal(new[]
        {
            "vpc/AWSLogs/111111111111/vpcflowlogs/eu-west-1/2026/11/29/",
            "vpc/AWSLogs/111111111111/vpcflowlogs/eu-west-1/2026/11/30/",
            "vpc/AWSLogs/111111111111/vpcflowlogs/eu-west-1/2026/12/01/",
        }, days);
        var hive = FlowLogSources.DayPrefixes(null, "111111111111", "eu-west-1", DateTimeOffset.Parse("2026-11-30T10:00Z"), DateTimeOffset.Parse("2026-12-01T01:00Z"), hive: true).ToList();
        Assert.Equal(new[]
        {
            "AWSLogs/aws-account-id=111111111111/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=11/day=30/",
            "AWSLogs/aws-account-id=111111111111/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=12/day=01/",
        }, hive);
    }
}
