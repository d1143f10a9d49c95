using System.Text;
using SgNarrower.Audit;
using SgNarrower.Findings;
using SgNarrower.Json;
using SgNarrower.Reporting;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

public class ReportTests
{
    private static readonly AuditRunInfo Run = new("20261201T000000Z-abc", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), "SgNarrower/test");

    private static OpenIngressRule Rule(string group, string protocol, int from, int to, string cidr = "0.0.0.0/0", ExposureLevel? exposure = null) => new()
    {
        OwnerId = "111122223333", Region = "us-east-1", GroupId = group, GroupName = "web", SecurityGroupRuleId = "sgr-" + group.Substring(3),
        IpProtocol = protocol, FromPort = from, ToPort = to, CidrIpv4 = cidr.Contains(':') ? null : cidr, CidrIpv6 = cidr.Contains(':') ? cidr : null,
        Exposure = exposure, NetworkInterfaceCount = exposure == null ? null : 1, AttachedTo = exposure == null ? null : new[] { "i-1" },
    };

    private static RuleIdentity Identity(string protocol, int from, int to) => RuleInput.FromRule(Rule("sg-1", protocol, from, to)).Identity;

    [Theory]
    [InlineData("tcp", 22, 22, ExposureLevel.Public, null, FindingSeverity.Critical)]
    [InlineData("-1", -1, -1, ExposureLevel.Public, null, FindingSeverity.Critical)]
    [InlineData("tcp", 1000, 2000, ExposureLevel.Public, null, FindingSeverity.Critical)]    // covers 1433 and 1434
    [InlineData("tcp", 6000, 6100, ExposureLevel.Public, null, FindingSeverity.High)]
    [InlineData("tcp", 443, 443, ExposureLevel.Public, null, FindingSeverity.Low)]
    [InlineData("tcp", 22, 22, null, null, FindingSeverity.High)]
    [InlineData("udp", 53, 53, null, null, FindingSeverity.Medium)]
    [InlineData("tcp", 80, 80, null, null, FindingSeverity.Low)]
    [InlineData("tcp", 3389, 3389, ExposureLevel.Private, null, FindingSeverity.Medium)]
    [InlineData("udp", 53, 53, ExposureLevel.Private, null, FindingSeverity.Low)]
    [InlineData("tcp", 22, 22, ExposureLevel.Unattached, null, FindingSeverity.Low)]
    [InlineData("tcp", 22, 22, ExposureLevel.Public, ChangeStatus.Revoked, FindingSeverity.Informational)]
    [InlineData("tcp", 22, 22, ExposureLevel.Public, ChangeStatus.Narrowed, FindingSeverity.Informational)]
    [InlineData("tcp", 22, 22, ExposureLevel.Public, ChangeStatus.AlreadyAbsent, FindingSeverity.Informational)]
    [InlineData("tcp", 22, 22, ExposureLevel.Public, ChangeStatus.Restored, FindingSeverity.Critical)]
    [InlineData("tcp", 22, 22, ExposureLevel.Public, ChangeStatus.Failed, FindingSeverity.Critical)]
    public void Severity_follows_the_documented_table(string protocol, int from, int to, ExposureLevel? exposure, ChangeStatus? status, FindingSeverity expected) =>
        Assert.Equal(expected, RuleRisk.Severity(Identity(protocol, from, to), exposure, status));

    [Theory]
    [InlineData("tcp", 22, 22, "EC2.19")]
    [InlineData("udp", 5432, 5432, "EC2.19")]
    [InlineData("-1", -1, -1, "EC2.19")]
    [InlineData("tcp", 0, 65535, "EC2.19")]
    [InlineData("tcp", 8443, 8443, "EC2.18")]
    [InlineData("icmp", 8, -1, "EC2.18")]
    [InlineData("tcp", 80, 81, "EC2.18")]    // a range beyond the two authorized ports
    [InlineData("tcp", 80, 443, "EC2.19")]   // which takes in 110, 135 and 143
    [InlineData("tcp", 443, 443, null)]
    [InlineData("tcp", 80, 80, null)]
    [InlineData("udp", 443, 443, "EC2.18")]  // EC2.18 authorizes TCP 80 and 443 only
    public void The_control_is_EC2_19_for_high_risk_ports_and_EC2_18_for_other_unauthorized_ones(string protocol, int from, int to, string? control) =>
        Assert.Equal(control, RuleRisk.Control(Identity(protocol, from, to)));

    [Theory]
    [InlineData(AuditFormat.JsonLines)]
    [InlineData(AuditFormat.Csv)]
    public void Exposure_evidence_and_change_notes_survive_a_record(AuditFormat format)
    {
        var rule = Rule("sg-1", "tcp", 22, 22, exposure: ExposureLevel.Public) with
        {
            Recommendation = Recommendation.Narrow, RecommendationReason = "few sources", ReplaceWith = new[] { "203.0.113.0/24" },
            ObservedSources = new[] { new ObservedSource("203.0.113.5", 3, 30), new ObservedSource("203.0.113.9", 1, 2) },
            ObservedSourceCount = 2, FlowRecordCount = 4,
            EvidenceSince = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), EvidenceUntil = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero),
        };
        var checkedEntry = RuleInput.FromRule(rule);
        var entry = new AuditEntry(checkedEntry.Rule, checkedEntry.Identity, ChangeStatus.Narrowed) { Note = "the list is unchanged", ReplacedWith = new[] { "203.0.113.0/24" } };
        var back = AuditRecordReader.Read(Encoding.UTF8.GetString(AuditRecordFormat.Write(new[] { entry }, Run, format))).Single();
        Assert.Equal(ExposureLevel.Public, back.Rule.Exposure);
        Assert.Equal(1, back.Rule.NetworkInterfaceCount);
        Assert.Equal(new[] { "i-1" }, back.Rule.AttachedTo);
        Assert.Equal(new[] { "203.0.113.5 3 30", "203.0.113.9 1 2" }, back.Rule.ObservedSources!.Select(o => $"{o.Address} {o.Flows} {o.Packets}"));
        Assert.Equal((2, 4L), (back.Rule.ObservedSourceCount!.Value, back.Rule.FlowRecordCount!.Value));
        Assert.Equal(rule.EvidenceSince, back.Rule.EvidenceSince);
        Assert.Equal(rule.EvidenceUntil, back.Rule.EvidenceUntil);
        Assert.Equal("the list is unchanged", back.Note);
        Assert.Equal(new[] { "203.0.113.0/24" }, back.ReplacedWith);
        Assert.Equal(ChangeStatus.Narrowed, back.Status);
    }

    [Fact]
    public void Record_lines_say_which_run_wrote_them_empty_runs_included()
    {
        var empty = new AuditRunInfo("20261202T000000Z-def", new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc), "SgNarrower/test");
        var input = new ReportInput();
        input.AddRecord(Encoding.UTF8.GetString(AuditRecordFormat.Write(new[] { RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22)) }, Run, AuditFormat.JsonLines)), "a.jsonl");
        input.AddRecord(Encoding.UTF8.GetString(AuditRecordFormat.Write(new List<AuditEntry>(), empty, AuditFormat.Csv)), "b.csv");
        Assert.Equal(new[] { Run.RunId, empty.RunId }, input.Runs.Select(r => r.RunId));
        Assert.Equal(Run.RecordedAt, input.Rows.Single().Run!.RecordedAt);
        Assert.Equal("a.jsonl", input.Rows.Single().RecordUri);
        var summary = ReportSummary.Of(input);
        Assert.Equal(new[] { 1, 0 }, summary.ByRun.Select(t => t.Count));
    }

    [Fact]
    public void Putting_back_never_needs_the_run_but_a_report_needs_to_know_when_a_named_run_was_recorded()
    {
        const string line = "{\"RecordType\":\"Rule\",\"FormatVersion\":1,\"RunId\":\"r1\",\"GroupId\":\"sg-1\",\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"CidrIpv4\":\"0.0.0.0/0\"}";
        Assert.Single(AuditRecordReader.Read(line));
        var e = Assert.Throws<AuditRecordException>(() => AuditRecordReader.ReadLines(line));
        Assert.Contains("line 1: RecordedAt", e.Message);
    }

    [Fact]
    public void Every_summary_count_is_the_count_of_its_rules_each_at_its_latest_state()
    {
        var input = new ReportInput();
        var rules = new[]
        {
            Rule("sg-1", "tcp", 22, 22, exposure: ExposureLevel.Public), Rule("sg-2", "tcp", 443, 443, exposure: ExposureLevel.Unattached),
            Rule("sg-3", "udp", 53, 53), Rule("sg-4", "tcp", 22, 22, "::/0", ExposureLevel.Private),
        };
        foreach (var r in rules) input.Add(RuleInput.FromRule(r));
        var revoked = RuleInput.FromRule(rules[0]);
        input.Add(new AuditEntry(revoked.Rule, revoked.Identity, ChangeStatus.Revoked));
        var s = ReportSummary.Of(input);
        // Counts are of rules, not of lines: sg-1 found open and then revoked is one rule, revoked, with both in its history.
        Assert.Equal(4, s.RuleCount);
        Assert.Equal(5, input.Lines.Count);
        var sg1 = input.Rows.Single(r => r.Rule.GroupId == "sg-1");
        Assert.Equal("Revoked", sg1.StatusName);
        Assert.Equal(new[] { "Open", "Revoked" }, sg1.History.Select(h => h.StatusName));
        Assert.Equal(3, s.ByStatus.Single(t => t.Name == "Open").Count);
        Assert.Equal(1, s.ByStatus.Single(t => t.Name == "Revoked").Count);
        foreach (var t in s.ByStatus) Assert.Equal(input.Rows.Count(r => r.StatusName == t.Name), t.Count);
        foreach (var t in s.ByExposure) Assert.Equal(input.Rows.Count(r => r.ExposureName == t.Name), t.Count);
        foreach (var t in s.BySeverity) Assert.Equal(input.Rows.Count(r => r.Severity.ToString() == t.Name), t.Count);
        Assert.Equal(4, s.TopPorts.Sum(t => t.Count) + s.OtherPorts);
        Assert.True(s.TopPorts.Single(t => t.Name == "tcp 22").Marked);
        Assert.False(s.TopPorts.Single(t => t.Name == "tcp 443").Marked);
        Assert.Equal(2, s.TopPorts.Single(t => t.Name == "tcp 22").Count);
    }

    [Fact]
    public void The_page_is_self_contained_and_a_description_is_data_never_markup()
    {
        var input = new ReportInput();
        input.Add(RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22) with { Description = "</script><script>alert(1)</script><!--" }));
        var html = HtmlReport.Write(input, ReportSummary.Of(input), "T <&>", "SgNarrower/test", DateTime.UtcNow);
        Assert.DoesNotContain("</script><script>alert", html);
        Assert.DoesNotContain("<!--", html);
        Assert.Contains("<title>T &lt;&amp;&gt;</title>", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https://", html);
        // The embedded data parses and holds the description as written.
        var start = html.IndexOf("<script type=\"application/json\" id=\"report-data\">", StringComparison.Ordinal);
        var json = html.Substring(start).Split('>', 2)[1].Split("</script>")[0];
        var data = (JsonObject)JsonParser.Parse(json)!;
        Assert.Contains("</script><script>alert(1)</script><!--", data.GetArray("strings").Select(s => s?.ToString()));
    }

    [Fact]
    public void A_finding_takes_the_latest_state_of_its_rule_and_keeps_its_id_whatever_the_rule_id()
    {
        var open = RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22));
        var restoredRule = RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22) with { SecurityGroupRuleId = "sgr-new" });
        var later = new AuditRunInfo("run-2", Run.RecordedAt.AddDays(1), "t");
        var rows = new List<ReportRow>
        {
            new(new AuditEntry(restoredRule.Rule, restoredRule.Identity, ChangeStatus.Restored), later, "b", 1),
            new(new AuditEntry(open.Rule, open.Identity, ChangeStatus.Revoked), Run, "a", 0),
        };
        var subject = FindingSubject.Of(rows, DateTime.UtcNow).Single();
        Assert.Equal("arn:aws:ec2:us-east-1:111122223333:security-group/sg-1/ingress/tcp/22/22/0.0.0.0/0", subject.Id);
        Assert.Equal(ChangeStatus.Restored, subject.Latest.Entry.Status);
        Assert.Equal((Run.RecordedAt, later.RecordedAt), (subject.CreatedAt, subject.UpdatedAt));
        var asff = JsonWriter.Write(AsffFinding.Build(subject));
        Assert.Contains("\"Compliance\":{\"Status\":\"FAILED\"", asff);
        Assert.Contains("\"RecordState\":\"ACTIVE\"", asff);
        Assert.Contains("\"ProductArn\":\"arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default\"", asff);
    }

    [Fact]
    public void Findings_in_other_partitions_name_their_partition()
    {
        var e = RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22) with { Region = "cn-north-1" });
        var subject = FindingSubject.Of(new List<ReportRow> { new(e, null, null, 0) }, DateTime.UtcNow).Single();
        Assert.StartsWith("arn:aws-cn:ec2:cn-north-1:", subject.Id);
        Assert.Contains("\"ProductArn\":\"arn:aws-cn:securityhub:cn-north-1:", JsonWriter.Write(AsffFinding.Build(subject)));
    }

    [Fact]
    public void Asff_files_hold_at_most_100_findings_of_one_account_and_region()
    {
        var rows = Enumerable.Range(0, 205).Select(i =>
        {
            var e = RuleInput.FromRule(Rule($"sg-{i:x4}", "tcp", 22, 22) with { OwnerId = i < 201 ? "111122223333" : "444455556666" });
            return new ReportRow(e, null, null, i);
        }).ToList();
        var batches = FindingWriter.Asff(FindingSubject.Of(rows, DateTime.UtcNow));
        Assert.Equal(new[] { 100, 100, 1, 4 }, batches.Select(b => b.Count));
        Assert.Equal("sgnarrower-asff-444455556666-us-east-1-001.json", batches[3].FileName);
        foreach (var b in batches)
            Assert.Equal(b.Count, ((List<object?>)JsonParser.Parse(Encoding.UTF8.GetString(b.Content))!).Count);
    }

    [Fact]
    public void Ocsf_events_carry_the_class_and_type_of_a_detection_finding()
    {
        var e = RuleInput.FromRule(Rule("sg-1", "tcp", 22, 22));
        var closed = new AuditEntry(e.Rule, e.Identity, ChangeStatus.Revoked);
        var subjects = FindingSubject.Of(new List<ReportRow> { new(closed, Run, "r", 0) }, DateTime.UtcNow);
        var ev = (JsonObject)((List<object?>)JsonParser.Parse(Encoding.UTF8.GetString(FindingWriter.Ocsf(subjects, "0.3.0").Content))!).Single()!;
        Assert.Equal((2004, 2, 3, 200403, 1, 4), (ev.GetInt32("class_uid"), ev.GetInt32("category_uid"), ev.GetInt32("activity_id"), ev.GetInt32("type_uid"), ev.GetInt32("severity_id"), ev.GetInt32("status_id")));
    }
}
