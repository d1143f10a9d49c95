using SgNarrower.AwsSdk;
using SgNarrower.Concurrency;
using SgNarrower.AwsApi;
using SgNarrower.TestEc2;
using Xunit;

namespace SgNarrower.Tests;

public sealed class ScopeRunnerTests
{
    [Fact]
    public void Workers_run_at_once_but_everything_they_report_is_handed_over_on_the_calling_thread()
    {
        int caller = Environment.CurrentManagedThreadId;
        var workerThreads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        int running = 0, most = 0;
        var results = new List<(int Thread, string Result)>();
        var verbose = new List<int>();
        var done = new List<int>();
        ScopeRunner.Run(Enumerable.Range(0, 12).ToList(), 4, (int scope, IWorkerSink<string> sink) =>
        {
            workerThreads[Environment.CurrentManagedThreadId] = true;
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            for (int i = 0; i < 3; i++) { sink.Result($"{scope}:{i}"); Thread.Sleep(5); }
            sink.Verbose($"scope {scope}");
            Interlocked.Decrement(ref running);
        }, new WorkerHandlers<string>
        {
            Result = r => results.Add((Environment.CurrentManagedThreadId, r)),
            Verbose = _ => verbose.Add(Environment.CurrentManagedThreadId),
        }, done: scope => done.Add(Environment.CurrentManagedThreadId));

        Assert.All(results.Select(r => r.Thread).Concat(verbose).Concat(done), t => Assert.Equal(caller, t));
        Assert.DoesNotContain(caller, workerThreads.Keys);
        Assert.InRange(most, 2, 4);
        Assert.Equal(12 * 3, results.Count);
        Assert.Equal(12, done.Count);
        // Within one scope, in the order reported.
        foreach (var scope in Enumerable.Range(0, 12))
            Assert.Equal(new[] { $"{scope}:0", $"{scope}:1", $"{scope}:2" },
                results.Select(r => r.Result).Where(r => r.StartsWith($"{scope}:", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_scope_that_throws_is_one_failure_naming_it_and_the_others_go_on()
    {
        var failures = new List<WorkFailure>();
        var outputs = new List<string>();
        ScopeRunner.Run(new[] { "a", "bad", "c" }, 2, (string s, IWorkerSink<string> sink) =>
        {
            if (s == "bad") throw new InvalidOperationException("no");
            sink.Result(s);
        }, new WorkerHandlers<string> { Result = outputs.Add, Failure = failures.Add });
        var failure = Assert.Single(failures);
        Assert.Equal(("bad", null, "no"), (failure.Item, failure.Scope, failure.Error.Message));
        Assert.Equal(new[] { "a", "c" }, outputs.OrderBy(o => o));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public void Region_wildcards_expand_against_the_enabled_regions_and_names_pass_as_given()
    {
        var enabled = new[] { "us-east-1", "eu-west-1", "eu-central-1", "ap-south-1" };
        Assert.Equal(new[] { "eu-central-1", "eu-west-1" }, RegionPatterns.Expand(new[] { "eu-*" }, enabled));
        Assert.Equal(enabled.OrderBy(r => r, StringComparer.Ordinal), RegionPatterns.Expand(new[] { "*" }, enabled));
        Assert.Equal(new[] { "us-west-2", "eu-central-1", "eu-west-1" }, RegionPatterns.Expand(new[] { "us-west-2", "eu-*", "eu-west-1" }, enabled));
        Assert.Empty(RegionPatterns.Expand(new[] { "sa-*" }, enabled));
    }

    [Theory]
    [InlineData("us-east-1", "arn:aws:iam::111111111111:role/Audit")]
    [InlineData("cn-north-1", "arn:aws-cn:iam::111111111111:role/Audit")]
    [InlineData("us-gov-west-1", "arn:aws-us-gov:iam::111111111111:role/Audit")]
    public void Role_arns_take_the_partition_from_the_region(string region, string arn) =>
        Assert.Equal(arn, new RoleRequest("111111111111", "Audit", null, "s").RoleArn(region));

    [Fact]
    public void Session_names_identify_the_run_within_sts_limits()
    {
        Assert.Equal("SgNarrower-20261127T232508Z-cd39f91c6999", AccountSessions.SessionName("20261127T232508Z-cd39f91c6999"));
        var longName = AccountSessions.SessionName(new string('x', 80) + " with spaces");
        Assert.Equal(64, longName.Length);
        Assert.Matches(@"^[\w+=,.@-]+$", longName);
    }
}

/// <summary>Account sessions and pacing through the real SDK against the tests' STS and EC2 stand-ins.</summary>
public sealed class AccountHttpTests : IDisposable
{
    private readonly Ec2TestServer _server = new Ec2TestServer().Start();

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Assumed_role_credentials_are_refreshed_before_they_expire_and_a_missing_role_is_one_error_for_its_account()
    {
        _server.Service.Load(new WorldSpec
        {
            // Two seconds: the stand-in STS writes the expiry in whole seconds, so one second could already be over.
            CredentialSeconds = 2,
            Accounts =
            {
                ["111111111111"] = new AccountSpec { Roles = { "Audit" }, Regions = { ["us-east-1"] = new RegionSpec { Groups = { new GroupSpec { GroupId = "sg-1" } } } } },
                ["222222222222"] = new AccountSpec { Roles = { "Other" } },
            },
        });
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", null);
        using var caller = new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a", SecretKey = "b", EndpointUrl = _server.Url });
        // STS is the same local server: reached through the role's own STS client config, as AWS_ENDPOINT_URL_STS would.
        var sessions = new AccountSessions(new StsAtServer(caller, _server.Url), "Audit", null, "run-1", "us-east-1");
        var api = sessions.For("111111111111", "us-east-1").Ec2("us-east-1");
        for (int i = 0; i < 3; i++)
        {
            Assert.Empty(api.DescribeSecurityGroupRules(new[] { "sg-1" }, 1000, null).Items);   // signed with fresh credentials each time
            Thread.Sleep(2100);
        }
        Assert.True(_server.Sts.Calls().Count(c => c.Action == "AssumeRole") >= 3, "credentials that expire after two seconds were fetched again");
        Assert.All(_server.Service.Calls(), c => Assert.Equal("111111111111", c.Account));

        var e = Assert.Throws<AccountUnavailableException>(() => sessions.For("222222222222", "us-east-1"));
        Assert.Equal("AssumeRoleFailed", e.Failure.ErrorId);
        Assert.Contains("222222222222", e.Message);
        Assert.Throws<AccountUnavailableException>(() => sessions.For("222222222222", "eu-west-1"));
        Assert.Equal(1, _server.Sts.Calls().Count(c => c.Action == "AssumeRole" && c.RoleArn!.Contains("222222222222")));
    }

    /// <summary>The caller's session, with its STS calls sent to the local server (as AWS_ENDPOINT_URL_STS does for a process).</summary>
    private sealed class StsAtServer : IAwsSession
    {
        private readonly IAwsSession _inner;
        private readonly string _url;
        public StsAtServer(IAwsSession inner, string url) { _inner = inner; _url = url; }
        public string? DefaultRegion => _inner.DefaultRegion;
        public IEc2Api Ec2(string region) => _inner.Ec2(region);
        public IS3Api S3(string region) => _inner.S3(region);
        public IKmsApi Kms(string region) => _inner.Kms(region);
        public string AccountId(string region) => _inner.AccountId(region);
        public IAwsSession AssumeRole(RoleRequest role, string region)
        {
            lock (EnvLock)
            {
                Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", _url);
                try { return _inner.AssumeRole(role, region); }
                finally { Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", null); }
            }
        }
        public void Dispose() { }
    }

    private static readonly object EnvLock = new();

    [Fact]
    public void A_throttled_call_is_waited_out_by_our_own_retries_not_the_sdks()
    {
        _server.Service.Load(new WorldSpec { Regions = { ["us-east-1"] = new RegionSpec { Groups = { new GroupSpec { GroupId = "sg-1" } } } } });
        _server.Service.AddFault(new FaultSpec { Action = "DescribeSecurityGroupRules", Code = "RequestLimitExceeded", Status = 503, Times = 3 });
        using var session = new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a", SecretKey = "b", EndpointUrl = _server.Url });
        var page = session.Ec2("us-east-1").DescribeSecurityGroupRules(new[] { "sg-1" }, 1000, null);
        Assert.Empty(page.Items);
        Assert.Equal(4, _server.Service.Calls().Count(c => c.Action == "DescribeSecurityGroupRules"));
    }

    [Fact]
    public void Throttling_past_the_patience_bound_fails_and_says_how_long_it_waited()
    {
        _server.Service.Load(new WorldSpec());
        _server.Service.AddFault(new FaultSpec { Action = "DescribeSecurityGroupRules", Code = "RequestLimitExceeded", Status = 503, Times = -1 });
        using var session = new AwsClientFactory().CreateSession(new AwsConnection { AccessKey = "a", SecretKey = "b", EndpointUrl = _server.Url, ThrottlePatience = TimeSpan.FromSeconds(2) });
        var e = Assert.Throws<AwsServiceException>(() => session.Ec2("us-east-1").DescribeSecurityGroupRules(new[] { "sg-1" }, 1000, null));
        Assert.Equal("RequestLimitExceeded", e.ErrorCode);
        Assert.Contains("patient waiting", e.Message);
        Assert.Equal("Throttled", AwsErrors.Explain(e, "x").ErrorId);
    }
}
