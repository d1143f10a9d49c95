using System.Text;
using SgNarrower.Audit;
using Xunit;

namespace SgNarrower.Tests;

public class AuditRecordTests
{
    private static readonly AuditRunInfo Run = new("20261126T120000Z-abc", new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc), "SgNarrower/0.1.0");

    private static List<OpenIngressRule> Rules() => new()
    {
        new() { Region = "us-east-1", OwnerId = "111122223333", VpcId = "vpc-1", GroupId = "sg-1", GroupName = "web", SecurityGroupRuleId = "sgr-1",
                IpProtocol = "tcp", FromPort = 443, ToPort = 443, CidrIpv4 = "0.0.0.0/0", Description = "a \"b\", c\nd",
                Tags = new Dictionary<string, string> { ["k"] = "v,1" }, GroupTags = new Dictionary<string, string> { ["team"] = "x" } },
        new() { Region = "us-east-1", GroupId = "sg-1", SecurityGroupRuleId = "sgr-2", IpProtocol = "-1", CidrIpv6 = "::/0" },
        new() { Region = "us-east-1", GroupId = "sg-2", IpProtocol = "icmp", FromPort = 8, ToPort = -1, CidrIpv4 = "0.0.0.0/0", Description = "" },
    };

    [Theory]
    [InlineData(AuditFormat.JsonLines)]
    [InlineData(AuditFormat.Csv)]
    public void Records_read_back_into_the_same_rules(AuditFormat format)
    {
        var rules = Rules();
        var bytes = AuditRecordFormat.Write(rules.Select(RuleInput.FromRule).ToList(), Run, format);
        var back = AuditRecordReader.Read(Encoding.UTF8.GetString(bytes));
        Assert.Equal(rules.Count, back.Count);
        for (int i = 0; i < rules.Count; i++)
        {
            var (a, b) = (rules[i], back[i].Rule);
            Assert.Equal((a.Region, a.OwnerId, a.VpcId, a.GroupId, a.GroupName, a.SecurityGroupRuleId, a.IpProtocol, a.FromPort, a.ToPort, a.CidrIpv4, a.CidrIpv6),
                         (b.Region, b.OwnerId, b.VpcId, b.GroupId, b.GroupName, b.SecurityGroupRuleId, b.IpProtocol, b.FromPort, b.ToPort, b.CidrIpv4, b.CidrIpv6));
            Assert.Equal(string.IsNullOrEmpty(a.Description) ? null : a.Description, b.Description);
            Assert.Equal(a.Tags, b.Tags);
            Assert.Equal(a.GroupTags, b.GroupTags);
            Assert.Equal(Run.RunId, b.AuditRunId);
        }
    }

    [Fact]
    public void Json_lines_are_one_self_contained_line_per_rule()
    {
        var text = Encoding.UTF8.GetString(AuditRecordFormat.Write(Rules().Select(r => { var e = RuleInput.FromRule(r); return new AuditEntry(e.Rule, e.Identity, ChangeStatus.Revoked); }).ToList(), Run, AuditFormat.JsonLines));
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("{\"RecordType\":\"Rule\",\"FormatVersion\":1,\"RunId\":\"20261126T120000Z-abc\",\"RecordedAt\":\"2026-11-26T12:00:00.000Z\",\"Tool\":\"SgNarrower/0.1.0\"", lines[0]);
        Assert.Contains("\"Status\":\"Revoked\"", lines[1]);
        Assert.False(text.StartsWith("\uFEFF"));
    }

    [Fact]
    public void An_empty_run_is_recorded_and_reads_back_as_no_rules()
    {
        var text = Encoding.UTF8.GetString(AuditRecordFormat.Write(new List<AuditEntry>(), Run, AuditFormat.JsonLines));
        Assert.Contains("\"RecordType\":\"Run\"", text);
        Assert.Contains("\"RuleCount\":0", text);
        Assert.Empty(AuditRecordReader.Read(text));
    }

    [Theory]
    [InlineData("{\"RecordType\":\"Rule\",\"FormatVersion\":1,\"GroupId\":\"sg-1\",\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"CidrIpv4\":\"0.0.0.0/0\"}\n{broken", "line 2")]
    [InlineData("{\"RecordType\":\"Rule\",\"FormatVersion\":2,\"GroupId\":\"sg-1\"}", "format version 2")]
    [InlineData("{\"RecordType\":\"Rule\",\"GroupId\":\"sg-1\"}", "no FormatVersion")]
    [InlineData("{\"RecordType\":\"Rule\",\"FormatVersion\":1,\"IpProtocol\":\"tcp\"}", "no GroupId")]
    [InlineData("{\"RecordType\":\"Rule\",\"FormatVersion\":1,\"GroupId\":\"sg-1\",\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22}", "no source")]
    [InlineData("{\"RecordType\":\"Rule\",\"FormatVersion\":1,\"GroupId\":\"sg-1\",\"IpProtocol\":\"tcp\",\"FromPort\":\"x\",\"CidrIpv4\":\"0.0.0.0/0\"}", "FromPort")]
    [InlineData("GroupId,Foo\nsg-1,2\n", "no RecordType column")]
    [InlineData("", "empty")]
    public void Unreadable_records_name_the_line_and_yield_nothing(string text, string expected)
    {
        var e = Assert.Throws<AuditRecordException>(() => AuditRecordReader.Read(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Default_keys_are_dated_and_unique_per_run()
    {
        Assert.Equal("sgnarrower-audit/2026/11/26/ingress-audit-20261126T120000Z-abc.jsonl", Run.DefaultKey(null, AuditFormat.JsonLines));
        Assert.Equal("p/2026/11/26/ingress-audit-20261126T120000Z-abc.csv", Run.DefaultKey("p", AuditFormat.Csv));
        Assert.NotEqual(AuditRunInfo.New("t").RunId, AuditRunInfo.New("t").RunId);
    }

    [Fact]
    public void Atomic_file_write_never_overwrites_unless_asked_and_leaves_no_temp()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        var path = Path.Combine(dir, "r.jsonl");
        AuditFile.WriteAtomically(path, new byte[] { 1, 2 }, overwrite: false);
        Assert.Throws<IOException>(() => AuditFile.WriteAtomically(path, new byte[] { 3 }, overwrite: false));
        Assert.Equal(new byte[] { 1, 2 }, File.ReadAllBytes(path));
        AuditFile.WriteAtomically(path, new byte[] { 3 }, overwrite: true);
        Assert.Equal(new byte[] { 3 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }
}

public class RecordLocationTests
{
    [Fact]
    public void S3_uris_split_into_bucket_and_key_and_other_text_is_a_path()
    {
        var s3 = RecordLocation.Parse("s3://audit/sgnarrower-audit/2026/11/26/x.jsonl");
        Assert.True(s3.IsS3);
        Assert.Equal(("audit", "sgnarrower-audit/2026/11/26/x.jsonl"), (s3.Bucket, s3.Key));
        Assert.Equal("s3://audit/sgnarrower-audit/2026/11/26/x.jsonl", s3.ToString());
        var file = RecordLocation.Parse("./records/x.jsonl");
        Assert.False(file.IsS3);
        Assert.Equal("./records/x.jsonl", file.FilePath);
    }

    [Theory]
    [InlineData("s3://audit")]
    [InlineData("s3://audit/")]
    [InlineData("s3:///key")]
    public void S3_uris_without_bucket_or_key_are_rejected(string uri) =>
        Assert.Contains(uri, Assert.Throws<FormatException>(() => RecordLocation.Parse(uri)).Message);
}

public class RuleFieldTests
{
    [Fact]
    public void Every_field_a_record_holds_is_named_as_the_property_that_binds_it()
    {
        var ruleProperties = typeof(OpenIngressRule).GetProperties().Select(p => p.Name).ToHashSet();
        var changeProperties = typeof(IngressRuleChange).GetProperties().Select(p => p.Name).ToHashSet();
        var entryProperties = typeof(AuditEntry).GetProperties().Select(p => p.Name).ToHashSet();
        foreach (var field in RuleFields.All)
            Assert.True(ruleProperties.Contains(field.Name) || changeProperties.Contains(field.Name) || entryProperties.Contains(field.Name),
                $"{field.Name} is no property a record line binds to");
        foreach (var field in RuleFields.All.Where(f => f.Own != null))
            Assert.Contains(field.Name, ruleProperties);
        Assert.Equal(new[] { "RecordType", "FormatVersion", "RunId", "RecordedAt", "Tool" }.Concat(RuleFields.InRecord.Select(f => f.Name)), AuditRecordFormat.Columns);
    }

    [Fact]
    public void Our_own_rules_are_read_through_the_table()
    {
        var rule = new OpenIngressRule { Region = "us-east-1", OwnerId = "111122223333", GroupId = "sg-1", IpProtocol = "6", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0", AuditRunId = "run-1" };
        Assert.Equal("sg-1", RuleFields.OwnValue(rule, "GroupId"));
        Assert.Equal(22, RuleFields.OwnValue(rule, "FromPort"));
        Assert.Null(RuleFields.OwnValue(rule, "Status"));
        var entry = RuleInput.FromRule(rule);
        Assert.Equal(("tcp", "run-1"), (entry.Identity.Protocol, entry.Rule.AuditRunId));
    }
}
