using SgNarrower.AwsApi;
using SgNarrower.Matching;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

public class MatcherTests
{
    private static SecurityGroupSnapshot Group(params IpPermissionSnapshot[] perms) => new()
    {
        GroupId = "sg-1", GroupName = "g", OwnerId = "111122223333", VpcId = "vpc-1", IpPermissions = perms.ToList(),
    };

    private static IpPermissionSnapshot Perm(string proto, int? from, int? to, string[]? v4 = null, string[]? v6 = null) => new()
    {
        IpProtocol = proto, FromPort = from, ToPort = to,
        Ipv4Ranges = (v4 ?? Array.Empty<string>()).Select(c => new CidrSource(c, "d-" + c)).ToList(),
        Ipv6Ranges = (v6 ?? Array.Empty<string>()).Select(c => new CidrSource(c)).ToList(),
    };

    private static List<OpenIngressRule> Match(SecurityGroupSnapshot g, OpenRulePolicy? policy = null) =>
        new OpenRuleMatcher(policy ?? new OpenRulePolicy()).Match(g, "us-east-1").ToList();

    [Theory]
    [InlineData("tcp", 22, 22)]
    [InlineData("udp", 53, 53)]
    [InlineData("icmp", 8, -1)]
    [InlineData("icmpv6", -1, -1)]
    [InlineData("6", 443, 443)]
    public void World_IPv4_rule_of_every_ported_protocol_is_open(string proto, int from, int to)
    {
        var rules = Match(Group(Perm(proto, from, to, new[] { "0.0.0.0/0" })));
        var r = Assert.Single(rules);
        Assert.Equal(proto, r.IpProtocol);
        Assert.Equal(from, r.FromPort);
        Assert.Equal(to, r.ToPort);
        Assert.Equal("0.0.0.0/0", r.CidrIpv4);
        Assert.Null(r.CidrIpv6);
        Assert.Equal("d-0.0.0.0/0", r.Description);
        Assert.Equal("us-east-1", r.Region);
        Assert.Equal("vpc-1", r.VpcId);
        Assert.Equal("111122223333", r.OwnerId);
    }

    [Fact]
    public void All_traffic_without_ports_is_reported_with_minus_one_ports()
    {
        var r = Assert.Single(Match(Group(Perm("-1", null, null, new[] { "0.0.0.0/0" }))));
        Assert.Equal("-1", r.IpProtocol);
        Assert.Equal(-1, r.FromPort);
        Assert.Equal(-1, r.ToPort);
        Assert.Equal("all", r.Ports);
    }

    [Fact]
    public void Protocol_number_without_ports_is_reported_and_ports_are_minus_one_even_if_the_export_says_zero()
    {
        // Get-EC2SecurityGroup (SDK v3) writes 0 for absent ports.
        var r = Assert.Single(Match(Group(Perm("50", 0, 0, new[] { "0.0.0.0/0" }))));
        Assert.Equal("50", r.IpProtocol);
        Assert.Equal((-1, -1), (r.FromPort, r.ToPort));
    }

    [Fact]
    public void IPv6_world_is_open_and_reported_as_CidrIpv6()
    {
        var r = Assert.Single(Match(Group(Perm("tcp", 22, 22, v6: new[] { "::/0" }))));
        Assert.Equal("::/0", r.CidrIpv6);
        Assert.Null(r.CidrIpv4);
        Assert.Equal("::/0", r.Cidr);
    }

    [Fact]
    public void One_permission_with_several_world_sources_yields_one_rule_per_source()
    {
        var rules = Match(Group(Perm("tcp", 22, 22, new[] { "0.0.0.0/0", "10.0.0.0/8" }, new[] { "::/0", "2001:db8::/32" })));
        Assert.Equal(new[] { "0.0.0.0/0", "::/0" }, rules.Select(r => r.Cidr));
    }

    [Fact]
    public void Private_ranges_group_references_and_prefix_lists_are_not_open()
    {
        var p = Perm("tcp", 22, 22, new[] { "10.0.0.0/8", "192.168.0.0/16" }, new[] { "2001:db8::/32" });
        p.ReferencedGroupIds.Add("sg-2");
        p.PrefixListIds.Add("pl-1");
        Assert.Empty(Match(Group(p)));
    }

    [Fact]
    public void Non_normalised_world_cidrs_still_count()
    {
        Assert.Equal(2, Match(Group(Perm("tcp", 22, 22, new[] { "0.0.0.0/0" }, new[] { "0::0/0" }))).Count);
    }

    [Fact]
    public void Mixed_permissions_report_only_open_sources_with_their_own_ports()
    {
        var g = Group(
            Perm("tcp", 80, 80, new[] { "0.0.0.0/0" }),
            Perm("tcp", 5432, 5432, new[] { "10.1.0.0/16" }),
            Perm("udp", 1000, 2000, v6: new[] { "::/0" }),
            Perm("-1", null, null, new[] { "172.16.0.0/12" }));
        var rules = Match(g);
        Assert.Equal(new[] { "tcp 80 0.0.0.0/0", "udp 1000-2000 ::/0" }, rules.Select(r => $"{r.IpProtocol} {r.Ports} {r.Cidr}"));
    }

