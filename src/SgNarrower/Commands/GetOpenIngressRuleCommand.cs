using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Completers;
using SgNarrower.Concurrency;
using SgNarrower.Matching;
using SgNarrower.Offline;
using SgNarrower.Scanning;

namespace SgNarrower.Commands
{
    /// <summary>Finds EC2 security-group ingress rules open to the world, one object per rule.</summary>
    [Cmdlet(VerbsCommon.Get, "OpenIngressRule", DefaultParameterSetName = LiveSet)]
    [OutputType(typeof(OpenIngressRule))]
    public sealed class GetOpenIngressRuleCommand : AwsCmdlet
    {
        private const string LiveSet = "Live";
        private const string OfflineSet = "Offline";

        /// <summary>The role to assume in each account (arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;RoleName&gt;).</summary>
        [Parameter, ValidatePattern(RoleNamePattern), ValidatePlainText]
        public string? RoleName { get; set; }

        [Parameter, ValidatePattern(ExternalIdPattern), ValidatePlainText]
        public string? ExternalId { get; set; }

        /// <summary>How many (account, region) scopes are worked on at once.</summary>
        [Parameter, ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>The share of each of EC2's per-account, per-region request buckets to use, 0.05 to 1.</summary>
        [Parameter, ValidateRange(0.05, 1.0)]
        public double RateShare { get; set; } = 1.0;

        protected override AwsConnection Connection => base.Connection with { RateShare = RateShare };

        [Parameter(ParameterSetName = LiveSet, Position = 0), Parameter(ParameterSetName = OfflineSet), ArgumentCompleter(typeof(RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? Region { get; set; }

        [Parameter(ParameterSetName = OfflineSet, Mandatory = true, ValueFromPipelineByPropertyName = true), Alias("FullName", "PSPath"), ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        [Parameter(ParameterSetName = LiveSet, ValueFromPipelineByPropertyName = true), ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? GroupId { get; set; }

        /// <summary>Accounts to scan, each through -RoleName.</summary>
        [Parameter(ParameterSetName = LiveSet), ValidateNotNullOrEmpty, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string[]? AccountId { get; set; }

        [Parameter(ParameterSetName = LiveSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? VpcId { get; set; }

        [Parameter(ParameterSetName = LiveSet), ValidateRange(5, 1000)]
        public int PageSize { get; set; } = 1000;

        /// <summary>Adds each rule's exposure: whether what carries its group is reachable from the internet.</summary>
        [Parameter(ParameterSetName = LiveSet), Parameter(ParameterSetName = OfflineSet)]
        public SwitchParameter IncludeExposure { get; set; }

        /// <summary>Only rules of these exposures (implies -IncludeExposure).</summary>
        [Parameter(ParameterSetName = LiveSet), Parameter(ParameterSetName = OfflineSet), ValidateNotNullOrEmpty]
        public ExposureLevel[]? Exposure { get; set; }

        /// <summary>Offline exposure: a saved 'aws ec2 describe-network-interfaces' export of the same region.</summary>
        [Parameter(ParameterSetName = OfflineSet), ValidateNotNullOrEmpty]
        public string? NetworkInterfacePath { get; set; }

        /// <summary>Offline exposure: a saved 'aws ec2 describe-route-tables' export of the same region.</summary>
        [Parameter(ParameterSetName = OfflineSet), ValidateNotNullOrEmpty]
        public string? RouteTablePath { get; set; }

        /// <summary>Also lists rules opened on purpose whose sgnarrower:open-until deadline lies ahead.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public SwitchParameter IncludeTemporary { get; set; }

        /// <summary>An exceptions file (.json, .csv or .psd1): rules it names carry its owner, reason, ticket and end.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string? ExceptionPath { get; set; }

        /// <summary>An exceptions file in S3 (s3://bucket/key).</summary>
        [Parameter(ParameterSetName = LiveSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? ExceptionUri { get; set; }

        /// <summary>The account that owns the buckets of -ExceptionUri and -CloudTrailUri, where it is not the caller's own (a log archive).</summary>
        [Parameter(ParameterSetName = LiveSet), ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? ExpectedBucketOwner { get; set; }

        /// <summary>Where a trail delivers its logs (s3://bucket or s3://bucket/prefix): who opened each rule is read from there.</summary>
        [Parameter(ParameterSetName = LiveSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? CloudTrailUri { get; set; }

        /// <summary>CloudTrail log files (.json.gz, .json) or folders of them.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string[]? CloudTrailPath { get; set; }

        /// <summary>The CSV result of the shipped Athena query (sql/cloudtrail-provenance.sql), files or folders of them, instead of the trail's logs.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string[]? CloudTrailResultPath { get; set; }

        /// <summary>The Athena query's result in S3: s3://bucket/key.csv, or a prefix whose .csv objects are all read.</summary>
        [Parameter(ParameterSetName = LiveSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? CloudTrailResultUri { get; set; }

        /// <summary>The start of the window of CloudTrail records read; 90 days ago by default.</summary>
        [Parameter]
        public DateTime CloudTrailSince { get; set; } = DateTime.UtcNow.AddDays(-90);

        /// <summary>An organisation trail's id (o-...): its logs are under AWSLogs/&lt;o-id&gt;/&lt;account&gt;/.</summary>
        [Parameter(ParameterSetName = LiveSet), ValidatePattern(@"^o-[a-z0-9]{10,32}\z"), ValidatePlainText]
        public string? OrganizationId { get; set; }

        private bool Traced => CloudTrailUri != null || CloudTrailPath != null || CloudTrailResultPath != null || CloudTrailResultUri != null;

        /// <summary>
        /// The rules with who opened each, from the trail's records of the window: only the accounts and regions that
        /// hold open rules are read, several files at once.
        /// </summary>
        private IEnumerable<OpenIngressRule> Trace(List<OpenIngressRule> rules, IAwsSession? session, string? region)
        {
            string Resolved(string p) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p);
            var request = new Provenance.CloudTrailRequest
            {
                LogPaths = (CloudTrailPath ?? Array.Empty<string>()).Select(Resolved).ToList(),
                ResultPaths = (CloudTrailResultPath ?? Array.Empty<string>()).Select(Resolved).ToList(),
                TrailUri = session != null ? CloudTrailUri : null,
                OrganizationId = OrganizationId,
                ResultUris = session != null ? CloudTrailResultUri ?? Array.Empty<string>() : Array.Empty<string>(),
                Since = new DateTimeOffset(CloudTrailSince.ToUniversalTime()),
                Until = _now,
            };
            List<OpenIngressRule> traced = rules;
            try
            {
                traced = Provenance.ProvenanceRun.Trace(rules, request, () => session!.S3(region!), () => BucketOwner(session!, ExpectedBucketOwner, region!), ThrottleLimit,
                    Notes(new WorkerNotes { Progress = p => WriteProgress(new ProgressRecord(5, "Reading CloudTrail", p.Text) { PercentComplete = p.Percent }) }), StopToken);
            }
            catch (FileNotFoundException e) { Stop("FileNotFound", ErrorCategory.ObjectNotFound, e.Message, e.FileName, e); }
            catch (FormatException e) { Stop("InvalidUri", ErrorCategory.InvalidArgument, e.Message, null, e); }
            WriteProgress(new ProgressRecord(5, "Reading CloudTrail", "Done") { RecordType = ProgressRecordType.Completed });
            return traced;
        }

        private Exceptions.ExceptionList? _exceptions;
        private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

        /// <summary>The rule as it stands against the exceptions file, if one was given.</summary>
        private OpenIngressRule Excepted(OpenIngressRule rule) => _exceptions?.Apply(rule, _now) ?? rule;

        /// <summary>Says which exceptions that have not ended named no open rule where this scan looked: stale.</summary>
        private void WarnStale(Func<Exceptions.ExceptionEntry, bool> inView)
        {
            foreach (var entry in _exceptions?.Stale(_now, inView) ?? Array.Empty<Exceptions.ExceptionEntry>())
                WriteWarning($"Stale: {entry.Name} names no open rule in the accounts and regions scanned. Remove it, or check its scope.");
        }

        [Parameter, ValidateRange(0, 65535)]
        public int[]? Port { get; set; }

        [Parameter]
        public PortPolicy PortPolicy { get; set; } = PortPolicy.All;

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? AuthorizedTcpPort { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? AuthorizedUdpPort { get; set; }

        [Parameter, ValidateRange(0, 32)]
        public int? BroadIpv4PrefixLength { get; set; }

        [Parameter, ValidateRange(0, 128)]
        public int? BroadIpv6PrefixLength { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? IncludeCidr { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? ExcludeGroupId { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? ExcludeGroupTag { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? ExcludeRuleTag { get; set; }

        private OpenRuleMatcher? _matcher;
        private readonly List<string> _groupIds = new List<string>();
        private readonly List<string> _paths = new List<string>();

        protected override void BeginProcessing()
        {
            if (ParameterSetName == OfflineSet)
            {
                var conflicting = ConnectionParameterNames.Where(MyInvocation.BoundParameters.ContainsKey).ToList();
                if (conflicting.Count > 0)
                    ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                        $"-Path scans a saved file and calls no AWS service; leave out -{string.Join(", -", conflicting)}.", null));
                if (Region != null && Region.Length > 1)
                    ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                        "With -Path, -Region only labels the rules read from the file: give one region, the one the file was exported from.", null));
            }
            try
            {
                _matcher = new OpenRuleMatcher(OpenRulePolicy.Create(PortPolicy, Port, AuthorizedTcpPort, AuthorizedUdpPort,
                    BroadIpv4PrefixLength, BroadIpv6PrefixLength, IncludeCidr, ExcludeGroupId, ExcludeGroupTag, ExcludeRuleTag));
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidPolicy", ErrorCategory.InvalidArgument, e.Message, null, e));
            }
        }

        protected override void ProcessRecord()
        {
            if (GroupId != null) _groupIds.AddRange(GroupId);
            if (Path != null) _paths.AddRange(Path);
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == OfflineSet) ScanFiles();
            else ScanLive();
        }

        private void ScanFiles()
        {
            var files = new List<string>();
            foreach (var p in _paths)
            {
                try
                {
                    var resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(p, out var provider);
                    if (provider.Name != "FileSystem") throw new ItemNotFoundException($"'{p}' is not a file system path.");
                    foreach (var folder in resolved.Where(Directory.Exists))
                        ThrowTerminatingError(Errors.Record("PathIsFolder", ErrorCategory.InvalidArgument,
                            $"'{folder}' is a folder. Give the export file itself, or its files: Get-ChildItem '{folder}' -Filter *.json | Get-OpenIngressRule.", folder));
                    files.AddRange(resolved);
                }
                catch (ItemNotFoundException e)
                {
                    ThrowTerminatingError(Errors.Record("FileNotFound", ErrorCategory.ObjectNotFound, $"Cannot read '{p}': {e.Message}", p, e));
                }
            }
            var label = Region?.FirstOrDefault();
            var exposure = ReadNetworkExports(NetworkInterfacePath, RouteTablePath, IncludeExposure || Exposure != null);
            _exceptions = ReadExceptions(ExceptionPath, null, () => throw new InvalidOperationException("An offline scan reads no S3."), null, null);
            var owners = new HashSet<string>(StringComparer.Ordinal);
            var held = Traced ? new List<OpenIngressRule>() : null;
            var scanner = new OpenRuleScanner(_matcher!);
            foreach (var file in files)
            {
                // Streamed group by group: memory stays flat however large the export.
                int groups = 0, found = 0;
                try
                {
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                    void Progress(int read)
                    {
                        groups = read;
                        if (read % 2000 == 0)
                            WriteProgress(new ProgressRecord(3, "Reading " + System.IO.Path.GetFileName(file), $"{read} group(s), {found} open rule(s)")
                            {
                                PercentComplete = stream.Length > 0 ? (int)(stream.Position * 100 / stream.Length) : -1,
                            });
                    }
                    foreach (var rule in scanner.ScanExport(SecurityGroupStream.Read(stream, _matcher!.IsOpenSource), label, exposure, Exposure, Progress))
                    {
                        found++;
                        if (rule.OwnerId != null) owners.Add(rule.OwnerId);
                        if (held != null) held.Add(Excepted(rule));
                        else WriteObject(Excepted(rule));
                    }
                }
                catch (SecurityGroupFileException e)
                {
                    ThrowTerminatingError(Errors.Record("InvalidSecurityGroupFile", ErrorCategory.InvalidData, $"'{file}': {e.Message}", file, e));
                    return;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(Errors.Record("FileUnreadable", ErrorCategory.ReadError, $"Cannot read '{file}': {e.Message}", file, e));
                    return;
                }
                WriteProgress(new ProgressRecord(3, "Reading " + System.IO.Path.GetFileName(file), "Done") { RecordType = ProgressRecordType.Completed });
                WriteVerbose($"{file}: {groups} security group(s), {found} open rule(s)");
            }
            WarnStale(e => (e.Region == null || e.Region == label) && (e.AccountId == null || owners.Contains(e.AccountId)));
            // Who opened each rule, once the whole export is read (an offline scan reads local CloudTrail files only).
            if (held != null) foreach (var rule in Trace(held, null, null)) WriteObject(rule);
        }

        private void ScanLive()
        {
            if (AccountId != null && RoleName == null)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                    "-AccountId needs -RoleName: the role to assume in each of those accounts.", null));
            if (RoleName != null && AccountId == null)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                    "-RoleName needs -AccountId: the accounts to assume it in.", null));
            using var session = OpenSession();
            var patterns = (Region is { Length: > 0 } ? Region : new[] { ResolveRegion(session, null) }).Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
            var concrete = patterns.FirstOrDefault(p => !RegionPatterns.HasWildcard(p));
            // A region name that is not one stops the command before any call.
            foreach (var p in patterns.Where(p => !RegionPatterns.HasWildcard(p)))
            {
                try { session.Ec2(p); }
                catch (AwsSetupException e) { ThrowSetup(e); }
            }
            var home = concrete ?? session.DefaultRegion ?? "us-east-1";
            _exceptions = ReadExceptions(ExceptionPath, ExceptionUri, () => session, home, ExpectedBucketOwner);
            var estate = new EstateScan(Accounts(session, AuditRunInfo.New(ModuleInfo.Tool).RunId, home, RoleName, ExternalId), patterns, home, _matcher!,
                new ScanScope { GroupIds = _groupIds, VpcIds = VpcId ?? Array.Empty<string>(), PageSize = PageSize, IncludeTemporary = IncludeTemporary,
                    IncludeExposure = IncludeExposure, Exposure = Exposure });

            // First the scopes: each account's regions; then every scope at once, up to -ThrottleLimit.
            var scopes = new List<Scope>();
            RunScopes<Scope, Scope>(estate.Accounts(AccountId), ThrottleLimit, estate.Regions, scopes.Add);
            const int activityId = 1;
            int done = 0, found = 0;
            void Progress(string current) => WriteProgress(new ProgressRecord(activityId, "Scanning security groups",
                $"{done} of {scopes.Count} account-region scope(s) done, {found} open rule(s)")
            {
                PercentComplete = scopes.Count > 1 ? done * 100 / scopes.Count : -1,
                CurrentOperation = current,
            });
            // With CloudTrail, rules are held until the trail is read (only where they are); else they stream out.
            var held = Traced ? new List<OpenIngressRule>() : null;
            RunScopes<Scope, OpenIngressRule>(scopes, ThrottleLimit, estate.Scan, rule =>
            {
                found++;
                if (held != null) held.Add(Excepted(rule));
                else WriteObject(Excepted(rule));
            },
            sc =>
            {
                done++;
                Progress($"{sc} done");
            },
            p => Progress(p.Text));
            WriteProgress(new ProgressRecord(activityId, "Scanning security groups", "Done") { RecordType = ProgressRecordType.Completed });
            if (held != null) foreach (var rule in Trace(held, session, home)) WriteObject(rule);
            if (_exceptions != null)
            {
                // The caller's own account (a scope of no account) is looked up only where an entry names an account.
                string? caller = null;
                string? Caller()
                {
                    try { return caller ??= session.AccountId(home); }
                    catch (AwsServiceException) { return null; }
                }
                WarnStale(e => scopes.Any(s => (e.Region == null || s.Region == e.Region) && (e.AccountId == null || (s.Account ?? Caller()) == e.AccountId)));
            }
        }
    }
}
