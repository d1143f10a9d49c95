using System.Text;
using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Evidence;
using SgNarrower.Exposure;
using SgNarrower.Matching;
using SgNarrower.Offline;
using SgNarrower.Rules;
using Xunit;
using static SgNarrower.Tests.JsonBytes;

namespace SgNarrower.Tests;

/// <summary>Input that two readers would read two ways is refused, with the value in the message, wherever it comes in.</summary>
public sealed class UnambiguousInputTests
{
    [Theory]
    [InlineData("10.1.2.0")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("2001:db8::")]
    [InlineData("2001:DB8:0:0:0:0:0:1")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("64:ff9b::192.0.2.33")]
    [InlineData("1:2:3:4:5:6:7::")]
    public void Addresses_as_aws_writes_them_are_read(string text) =>
        Assert.True(IpAddressText.TryParse(text, out _), text);

    [Theory]
    [InlineData("010.1.2.0")]          // octal to inet_aton: 8.1.2.0
    [InlineData("10.1")]               // 10.0.0.1 to inet_aton
    [InlineData("0x0a.1.2.0")]         // hex
    [InlineData("167772160")]          // one 32-bit number: 10.0.0.0
    [InlineData("10.1.2.3.4")]
    [InlineData("256.1.2.3")]
    [InlineData("10.1.2.")]
    [InlineData(" 10.1.2.3")]
    [InlineData("1::2::3")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData(":1::")]
    [InlineData("12345::")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("::ffff:010.0.2.1")]
    [InlineData("")]
    public void Addresses_two_readers_would_read_differently_are_refused(string text) =>
        Assert.False(IpAddressText.TryParse(text, out _), text);

    [Theory]
    [InlineData("10.0.0.0/024")]
    [InlineData("10.0.0.0/33")]
    [InlineData("010.0.0.0/8")]
    [InlineData("::/129")]
    [InlineData("10.0.0.0/+8")]
    public void Cidr_blocks_are_read_strictly(string text) => Assert.False(Cidr.TryParse(text, out _), text);

    [Fact]
    public void ReplaceWith_with_a_leading_zero_is_refused_and_never_read_as_octal()
    {
        var e = Assert.Throws<FormatException>(() => ReplacementSet.Parse(new[] { "010.1.2.0/24" }));
        Assert.Contains("'010.1.2.0/24'", e.Message);
        Assert.Contains("without leading zeros", e.Message);
        Assert.Equal("10.1.2.0/24", ReplacementSet.Parse(new[] { "10.1.2.0/24" }).Sources.Single().Value);
    }

    [Fact]
    public void IncludeCidr_with_a_short_form_is_refused()
    {
        var e = Assert.Throws<FormatException>(() => OpenRulePolicy.Create(extraCidrs: new[] { "10.1/16" }));
        Assert.Contains("-IncludeCidr '10.1/16'", e.Message);
    }

    private static AuditEntry Read(params (string Name, object? Value)[] fields)
    {
        var map = fields.ToDictionary(f => f.Name, f => f.Value);
        return RuleInput.Read(name => map.TryGetValue(name, out var v) ? v : null);
    }

    [Theory]
    [InlineData("CidrIpv4", "010.0.0.0/8")]
    [InlineData("CidrIpv4", "0.0.0.0/00")]
    [InlineData("CidrIpv6", "::/000")]
    [InlineData("OpenEntry", "0.0.0.0/0x")]
    public void Pipeline_objects_with_an_address_read_two_ways_are_refused(string field, string value)
    {
        var fields = new List<(string, object?)> { ("GroupId", "sg-1"), ("IpProtocol", "tcp"), ("FromPort", "22"), ("ToPort", "22") };
        if (field != "CidrIpv4" && field != "CidrIpv6") fields.Add(("CidrIpv4", "0.0.0.0/0"));
        fields.Add((field, value));
        var e = Assert.Throws<FormatException>(() => Read(fields.ToArray()));
        Assert.Contains($"'{value}'", e.Message);
    }

    [Fact]
    public void A_description_ec2_cannot_hold_is_refused()
    {
        var e = Assert.Throws<FormatException>(() => Read(("GroupId", "sg-1"), ("IpProtocol", "tcp"), ("FromPort", "22"), ("ToPort", "22"),
            ("CidrIpv4", "0.0.0.0/0"), ("Description", new string('d', 256))));
        Assert.Contains("256 characters", e.Message);
        Assert.Equal(255, Read(("GroupId", "sg-1"), ("IpProtocol", "tcp"), ("FromPort", "22"), ("ToPort", "22"),
            ("CidrIpv4", "0.0.0.0/0"), ("Description", new string('d', 255))).Rule.Description!.Length);
    }