    [Fact]
    public void Null_and_absent_collections_are_empty_not_errors()
    {
        var g = new SecurityGroupSnapshot { GroupId = "sg-1", IpPermissions = null!, Tags = null! };
        Assert.Empty(Match(g));
        var p = new IpPermissionSnapshot { IpProtocol = "tcp", FromPort = 1, ToPort = 1, Ipv4Ranges = null!, Ipv6Ranges = null! };
        Assert.Empty(Match(Group(p)));
        var withNullItem = Group(Perm("tcp", 22, 22, new[] { "0.0.0.0/0" }));
        withNullItem.IpPermissions.Add(null!);
        Assert.Single(Match(withNullItem));
    }

    [Fact]
    public void Broad_prefix_length_counts_broad_ranges_per_family()
    {
        var g = Group(Perm("tcp", 22, 22, new[] { "10.0.0.0/8", "10.0.0.0/9", "0.0.0.0/1" }, new[] { "2000::/3", "2001:db8::/32" }));
        var policy = OpenRulePolicy.Create(broadIpv4PrefixLength: 8, broadIpv6PrefixLength: 16);
        Assert.Equal(new[] { "10.0.0.0/8", "0.0.0.0/1", "2000::/3" }, Match(g, policy).Select(r => r.Cidr));
    }

    [Fact]
    public void Extra_cidrs_match_exactly_after_normalisation()
    {
        var g = Group(Perm("tcp", 22, 22, new[] { "198.51.100.0/24", "198.51.100.0/25" }, new[] { "2001:DB8::/32" }));
        var policy = OpenRulePolicy.Create(extraCidrs: new[] { "198.51.100.7/24", "2001:db8::/32" });
        Assert.Equal(new[] { "198.51.100.0/24", "2001:DB8::/32" }, Match(g, policy).Select(r => r.Cidr));
    }

    [Fact]
    public void Port_filter_reports_ranges_that_expose_a_port_and_all_traffic_but_not_icmp()
    {
        var g = Group(
            Perm("tcp", 20, 25, new[] { "0.0.0.0/0" }),
            Perm("tcp", 80, 80, new[] { "0.0.0.0/0" }),
            Perm("udp", 22, 22, new[] { "0.0.0.0/0" }),
            Perm("-1", null, null, new[] { "0.0.0.0/0" }),
            Perm("icmp", -1, -1, new[] { "0.0.0.0/0" }),
            Perm("tcp", 0, 65535, v6: new[] { "::/0" }));
        var policy = OpenRulePolicy.Create(ports: new[] { 22 });
        Assert.Equal(new[] { "tcp 20-25", "udp 22", "-1 all", "tcp all" }, Match(g, policy).Select(r => $"{r.IpProtocol} {r.Ports}"));
    }

    [Fact]
    public void High_risk_preset_is_security_hub_ec2_19_on_tcp_udp_and_all_traffic()
    {
        Assert.Equal(24, OpenRulePolicy.HighRiskPortList.Length);
        var g = Group(
            Perm("tcp", 3389, 3389, new[] { "0.0.0.0/0" }),
            Perm("udp", 9300, 9300, new[] { "0.0.0.0/0" }),
            Perm("tcp", 443, 443, new[] { "0.0.0.0/0" }),
            Perm("tcp", 9000, 9400, new[] { "0.0.0.0/0" }),
            Perm("-1", null, null, v6: new[] { "::/0" }));
        var rules = Match(g, OpenRulePolicy.Create(PortPolicy.HighRiskPorts));
        Assert.Equal(new[] { "tcp 3389", "udp 9300", "tcp 9000-9400", "-1 all" }, rules.Select(r => $"{r.IpProtocol} {r.Ports}"));
    }

    [Fact]
    public void Restricted_presets_are_tcp_only()
    {
        var g = Group(Perm("tcp", 22, 22, new[] { "0.0.0.0/0" }), Perm("udp", 22, 22, new[] { "0.0.0.0/0" }), Perm("tcp", 3306, 3306, new[] { "0.0.0.0/0" }));
        Assert.Equal(new[] { "tcp 22" }, Match(g, OpenRulePolicy.Create(PortPolicy.RestrictedSsh)).Select(r => $"{r.IpProtocol} {r.Ports}"));
        Assert.Equal(new[] { "tcp 3306" }, Match(g, OpenRulePolicy.Create(PortPolicy.RestrictedCommonPorts)).Select(r => $"{r.IpProtocol} {r.Ports}"));
    }

