using System.Text;
using SgNarrower.Audit;
using SgNarrower.Changes;
using SgNarrower.Exceptions;
using SgNarrower.Findings;
using SgNarrower.Rules;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>Exceptions as code: the file read strictly, rules matched by scope, live and ended, stale entries, and a revoke that honours them.</summary>
public sealed class ExceptionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private const string Web = """{ "AccountId": "111122223333", "Region": "eu-west-1", "GroupId": "sg-0web", "SecurityGroupRuleId": "*", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Source": "0.0.0.0/0", "Owner": "alice@example.com", "Reason": "public storefront", "Ticket": "CHG-1", "Ends": "2027-03-31T00:00:00Z" }""";

    private static string File(params string[] entries) => "{ \"Exceptions\": [ " + string.Join(", ", entries) + " ] }";

    /// <summary>The entry with one field's value replaced, or the field left out (null).</summary>
    private static string With(string entry, string field, string? value) =>
        System.Text.RegularExpressions.Regex.Replace(entry, $"\"{field}\": (\"[^\"]*\"|-?\\d+)(, )?", value == null ? "" : $"\"{field}\": {value}$2")
            .Replace(",  }", " }").Replace(", }", " }");

    private static OpenIngressRule Rule(string group = "sg-0web", int port = 443, string cidr = "0.0.0.0/0", string account = "111122223333", string region = "eu-west-1", string? id = "sgr-1") => new()
    {
        OwnerId = account, Region = region, GroupId = group, SecurityGroupRuleId = id, IpProtocol = "tcp", FromPort = port, ToPort = port,
        CidrIpv4 = cidr.Contains(':') ? null : cidr, CidrIpv6 = cidr.Contains(':') ? cidr : null,
    };

    [Fact]
    public void An_entry_names_exactly_the_rules_of_its_scope()
    {
        var entry = Assert.Single(ExceptionFile.FromJson("exceptions.json", File(Web)));
        Assert.True(entry.Covers(Rule()));
        Assert.False(entry.Covers(Rule(port: 22)));
        Assert.False(entry.Covers(Rule(group: "sg-0other")));
        Assert.False(entry.Covers(Rule(cidr: "::/0")));
        Assert.False(entry.Covers(Rule(account: "444455556666")));
        Assert.False(entry.Covers(Rule(region: "us-east-1")));

        // Ports: the rule's range lies within the entry's; "*" is any, and says so.
        var range = Assert.Single(ExceptionFile.FromJson("x.json", File(With(With(Web, "FromPort", "8000"), "ToPort", "8100"))));
        Assert.True(range.Covers(Rule(port: 8080)));
        Assert.False(range.Covers(Rule(port: 443)));
        var anyGroup = Assert.Single(ExceptionFile.FromJson("x.json", File(With(With(With(Web, "GroupId", "\"*\""), "FromPort", "\"*\""), "ToPort", "\"*\""))));
        Assert.True(anyGroup.Covers(Rule(group: "sg-0other", port: 22)));
        // A rule id is matched where one is given; a rule without one (an offline scan) is not assumed to be it.
        var byId = Assert.Single(ExceptionFile.FromJson("x.json", File(With(Web, "SecurityGroupRuleId", "\"sgr-1\""))));
        Assert.True(byId.Covers(Rule()));
        Assert.False(byId.Covers(Rule(id: "sgr-2")));
        Assert.False(byId.Covers(Rule(id: null)));
    }

    [Theory]
    [InlineData("Owner", null, "has no Owner")]
    [InlineData("Ends", null, "has no Ends")]
    [InlineData("GroupId", null, "has no GroupId (give \"*\" for any)")]
    [InlineData("Ticket", "\"\"", "has no Ticket")]
    [InlineData("AccountId", "\"11112222333\"", "AccountId '11112222333' is not a 12-digit AWS account id")]
    [InlineData("Region", "\"Ireland\"", "is not an AWS region name")]
    [InlineData("IpProtocol", "\"ssh\"", "is not an IP protocol")]
    [InlineData("FromPort", "\"*\"", "are both numbers or both \"*\"")]
    [InlineData("FromPort", "500", "are not a range within 0-65535")]
    [InlineData("Source", "\"203.0.113.5/24\"", "has host bits set: the block is 203.0.113.0/24")]
    [InlineData("Source", "\"010.0.0.0/8\"", "is not a CIDR block as AWS writes it")]
    [InlineData("Ends", "\"2027-03-31\"", "is not a moment with its zone")]
    [InlineData("Ends", "\"2027-03-31T00:00:00\"", "is not a moment with its zone")]
    [InlineData("Owner", "\" alice\"", "has spaces around it")]
    [InlineData("Reason", "\"storefront\\u202e\"", "holds a control or bidirectional character")]
    public void An_incomplete_ambiguous_or_malformed_entry_refuses_the_whole_file_naming_it(string field, string? value, string message)
    {
        var bad = With(Web, field, value);
        var e = Assert.Throws<ExceptionFileException>(() => ExceptionFile.FromJson("exceptions.json", File(Web, bad)));
        Assert.Contains("exception #2", e.Message);
        Assert.Contains(message, e.Message);
        Assert.Contains("whole file is refused", e.Message);
    }

    [Fact]
    public void Unknown_fields_keys_given_twice_and_ports_for_all_traffic_are_refused()
    {
        Assert.Contains("has a field 'Expires'", Assert.Throws<ExceptionFileException>(() =>
            ExceptionFile.FromJson("x.json", File(Web.Replace("\"Ends\"", "\"Expires\"")))).Message);
        Assert.Contains("is given twice", Assert.Throws<ExceptionFileException>(() =>
            ExceptionFile.FromJson("x.json", File(Web.Replace("\"Owner\": \"alice@example.com\"", "\"Owner\": \"alice\", \"owner\": \"bob\"")))).Message);
        Assert.Contains("which has none", Assert.Throws<ExceptionFileException>(() =>
            ExceptionFile.FromJson("x.json", File(With(Web, "IpProtocol", "\"-1\"")))).Message);
        Assert.Contains("one object with an Exceptions list", Assert.Throws<ExceptionFileException>(() => ExceptionFile.FromJson("x.json", "[" + Web + "]")).Message);
    }

    [Fact]
    public void A_csv_file_reads_as_the_json_one()
    {
        var csv = "AccountId,Region,GroupId,SecurityGroupRuleId,IpProtocol,FromPort,ToPort,Source,Owner,Reason,Ticket,Ends\n" +
                  "111122223333,eu-west-1,sg-0web,*,tcp,443,443,0.0.0.0/0,alice@example.com,public storefront,CHG-1,2027-03-31T00:00:00Z\n";
        var fromCsv = Assert.Single(ExceptionFile.Read("exceptions.csv", csv));
        var fromJson = Assert.Single(ExceptionFile.Read("exceptions.json", File(Web)));
        Assert.Equal(fromJson with { File = "" }, fromCsv with { File = "" });
        Assert.Contains("has no Ends", Assert.Throws<ExceptionFileException>(() => ExceptionFile.Read("e.csv", csv.Replace(",2027-03-31T00:00:00Z", ","))).Message);
    }

    [Fact]
    public void Live_ended_and_overlapping_exceptions_say_whose_and_until_when()
    {
        var renewed = With(With(With(Web, "Ticket", "\"CHG-2\""), "Owner", "\"bob@example.com\""), "Ends", "\"2027-06-30T00:00:00Z\"");
        var ended = With(With(With(Web, "Ticket", "\"CHG-0\""), "Ends", "\"2026-11-30T00:00:00Z\""), "FromPort", "22").Replace("\"ToPort\": 443", "\"ToPort\": 22");
        var list = new ExceptionList(ExceptionFile.FromJson("exceptions.json", File(Web, renewed, ended)));

        var live = list.Apply(Rule(), Now);
        Assert.Equal((ExceptionState.Live, "bob@example.com", "CHG-2"), (live.ExceptionState!.Value, live.ExceptionOwner, live.ExceptionTicket));
        Assert.Equal(new DateTimeOffset(2027, 6, 30, 0, 0, 0, TimeSpan.Zero), live.ExceptionEnds);
        Assert.Contains("CHG-1", live.ExceptionNote);
        Assert.Contains("CHG-2", live.ExceptionNote);
        Assert.True(live.KeptOpenAt(Now));

        var back = list.Apply(Rule(port: 22), Now);
        Assert.Equal(ExceptionState.Ended, back.ExceptionState);
        Assert.Contains("ended 2026-11-30T00:00:00Z", back.ExceptionNote);
        Assert.False(back.KeptOpenAt(Now));
        // After its end, the live one brings its rule back too, without anyone remembering it.
        Assert.Equal(ExceptionState.Ended, list.Apply(Rule(), new DateTimeOffset(2027, 7, 1, 0, 0, 0, TimeSpan.Zero)).ExceptionState);

        Assert.Null(list.Apply(Rule(group: "sg-0other"), Now).ExceptionState);
        // A rule that carried an exception from earlier input, which this list no longer names, carries it no more.
        Assert.Null(list.Apply(live with { GroupId = "sg-0other" }, Now).ExceptionState);
    }

    [Fact]
    public void A_rule_that_names_no_account_or_region_is_matched_in_those_it_is_changed_in_and_keeps_its_own()
    {
        var list = new ExceptionList(ExceptionFile.FromJson("exceptions.json", File(Web)));
        var row = Rule() with { OwnerId = null, Region = null };
        Assert.Null(list.Apply(row, Now).ExceptionState);
        var applied = list.ApplyIn(row, Now, () => "111122223333", () => "eu-west-1");
        Assert.Equal((ExceptionState.Live, null, null), (applied.ExceptionState!.Value, applied.OwnerId, applied.Region));
        Assert.Null(list.ApplyIn(row, Now, () => "444455556666", () => "eu-west-1").ExceptionState);
        // The caller's account is asked for only where an entry names an account.
        var anyAccount = new ExceptionList(ExceptionFile.FromJson("x.json", File(With(Web, "AccountId", "\"*\""))));
        Assert.Equal(ExceptionState.Live, anyAccount.ApplyIn(row, Now, () => throw new InvalidOperationException("asked"), () => "eu-west-1").ExceptionState);
    }

    [Fact]
    public void An_exception_that_names_no_rule_where_the_run_looked_is_stale()
    {
        var elsewhere = With(Web, "Region", "\"us-west-2\"");
        var unused = With(Web, "GroupId", "\"sg-0gone\"");
        var list = new ExceptionList(ExceptionFile.FromJson("exceptions.json", File(Web, unused, elsewhere)));
        list.Apply(Rule(), Now);
        var stale = list.Stale(Now, e => e.Region == null || e.Region == "eu-west-1");
        Assert.Equal(new[] { 2 }, stale.Select(e => e.Number));
    }

    [Fact]
    public void A_revoke_leaves_a_rule_under_a_live_exception_and_closes_one_whose_exception_ended()
    {
        var ec2 = new FakeEc2("eu-west-1");
        var web = ec2.Add("sg-0web", "tcp", 443, 443, "0.0.0.0/0");
        var ssh = ec2.Add("sg-0web", "tcp", 22, 22, "0.0.0.0/0");
        var list = new ExceptionList(ExceptionFile.FromJson("exceptions.json", File(Web,
            With(With(Web, "Ends", "\"2026-01-01T00:00:00Z\""), "FromPort", "22").Replace("\"ToPort\": 443", "\"ToPort\": 22"))));
        var rules = new[] { Rule(id: web.Id), Rule(port: 22, id: ssh.Id) }.Select(r => list.Apply(r, DateTimeOffset.UtcNow)).ToList();
        var requests = rules.Select(r => { var e = RuleInput.FromRule(r); return new ChangeRequest(e.Rule, e.Identity, true, e.Status); }).ToList();

        var results = ChangeRun.Changes(_ => ec2, requests, new PlanOptions(PlanKind.Revoke, "run-1"));

        var kept = results.Single(r => r.FromPort == 443);
        Assert.Equal(ChangeStatus.Excepted, kept.Status);
        Assert.Contains("alice@example.com", kept.Error);
        Assert.Equal(ChangeStatus.Revoked, results.Single(r => r.FromPort == 22).Status);
        Assert.Equal(new[] { web.Id }, ec2.Groups["sg-0web"].Select(r => r.Id));
        Assert.Equal(1, ec2.Count("RevokeSecurityGroupIngress"));
    }

    [Fact]
    public void A_record_keeps_the_exception_and_a_finding_is_suppressed_with_its_note_until_it_ends()
    {
        var list = new ExceptionList(ExceptionFile.FromJson("exceptions.json", File(Web, With(With(Web, "Ticket", "\"CHG-0\""), "Ends", "\"2026-01-01T00:00:00Z\"").Replace("\"Source\": \"0.0.0.0/0\"", "\"Source\": \"::/0\""))));
        var rules = new[] { list.Apply(Rule(), DateTimeOffset.UtcNow), list.Apply(Rule(cidr: "::/0"), DateTimeOffset.UtcNow) };
        var run = new AuditRunInfo("run-1", DateTime.UtcNow, "test");
        var read = AuditRecordReader.Read(Encoding.UTF8.GetString(AuditRecordFormat.Write(rules.Select(RuleInput.FromRule).ToList(), run, AuditFormat.JsonLines)));
        Assert.Equal(rules.Select(r => (r.ExceptionState, r.ExceptionOwner, r.ExceptionTicket, r.ExceptionEnds, r.ExceptionNote)),
            read.Select(e => (e.Rule.ExceptionState, e.Rule.ExceptionOwner, e.Rule.ExceptionTicket, e.Rule.ExceptionEnds, e.Rule.ExceptionNote)));

        var subjects = FindingSubject.Of(read.Select((e, i) => new Reporting.ReportRow(e, null, null, i)).ToList(), DateTime.UtcNow);
        var workflow = subjects.OrderBy(s => s.Rule.CidrIpv6 != null).Select(s => (Json.JsonObject)Json.JsonParser.Parse(Json.JsonWriter.Write(AsffFinding.Build(s)))!).ToList();
        Assert.Equal("SUPPRESSED", ((Json.JsonObject)workflow[0]["Workflow"]!).GetString("Status"));
        Assert.Contains("alice@example.com", ((Json.JsonObject)workflow[0]["Note"]!).GetString("Text"));
        Assert.Equal("NEW", ((Json.JsonObject)workflow[1]["Workflow"]!).GetString("Status"));
        Assert.Contains("ended 2026-01-01", ((Json.JsonObject)workflow[1]["Note"]!).GetString("Text"));
    }
}
