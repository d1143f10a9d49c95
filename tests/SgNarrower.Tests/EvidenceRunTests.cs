using System.Text;
using SgNarrower.Audit;
using SgNarrower.Evidence;
using SgNarrower.Exposure;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>Measure-OpenIngressRule's order of work in the core: exposure, then flow logs read at once, then recommendations.</summary>
public sealed class EvidenceRunTests
{
    private static readonly DateTimeOffset Since = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), Until = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    private static FlowLogFile Log(string name, params string[] records)
    {
        var text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" + string.Join("\n", records) + "\n";
        return new FlowLogFile(name, () => new MemoryStream(Encoding.UTF8.GetBytes(text)));
    }

    private static string Record(string src, int port = 22, string action = "ACCEPT") =>
        $"2 111122223333 eni-1 {src} 10.0.0.5 40000 {port} 6 10 840 {Since.AddHours(1).ToUnixTimeSeconds()} {Since.AddHours(1).ToUnixTimeSeconds() + 60} {action} OK";

    /// <summary>A gzip file cut off halfway, as a failed copy leaves it.</summary>
    private static byte[] Truncated(string text)
    {
        var whole = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(whole, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(Encoding.UTF8.GetBytes("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" + text));
        return whole.ToArray().Take((int)whole.Length / 2).ToArray();
    }

    [Fact]
    public void Sources_that_reached_a_rule_become_its_cover_and_an_unreadable_file_is_reported_while_the_rest_counts()
    {
        var rule = RuleInput.FromRule(new OpenIngressRule { Region = "us-east-1", OwnerId = "111122223333", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" });
        var errors = new List<Concurrency.WorkFailure>();
        var progress = new List<Concurrency.WorkProgress>();
        var run = new EvidenceRun(new[] { (rule.Rule, rule.Identity) }, Since, Until, 2, new Concurrency.WorkerNotes
        {
            Failure = errors.Add,
            Progress = progress.Add,
        }, CancellationToken.None);
        run.UseExposure(new ExposureMap(
            NetworkJsonReader.ReadInterfaces("""{"NetworkInterfaces":[{"NetworkInterfaceId":"eni-1","SubnetId":"subnet-1","VpcId":"vpc-1","PrivateIpAddress":"10.0.0.5","Groups":[{"GroupId":"sg-1"}],"Attachment":{"InstanceId":"i-1"}}]}"""),
            NetworkJsonReader.ReadRouteTables("""{"RouteTables":[]}""")));

        run.ReadFlowLogs(new[]
        {
            Log("a.log", Record("203.0.113.5"), Record("203.0.113.9"), Record("198.51.100.1", action: "REJECT")),
            Log("b.log", Record("203.0.113.5"), Record("203.0.113.7", port: 23)),
            new FlowLogFile("broken.log.gz", () => new MemoryStream(Truncated(string.Join("\n", Enumerable.Repeat(Record("192.0.2.1"), 2000))))),
        });
        var measured = Assert.Single(run.Results(8));

        Assert.Equal(Recommendation.Narrow, measured.Recommendation);
        // Rejected traffic and another port do not count; the broken file's records before the cut do.
        Assert.Equal(new[] { "192.0.2.1", "203.0.113.5", "203.0.113.9" }, measured.ObservedSources!.Select(o => o.Address).OrderBy(a => a, StringComparer.Ordinal));
        var cover = measured.ReplaceWith!.Select(Rules.Cidr.Parse).ToList();
        foreach (var source in measured.ObservedSources!)
            Assert.Contains(cover, c => c.Contains(Rules.Cidr.Parse(source.Address + "/32")));
        var failure = Assert.Single(errors);
        Assert.Equal(("broken.log.gz", null), (failure.Item, failure.Scope));
        Assert.Equal("FlowLogUnreadable", Assert.IsType<Concurrency.ScopeFailure>(failure.Error).ErrorId);
        Assert.Equal((3, 3, 100), (progress.Last().Done, progress.Last().Total, progress.Last().Percent));
    }

    /// <summary>A session no call may reach: with saved exposure and local files, measuring asks AWS nothing.</summary>
    private sealed class NoAwsSession : AwsApi.IAwsSession
    {
        public string? DefaultRegion => "us-east-1";
        public AwsApi.IEc2Api Ec2(string region) => throw new InvalidOperationException("EC2 was called");
        public AwsApi.IS3Api S3(string region) => throw new InvalidOperationException("S3 was called");
        public AwsApi.IKmsApi Kms(string region) => throw new InvalidOperationException("KMS was called");
        public string AccountId(string region) => throw new InvalidOperationException("STS was called");
        public AwsApi.IAwsSession AssumeRole(AwsApi.RoleRequest role, string region) => throw new InvalidOperationException("STS was called");
        public void Dispose() { }
    }

    private static ExposureMap Saved() => new(
        NetworkJsonReader.ReadInterfaces("""{"NetworkInterfaces":[{"NetworkInterfaceId":"eni-1","SubnetId":"subnet-1","VpcId":"vpc-1","PrivateIpAddress":"10.0.0.5","Groups":[{"GroupId":"sg-1"}],"Attachment":{"InstanceId":"i-1"}}]}"""),
        NetworkJsonReader.ReadRouteTables("""{"RouteTables":[]}"""));

    private static EvidenceRun Run()
    {
        var rule = RuleInput.FromRule(new OpenIngressRule { Region = "us-east-1", OwnerId = "111122223333", GroupId = "sg-1", IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIpv4 = "0.0.0.0/0" });
        return new EvidenceRun(new[] { (rule.Rule, rule.Identity) }, Since, Until, 2, new Concurrency.WorkerNotes(), CancellationToken.None);
    }

    [Fact]
    public void A_whole_run_over_saved_exposure_and_a_folder_of_logs_calls_no_AWS_service()
    {
        var folder = Directory.CreateTempSubdirectory("sgn-logs-").FullName;
        File.WriteAllText(Path.Combine(folder, "a.log"), "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" + Record("203.0.113.5") + "\n");
        var sources = new EvidenceSources(new[] { folder }, Array.Empty<string>(), false, Array.Empty<string>(), Array.Empty<string>());
        var accounts = new AwsApi.AccountSessions(new NoAwsSession(), null, null, "run-1", "us-east-1");

        var measured = Assert.Single(Run().Measure(sources, Saved(), accounts, () => throw new InvalidOperationException("S3 was called"), 8));

        Assert.Equal(Recommendation.Narrow, measured.Recommendation);
        Assert.Equal("203.0.113.5", Assert.Single(measured.ObservedSources!).Address);
    }

    [Fact]
    public void A_local_source_that_is_not_there_stops_the_run_before_any_log_is_read()
    {
        var sources = new EvidenceSources(new[] { Path.Combine(Path.GetTempPath(), "no-such-flow-logs-" + Guid.NewGuid()) }, Array.Empty<string>(), false, Array.Empty<string>(), Array.Empty<string>());
        var accounts = new AwsApi.AccountSessions(new NoAwsSession(), null, null, "run-1", "us-east-1");
        Assert.Throws<FileNotFoundException>(() => Run().Measure(sources, Saved(), accounts, () => throw new InvalidOperationException("S3 was called"), 8).ToList());
    }
}