    [Fact]
    public void A_record_line_with_a_key_twice_is_refused_naming_the_line_and_the_key()
    {
        var rule = new OpenIngressRule { Region = "us-east-1", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" };
        var run = new AuditRunInfo("20261202T120000Z-abc", new DateTime(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc), "SgNarrower/test");
        var lines = Encoding.UTF8.GetString(AuditRecordFormat.Write(new[] { RuleInput.FromRule(rule) }, run, AuditFormat.JsonLines)).TrimEnd('\n').Split('\n');
        int at = Array.FindIndex(lines, l => l.Contains("\"GroupId\""));
        Assert.NotNull(AuditRecordReader.Read(string.Join("\n", lines) + "\n"));
        lines[at] = lines[at].Substring(0, lines[at].Length - 1) + ",\"IpProtocol\":\"-1\"}";
        var twice = string.Join("\n", lines);
        var e = Assert.Throws<AuditRecordException>(() => AuditRecordReader.Read(twice + "\n"));
        Assert.Contains($"line {at + 1}", e.Message);
        Assert.Contains("\"IpProtocol\"", e.Message);
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void A_groups_export_with_a_key_twice_or_an_address_read_two_ways_is_refused()
    {
        var twice = "{\"SecurityGroups\":[{\"GroupId\":\"sg-1\",\"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]}]}";
        var e = Assert.Throws<SecurityGroupFileException>(() => SecurityGroupStream.Read(Utf8(twice)).ToList());
        Assert.Contains("\"IpProtocol\" is given twice", e.Message);

        var octal = "{\"SecurityGroups\":[{\"GroupId\":\"sg-1\",\"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[{\"CidrIp\":\"010.0.0.0/8\"}]}]}]}";
        e = Assert.Throws<SecurityGroupFileException>(() => SecurityGroupStream.Read(Utf8(octal)).ToList());
        Assert.Contains("'010.0.0.0/8'", e.Message);
    }

    [Fact]
    public void An_interfaces_export_with_a_key_twice_or_a_short_address_is_refused()
    {
        var twice = "{\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-1\",\"VpcId\":\"vpc-1\",\"VpcId\":\"vpc-2\"}]}";
        Assert.Contains("\"VpcId\" is given twice", Assert.Throws<NetworkFileException>(() => NetworkJsonReader.ReadInterfaces(twice)).Message);
        var shortForm = "{\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-1\",\"PrivateIpAddress\":\"10.1\"}]}";
        Assert.Contains("'10.1'", Assert.Throws<NetworkFileException>(() => NetworkJsonReader.ReadInterfaces(shortForm)).Message);
    }

    [Fact]
    public void A_flow_log_source_written_another_way_is_refused()
    {
        var ssh = new OpenIngressRule { Region = "us-east-1", GroupId = "sg-ssh", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" };
        var map = new ExposureMap(new[] { new NetworkInterfaceInfo { NetworkInterfaceId = "eni-1", GroupIds = { "sg-ssh" }, PrivateIpAddresses = { "10.0.0.20" }, SubnetId = "s" } },
            Array.Empty<RouteTableInfo>());
        var evidence = new FlowEvidence(new[] { (ssh, RuleInput.FromRule(ssh).Identity) }, map, DateTimeOffset.Parse("2026-11-01Z"), DateTimeOffset.Parse("2026-11-30Z"));
        long t = DateTimeOffset.Parse("2026-11-20T12:00:00Z").ToUnixTimeSeconds();
        var text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
                   $"2 123456789012 eni-1 203.0.113.005 10.0.0.20 40000 22 6 10 840 {t} {t + 60} ACCEPT OK\n";
        var e = Assert.Throws<FlowLogFormatException>(() => new FlowLogReader(evidence).Read(new MemoryStream(Encoding.ASCII.GetBytes(text)), "test.log"));
        Assert.Contains("'203.0.113.005'", e.Message);
    }
}

public sealed class CidrWellFormedTests
{
    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("10.1.2.0/24")]
    [InlineData("255.255.255.255/32")]
    [InlineData("10.0.0.0/8")]
    [InlineData("010.0.0.0/8")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0/8")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("/8")]
    [InlineData(" 10.0.0.0/8")]
    [InlineData("::/0")]
    [InlineData("2001:db8::/48")]
    [InlineData("2001:db8::/048")]
    [InlineData("10.0.0.0/-1")]
    public void The_quick_check_agrees_with_the_parser(string text) =>
        Assert.Equal(Cidr.TryParse(text, out _), Cidr.IsWellFormed(text));
}
