using System.Text;
using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>Input is complete or refused: missing and out-of-range fields are errors, never defaults.</summary>
public sealed class RuleInputTests
{
    private static AuditEntry Read(params (string Name, object? Value)[] fields)
    {
        var map = fields.ToDictionary(f => f.Name, f => f.Value);
        return RuleInput.Read(name => map.TryGetValue(name, out var v) ? v : null);
    }

    private static readonly (string, object?)[] Ssh = { ("GroupId", "sg-1"), ("IpProtocol", "tcp"), ("FromPort", "22"), ("ToPort", "22"), ("CidrIpv4", "0.0.0.0/0") };

    private static (string, object?)[] Without(string name, params (string, object?)[] extra) =>
        Ssh.Where(f => f.Item1 != name).Concat(extra).ToArray();

    [Theory]
    [InlineData("IpProtocol", "no IpProtocol")]
    [InlineData("FromPort", "needs FromPort and ToPort")]
    [InlineData("ToPort", "needs FromPort and ToPort")]
    [InlineData("CidrIpv4", "no source")]
    [InlineData("GroupId", "no GroupId")]
    public void A_missing_field_is_refused_with_its_name(string missing, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => Read(Without(missing))).Message);

    [Fact]
    public void A_prefix_list_source_is_read_and_checked()
    {
        var entry = Read(Without("CidrIpv4", ("PrefixListId", "pl-0abc123")));
        Assert.Equal("pl-0abc123", entry.Rule.PrefixListId);
        Assert.Equal("pl-0abc123", entry.Rule.Cidr);
        Assert.Contains("not a prefix list id", Assert.Throws<FormatException>(() => Read(Without("CidrIpv4", ("PrefixListId", "sg-0abc")))).Message);
        Assert.Contains("more than one", Assert.Throws<FormatException>(() => Read(Ssh.Append(("PrefixListId", "pl-0abc123")).ToArray())).Message);
    }

    [Fact]
    public void An_empty_csv_cell_is_missing_not_zero_or_all()
    {
        Assert.Throws<FormatException>(() => Read(Without("IpProtocol", ("IpProtocol", ""))));
        Assert.Throws<FormatException>(() => Read(Without("FromPort", ("FromPort", ""))));
    }

    [Theory]
    [InlineData("tcp", "0", "70000", "0-65535")]
    [InlineData("tcp", "-1", "-1", "0-65535")]
    [InlineData("udp", "100", "50", "runs backwards")]
    [InlineData("icmp", "300", "-1", "-1 to 255")]
    [InlineData("icmp", "-1", "4", "ToPort must be -1")]
    [InlineData("-1", "0", "99999", "-1 to 65535")]
    [InlineData("ftp", "21", "21", "not an IP protocol")]
    [InlineData("300", "-1", "-1", "not an IP protocol")]
    public void Out_of_range_ports_and_unknown_protocols_are_refused(string protocol, string from, string to, string message)
    {
        var e = Assert.Throws<FormatException>(() => Read(("GroupId", "sg-1"), ("IpProtocol", protocol), ("FromPort", from), ("ToPort", to), ("CidrIpv4", "0.0.0.0/0")));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Icmp_type_and_code_may_be_all_but_must_be_given()
    {
        Assert.Equal((-1, -1), (Read(("GroupId", "sg-1"), ("IpProtocol", "icmp"), ("FromPort", -1), ("ToPort", -1), ("CidrIpv4", "0.0.0.0/0")).Identity.FromPort, -1));
        Assert.Throws<FormatException>(() => Read(("GroupId", "sg-1"), ("IpProtocol", "icmp"), ("CidrIpv4", "0.0.0.0/0")));
    }

    [Fact]
    public void All_traffic_needs_no_ports_and_reports_minus_one()
    {
        var e = Read(("GroupId", "sg-1"), ("IpProtocol", "-1"), ("CidrIpv6", "::/0"));
        Assert.Equal((-1, -1, "-1"), (e.Rule.FromPort, e.Rule.ToPort, e.Identity.Protocol));
    }

    [Theory]
    [InlineData("CidrIpv4", "::/0", "IPv6 block")]
    [InlineData("CidrIpv6", "0.0.0.0/0", "IPv4 block")]
    [InlineData("CidrIpv4", "0.0.0.0/33", "not a CIDR")]
    public void A_source_in_the_wrong_field_or_malformed_is_refused(string field, string value, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => Read(Without("CidrIpv4", (field, value)))).Message);

    [Theory]
    [InlineData("Region", "us-east-1-regional")]
    [InlineData("Region", "Virginia")]
    [InlineData("OwnerId", "12345")]
    [InlineData("SecurityGroupRuleId", "rule-1")]
    [InlineData("GroupId", "web")]
    public void Hints_that_are_not_what_they_claim_are_refused(string field, string value) =>
        Assert.Throws<FormatException>(() => Read(Without(field, (field, value))));

    [Theory]
    [InlineData("Revoked", ChangeStatus.Revoked)]
    [InlineData("alreadyabsent", ChangeStatus.AlreadyAbsent)]
    [InlineData("2", ChangeStatus.AlreadyAbsent)]
    [InlineData(4, ChangeStatus.Failed)]
    [InlineData(3L, ChangeStatus.Skipped)]
    public void Status_is_read_by_name_or_number(object value, ChangeStatus expected) =>
        Assert.Equal(expected, Read(Without("", ("Status", value))).Status);

    [Theory]
    [InlineData("Gone")]
    [InlineData("42")]
    public void An_unknown_status_is_refused(string value) =>
        Assert.Throws<FormatException>(() => Read(Without("", ("Status", value))));

    [Fact]
    public void Protocol_names_and_numbers_are_one_identity()
    {
        var tcp = Read(Ssh).Identity;
        var six = Read(Without("IpProtocol", ("IpProtocol", "6"))).Identity;
        Assert.Equal(tcp, six);
        Assert.Equal("tcp 22 from 0.0.0.0/0", six.ToString());
        Assert.Equal(RuleIdentity.FromAws("50", 10, 20, RuleSource.FromCidr(Cidr.Parse("0.0.0.0/0"))), RuleIdentity.FromAws("050", -1, -1, RuleSource.FromCidr(Cidr.Parse("0.0.0.0/0"))));
        Assert.NotEqual(tcp, tcp.WithSource(RuleSource.FromCidr(Cidr.Parse("::/0"))));
    }
}

