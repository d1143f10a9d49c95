using System.IO.Compression;
using System.Text;
using SgNarrower.Concurrency;
using SgNarrower.Evidence;
using SgNarrower.Provenance;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>Who opened a rule, from CloudTrail records of the shapes AWS documents, read the way a trail delivers them.</summary>
public sealed class ProvenanceTests
{
    private static readonly DateTimeOffset Since = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), Until = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Pester", "cloudtrail", name);

    /// <summary>The CloudTrail record inside one of the EventBridge events the event closer's tests use.</summary>
    private static string Detail(string name) =>
        Json.JsonWriter.Write(ToPairs(((Json.JsonObject)Json.JsonParser.Parse(File.ReadAllText(Fixture(name)))!)["detail"]));

    private static object? ToPairs(object? v) => v switch
    {
        Json.JsonObject o => o.Select(kv => new KeyValuePair<string, object?>(kv.Key, ToPairs(kv.Value))).ToList(),
        List<object?> l => l.Select(ToPairs).ToList(),
        Json.JsonNumber n => long.Parse(n.Text),
        _ => v,
    };

    private static string Trail(params string[] records) => "{\"Records\":[" + string.Join(",", records) + "]}";

    private static OpenIngressRule Rule(string id = "sgr-0aa1", int port = 3389, string group = "sg-0002") => new()
    {
        OwnerId = "123456789012", Region = "us-east-1", GroupId = group, SecurityGroupRuleId = id, IpProtocol = "tcp", FromPort = port, ToPort = port, CidrIpv4 = "0.0.0.0/0",
    };

    private static ProvenanceIndex Index(params string[] records)
    {
        var index = new ProvenanceIndex(Since, Until);
        foreach (var e in CloudTrailReader.Read(JsonBytes.Utf8(Trail(records)), "trail.json")) index.Add(e);
        return index;
    }

    [Fact]
    public void An_authorize_names_who_opened_the_rule_by_its_id_with_the_role_its_session_came_from()
    {
        var rule = Index(Detail("authorize-by-group-id.json")).Apply(Rule());
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/Admin/alice", rule.OpenedBy);
        Assert.Equal(("AssumedRole", "arn:aws:iam::123456789012:role/Admin"), (rule.OpenedByType, rule.OpenedByIssuer));
        Assert.Equal((DateTimeOffset?)new DateTimeOffset(2026, 12, 7, 9, 15, 1, TimeSpan.Zero), rule.OpenedAt);
        Assert.Equal(("198.51.100.23", "AuthorizeSecurityGroupIngress"), (rule.OpenedFrom, rule.OpenedWith));
        Assert.Equal(rule.OpenedAt, rule.LastChangedAt);
    }

    [Fact]
    public void A_rule_authorized_by_group_name_or_from_a_stack_is_found_by_the_group_in_the_response()
    {
        var byName = Index(Detail("authorize-by-group-name.json")).Apply(Rule());
        Assert.Equal(("arn:aws:iam::123456789012:user/bob", "IAMUser", null), (byName.OpenedBy, byName.OpenedByType, byName.OpenedByIssuer));
        var stack = Index(Detail("authorize-from-stack.json")).Apply(Rule());
        Assert.Equal(("cloudformation.amazonaws.com", "AuthorizeSecurityGroupIngress through cloudformation.amazonaws.com"), (stack.OpenedFrom, stack.OpenedWith));
    }

    [Fact]
    public void A_modify_that_opened_the_rule_is_who_opened_it_one_that_changed_only_its_description_is_a_change()
    {
        // The rule was private (10.0.0.0/8) when authorized, then edited in place to the world.
        var private_ = Detail("authorize-by-group-id.json").Replace("\"cidrIp\":\"0.0.0.0/0\"", "\"cidrIp\":\"10.0.0.0/8\"").Replace("\"cidrIpv4\":\"0.0.0.0/0\"", "\"cidrIpv4\":\"10.0.0.0/8\"");
        var modify = Detail("modify-rules.json").Replace("assumed-role/Admin/alice", "assumed-role/Admin/carol").Replace("2026-12-07T09:", "2026-12-07T10:");
        var opened = Index(private_, modify).Apply(Rule());
        Assert.Equal(("arn:aws:sts::123456789012:assumed-role/Admin/carol", "ModifySecurityGroupRules"), (opened.OpenedBy, opened.OpenedWith));

        // Authorized open, then only its description edited: the authorize opened it; the modify is its last change.
        var described = Index(Detail("authorize-by-group-id.json"), modify).Apply(Rule());
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/Admin/alice", described.OpenedBy);
        Assert.True(described.LastChangedAt > described.OpenedAt);

        // A modify alone says what the rule allows after it, not before: who opened it is not guessed.
        var alone = Index(modify).Apply(Rule());
        Assert.Null(alone.OpenedBy);
        Assert.StartsWith("Opened before 2026-12-01T00:00:00Z", alone.ProvenanceNote);
        Assert.NotNull(alone.LastChangedAt);
    }

    [Fact]
    public void An_older_record_without_rule_ids_is_matched_by_group_and_what_the_rule_allows()
    {
        var old = Detail("authorize-by-group-id.json");
        old = old.Substring(0, old.IndexOf("\"securityGroupRuleSet\"", StringComparison.Ordinal)).TrimEnd(',', ' ') + "}" + old.Substring(old.IndexOf("},\"requestID\"", StringComparison.Ordinal) + 1);
        var index = Index(old);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/Admin/alice", index.Apply(Rule(id: "sgr-0zz9")).OpenedBy);
        Assert.Null(index.Apply(Rule(port: 22)).OpenedBy);
        Assert.Null(index.Apply(Rule(group: "sg-0003")).OpenedBy);
    }

    [Fact]
    public void Records_of_another_account_or_region_a_failed_call_and_other_calls_name_nobody()
    {
        var other = Detail("authorize-by-group-id.json").Replace("\"recipientAccountId\":\"123456789012\"", "\"recipientAccountId\":\"444455556666\"");
        var elsewhere = Detail("authorize-by-group-id.json").Replace("\"awsRegion\":\"us-east-1\"", "\"awsRegion\":\"eu-west-1\"");
        var failed = Detail("authorize-by-group-id.json").Replace("\"eventName\"", "\"errorCode\":\"Client.UnauthorizedOperation\",\"eventName\"");
        var describe = Detail("authorize-by-group-id.json").Replace("AuthorizeSecurityGroupIngress", "DescribeSecurityGroups");
        var rule = Index(other, elsewhere, failed, describe).Apply(Rule());
        Assert.Null(rule.OpenedBy);
        Assert.Contains("Opened before", rule.ProvenanceNote);
    }

    [Fact]
    public void Gzip_files_are_read_several_at_once_and_a_broken_one_is_a_failure_of_its_own()
    {
        var folder = Directory.CreateTempSubdirectory("sgn-trail-").FullName;
        try
        {
            void Gz(string name, string text)
            {
                using var file = File.Create(Path.Combine(folder, name));
                using var gz = new GZipStream(file, CompressionLevel.Fastest);
                gz.Write(Encoding.UTF8.GetBytes(text));
            }
            Gz("a.json.gz", Trail(Detail("authorize-by-group-id.json")));
            Gz("b.json.gz", Trail(Detail("authorize-from-stack.json").Replace("sgr-0aa1", "sgr-0bb2").Replace("\"fromPort\":3389,\"toPort\":3389", "\"fromPort\":22,\"toPort\":22")));
            File.WriteAllText(Path.Combine(folder, "broken.json"), Trail(Detail("modify-rules.json")).Substring(0, 200));
            var index = new ProvenanceIndex(Since, Until);
            var failures = new List<WorkFailure>();
            CloudTrailSources.Read(CloudTrailSources.Local(new[] { folder }).ToList(), index, 2, new WorkerNotes { Failure = failures.Add }, CancellationToken.None);
            Assert.True(2 == index.Events, string.Join("; ", failures.Select(f => f.Item + ": " + f.Error)));
            Assert.Equal("CloudTrailUnreadable", Assert.IsType<ScopeFailure>(Assert.Single(failures).Error).ErrorId);
            Assert.NotNull(index.Apply(Rule()).OpenedBy);
            Assert.Equal("AuthorizeSecurityGroupIngress through cloudformation.amazonaws.com", index.Apply(Rule(id: "sgr-0bb2", port: 22)).OpenedWith);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void The_layout_is_read_only_for_the_days_of_the_window_and_the_scopes_asked()
    {
        var days = CloudTrailSources.DayPrefixes("trail/", "o-abcdefghij", "123456789012", "us-east-1", Since, Since.AddDays(1)).ToList();
        Assert.Equal(new[]
        {
            "trail/AWSLogs/o-abcdefghij/123456789012/CloudTrail/us-east-1/2026/12/01/",
            "trail/AWSLogs/o-abcdefghij/123456789012/CloudTrail/us-east-1/2026/12/02/",
        }, days);
        Assert.Equal("AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/01/", CloudTrailSources.DayPrefixes(null, null, "123456789012", "us-east-1", Since, Since).Single());
    }
}