    [Fact]
    public void Authorized_ports_hide_rules_whose_every_port_is_authorized()
    {
        var g = Group(
            Perm("tcp", 80, 80, new[] { "0.0.0.0/0" }),
            Perm("tcp", 443, 443, v6: new[] { "::/0" }),
            Perm("tcp", 80, 443, new[] { "0.0.0.0/0" }),
            Perm("udp", 443, 443, new[] { "0.0.0.0/0" }),
            Perm("icmp", 8, -1, new[] { "0.0.0.0/0" }),
            Perm("-1", null, null, new[] { "0.0.0.0/0" }));
        var rules = Match(g, OpenRulePolicy.Create(PortPolicy.AuthorizedPortsOnly));
        Assert.Equal(new[] { "tcp 80-443", "udp 443", "icmp type 8", "-1 all" }, rules.Select(r => $"{r.IpProtocol} {r.Ports}"));

        var custom = OpenRulePolicy.Create(authorizedTcpPorts: new[] { "1020-1025", "80" }, authorizedUdpPorts: new[] { "443" });
        var g2 = Group(Perm("tcp", 1021, 1022, new[] { "0.0.0.0/0" }), Perm("tcp", 1024, 1026, new[] { "0.0.0.0/0" }), Perm("udp", 443, 443, new[] { "0.0.0.0/0" }));
        Assert.Equal(new[] { "tcp 1024-1026" }, Match(g2, custom).Select(r => $"{r.IpProtocol} {r.Ports}"));
    }

    [Fact]
    public void Exemptions_by_group_id_and_group_tag()
    {
        var g = Group(Perm("tcp", 22, 22, new[] { "0.0.0.0/0" }));
        g.Tags["env"] = "lab";
        Assert.Empty(Match(g, OpenRulePolicy.Create(excludeGroupIds: new[] { "sg-1" })));
        Assert.Empty(Match(g, OpenRulePolicy.Create(excludeGroupTags: new[] { "env" })));
        Assert.Empty(Match(g, OpenRulePolicy.Create(excludeGroupTags: new[] { "env=lab" })));
        Assert.Single(Match(g, OpenRulePolicy.Create(excludeGroupTags: new[] { "env=prod" })));
    }

    [Fact]
    public void Rule_tag_exemption()
    {
        var m = new OpenRuleMatcher(OpenRulePolicy.Create(excludeRuleTags: new[] { "approved=yes" }));
        Assert.True(m.IsRuleExempt(new Dictionary<string, string> { ["approved"] = "yes" }));
        Assert.False(m.IsRuleExempt(new Dictionary<string, string> { ["approved"] = "no" }));
        Assert.False(m.IsRuleExempt(null));
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("abc")]
    [InlineData("30-20")]
    public void Bad_ports_are_clear_errors(string bad)
    {
        var e = Assert.ThrowsAny<FormatException>(() => OpenRulePolicy.Create(authorizedTcpPorts: new[] { bad }));
        Assert.Contains(bad.Split('-')[0], e.Message);
    }

    [Fact]
    public void Bad_cidr_is_a_clear_error()
    {
        var e = Assert.Throws<FormatException>(() => OpenRulePolicy.Create(extraCidrs: new[] { "300.1.1.1/8" }));
        Assert.Contains("300.1.1.1/8", e.Message);
    }
}

public class CidrAndPortTests
{
    [Theory]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", true)]
    [InlineData("::/0", "::/0", true)]
    [InlineData("10.1.2.3/8", "10.0.0.0/8", false)]
    [InlineData("2001:DB8:0::1/32", "2001:db8::/32", false)]
    public void Cidrs_normalise(string text, string normal, bool world)
    {
        Assert.True(Cidr.TryParse(text, out var c));
        Assert.Equal(normal, c.ToString());
        Assert.Equal(world, c.IsWorld);
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("::/129")]
    [InlineData("sg-123")]
    [InlineData("10.0/8")]
    [InlineData("")]
    public void Bad_cidrs_are_rejected(string text) => Assert.False(Cidr.TryParse(text, out _));

    [Fact]
    public void Port_sets_merge_and_answer_intersect_and_cover()
    {
        var s = PortSet.Parse(new[] { "80,443", "1000-2000", "2001" });
        Assert.Equal("80,443,1000-2001", s.ToString());
        Assert.True(s.Covers(1500, 2001));
        Assert.False(s.Covers(79, 80));
        Assert.True(s.Intersects(0, 80));
        Assert.False(s.Intersects(81, 442));
    }

    [Theory]
    [InlineData("tcp", "tcp")]
    [InlineData("6", "tcp")]
    [InlineData("TCP", "tcp")]
    [InlineData("17", "udp")]
    [InlineData("all", "-1")]
    [InlineData("58", "icmpv6")]
    [InlineData("50", "50")]
    public void Protocols_canonicalise(string given, string canonical) => Assert.Equal(canonical, Protocols.Canonical(given));
}
