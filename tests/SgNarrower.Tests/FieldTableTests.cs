using System.Reflection;
using System.Text;
using SgNarrower.Audit;
using SgNarrower.Json;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// The one table of a rule's fields: every field it lists is read, written and shown the same way everywhere, so a new
/// field is one entry in it. These tests go over the whole table, not a list of their own.
/// </summary>
public sealed class FieldTableTests
{
    private static readonly AuditRunInfo Run = new("20261206T120000Z-abc", new DateTime(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc), "SgNarrower/test");

    private static readonly DateTimeOffset Since = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Rules with every field the table holds set to something other than its default: one CIDR rule, one prefix-list rule.</summary>
    private static IEnumerable<AuditEntry> Full()
    {
        var common = new OpenIngressRule
        {
            OwnerId = "111122223333", Region = "eu-west-1", VpcId = "vpc-1", GroupId = "sg-1", GroupName = "web", SecurityGroupRuleId = "sgr-1",
            IpProtocol = "tcp", FromPort = 22, ToPort = 22, Description = "ssh, \"admins\"",
            Tags = new Dictionary<string, string> { ["owner"] = "ops" }, GroupTags = new Dictionary<string, string> { ["team"] = "web" },
            AuditRunId = "20261101T000000Z-earlier",
            Recommendation = Recommendation.Narrow, RecommendationReason = "2 sources in 30 days", ReplaceWith = new[] { "203.0.113.0/24" },
            FlowRecordCount = 40, ObservedSourceCount = 12, ObservedSources = new[] { new ObservedSource("203.0.113.9", 30, 300) }, ObservedSourcesLeftOut = 11,
            EvidenceSince = Since, EvidenceUntil = Since.AddDays(30),
            Exposure = ExposureLevel.Public, NetworkInterfaceCount = 2, AttachedTo = new[] { "i-1", "elb:app/web/1" },
        };
        var result = (ChangeStatus: ChangeStatus.Narrowed, Error: "one replacement failed", Note: "kept the list", ReplacedWith: new[] { "203.0.113.0/24" });
        foreach (var rule in new[] { common with { CidrIpv4 = "0.0.0.0/0" }, common with { PrefixListId = "pl-1", OpenEntry = "0.0.0.0/0", SecurityGroupRuleId = "sgr-2" } })
            yield return RuleInput.FromRule(rule) with { Status = result.ChangeStatus, Error = result.Error, Note = result.Note, ReplacedWith = result.ReplacedWith };
    }

    private static string Cell(RuleField f, AuditEntry e) => JsonWriter.Write(f.Written!(e, Run));

    [Theory]
    [InlineData(AuditFormat.JsonLines)]
    [InlineData(AuditFormat.Csv)]
    public void Every_field_of_the_table_reads_back_from_a_record_as_it_was_written(AuditFormat format)
    {
        var entries = Full().ToList();
        var back = AuditRecordReader.Read(Encoding.UTF8.GetString(AuditRecordFormat.Write(entries, Run, format)));
        Assert.Equal(entries.Count, back.Count);
        for (int i = 0; i < entries.Count; i++)
            foreach (var field in RuleFields.InRecord)
                Assert.Equal((field.Name, Cell(field, entries[i])), (field.Name, Cell(field, back[i])));
    }

    [Fact]
    public void Every_field_is_read_from_loose_input_by_its_name_as_a_record_writes_it()
    {
        // As ConvertFrom-Json hands a line over: a property per member, looked up by name.
        foreach (var entry in Full())
        {
            var row = RuleFields.InRecord.ToDictionary(f => f.Name, f => JsonParser.Parse(Cell(f, entry)));
            row["AuditUri"] = "s3://audit/run.jsonl";
            var back = RuleInput.Read(name => row.TryGetValue(name, out var v) ? v : null);
            foreach (var field in RuleFields.InRecord) Assert.Equal((field.Name, Cell(field, entry)), (field.Name, Cell(field, back)));
            Assert.Equal("s3://audit/run.jsonl", back.Rule.AuditUri);
        }
    }