public sealed class ReplacementSetTests
{
    [Theory]
    [InlineData("0.0.0.0/1", "too broad")]
    [InlineData("10.0.0.0/7", "too broad")]
    [InlineData("2001:db8::/31", "too broad")]
    [InlineData("0.0.0.0/0", "too broad")]
    [InlineData("203.0.113.5/24", "Did you mean 203.0.113.0/24")]
    [InlineData("office", "neither a CIDR")]
    [InlineData("sg-", "not a security group id")]
    [InlineData(" ", "empty")]
    public void Broad_malformed_or_empty_replacements_are_refused(string value, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => ReplacementSet.Parse(new[] { value })).Message);

    [Fact]
    public void Replacements_are_trimmed_and_each_applies_only_to_rules_it_narrows()
    {
        var set = ReplacementSet.Parse(new[] { "203.0.113.0/24 ", " 2001:db8::/48", "sg-0abc" });
        Assert.Equal(new[] { "203.0.113.0/24", "2001:db8::/48", "sg-0abc" }, set.Sources.Select(s => s.Value));
        Assert.Equal(new[] { "203.0.113.0/24", "sg-0abc" }, set.For(RuleSource.FromCidr(Cidr.Parse("0.0.0.0/0"))).Select(s => s.Value));
        Assert.Equal(new[] { "2001:db8::/48", "sg-0abc" }, set.For(RuleSource.FromCidr(Cidr.Parse("::/0"))).Select(s => s.Value));
        Assert.Empty(set.For(RuleSource.FromCidr(Cidr.Parse("198.51.0.0/16"))));
    }
}

public sealed class S3NameTests
{
    [Theory]
    [InlineData("audit/evil")]
    [InlineData("Audit")]
    [InlineData("ab")]
    [InlineData("a..b")]
    [InlineData("192.168.1.1")]
    [InlineData("-audit")]
    [InlineData("xn--audit")]
    [InlineData("audit-s3alias")]
    public void Bucket_names_follow_s3_rules(string bucket) => Assert.Throws<FormatException>(() => S3Names.CheckBucket(bucket));

    [Theory]
    [InlineData("audit")]
    [InlineData("my.audit-bucket-2026")]
    public void Good_bucket_names_pass(string bucket) => Assert.Null(Record.Exception(() => S3Names.CheckBucket(bucket)));

    [Theory]
    [InlineData("../other-bucket/x.jsonl")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("/x.jsonl")]
    [InlineData("a\u0000b")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    public void Keys_that_name_another_object_are_refused(string key)
    {
        Assert.Throws<FormatException>(() => S3Names.CheckKey(key));
        Assert.Throws<FormatException>(() => RecordLocation.S3("audit", key));
    }

    [Fact]
    public void Prefixes_may_be_empty_or_end_with_a_slash_but_not_climb()
    {
        S3Names.CheckPrefix("");
        S3Names.CheckPrefix("audit/2026/");
        Assert.Throws<FormatException>(() => S3Names.CheckPrefix("a/../b"));
        Assert.Throws<FormatException>(() => RecordLocation.Parse("s3://audit/evil/../x"));
    }
}

public sealed class CsvSafetyTests
{
    [Fact]
    public void Formula_cells_are_escaped_for_spreadsheets_and_read_back_exactly()
    {
        var descriptions = new[] { "=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "'quoted", "plain", "'=both" };
        var run = new AuditRunInfo("r", DateTime.UtcNow, "t");
        var entries = descriptions.Select((d, i) => RuleInput.FromRule(new OpenIngressRule
        {
            GroupId = "sg-1", IpProtocol = "-1", CidrIpv4 = $"10.{i}.0.0/16", Description = d, GroupName = "=evil",
        })).ToList();
        var text = Encoding.UTF8.GetString(AuditRecordFormat.Write(entries, run, AuditFormat.Csv));
        foreach (var line in text.Split("\r\n").Skip(1).Where(l => l.Length > 0))
            foreach (var cell in Csv.Read(line)[0].Fields)
                Assert.DoesNotContain(cell.TrimStart('"').FirstOrDefault(), "=+@\t\r");
        Assert.Contains(",-1,", text);   // protocol and ports stay numbers
        var back = AuditRecordReader.Read(text);
        Assert.Equal(descriptions, back.Select(e => e.Rule.Description));
        Assert.All(back, e => Assert.Equal("=evil", e.Rule.GroupName));
    }
}