    [Fact]
    public void A_change_result_piped_on_keeps_every_field_of_its_rule_and_of_the_change()
    {
        foreach (var entry in Full())
        {
            var change = new IngressRuleChange(entry.Rule with { OpenUntil = Since }, "Revoke", entry.Status!.Value)
            {
                Error = entry.Error, Note = entry.Note, ReplacedWith = entry.ReplacedWith!,
            };
            var back = RuleInput.FromChange(change);
            foreach (var field in RuleFields.InRecord) Assert.Equal((field.Name, Cell(field, entry)), (field.Name, Cell(field, back)));
            // Even what the result does not show, and records do not hold, is not lost on the way.
            Assert.Equal(Since, back.Rule.OpenUntil);
        }
    }

    [Fact]
    public void Every_field_of_the_table_is_a_property_of_the_objects_users_pipe_on()
    {
        // Results pipe into Export-IngressAudit and Restore-IngressRule by property name; so do rules, for their own fields.
        foreach (var field in RuleFields.All)
        {
            Assert.True(typeof(IngressRuleChange).GetProperty(field.Name) != null, $"IngressRuleChange has no {field.Name}");
            if (field.Put != null || field.Own != null)
                Assert.True(typeof(OpenIngressRule).GetProperty(field.Name) != null, $"OpenIngressRule has no {field.Name}");
        }
    }

    [Fact]
    public void Every_property_of_a_rule_is_in_the_table_or_said_not_to_be()
    {
        // A field added to the rule without an entry in the table would be dropped by records and pipeline input.
        var notFields = new HashSet<string>
        {
            nameof(OpenIngressRule.OpenUntil),   // read from the group's tags at each scan, never from input
            nameof(OpenIngressRule.Cidr), nameof(OpenIngressRule.Ports), nameof(OpenIngressRule.Rule),   // words for tables, from the fields
        };
        var names = RuleFields.All.Select(f => f.Name).ToHashSet();
        foreach (var p in typeof(OpenIngressRule).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Assert.True(names.Contains(p.Name) || notFields.Contains(p.Name), $"OpenIngressRule.{p.Name} is in no entry of RuleFields");
    }

    [Fact]
    public void Every_property_the_default_views_show_is_a_property_of_the_type_they_show()
    {
        // The views in SgNarrower.Format.ps1xml name properties as text: a field renamed in the table and the types
        // would otherwise leave an empty column.
        var formats = System.Xml.Linq.XDocument.Load(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "SgNarrower", "SgNarrower.Format.ps1xml"));
        var views = formats.Descendants("View").ToList();
        Assert.NotEmpty(views);
        foreach (var view in views)
        {
            var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var type = typeof(OpenIngressRule).Assembly.GetType(typeName);
            Assert.True(type != null, $"The view {typeName} names no type of the core");
            foreach (var property in view.Descendants("PropertyName").Select(p => p.Value))
                Assert.True(type!.GetProperty(property) != null, $"The view of {typeName} shows {property}, which it does not have");
        }
    }

    [Fact]
    public void Our_own_rule_is_acted_on_as_it_was_checked_its_text_trimmed_and_nothing_else_copied()
    {
        var handMade = new OpenIngressRule { Region = " us-east-1 ", GroupId = "sg-1 ", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0", OpenUntil = Since };
        var read = RuleInput.FromRule(handMade).Rule;
        Assert.Equal(("us-east-1", "sg-1", Since), (read.Region, read.GroupId, read.OpenUntil));

        // A rule as SgNarrower made it needs no change: the same object goes on.
        var clean = handMade with { Region = "us-east-1", GroupId = "sg-1" };
        Assert.Same(clean, RuleInput.FromRule(clean).Rule);
    }
}
