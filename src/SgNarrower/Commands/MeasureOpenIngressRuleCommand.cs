using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Evidence;

namespace SgNarrower.Commands
{
    /// <summary>
    /// Reads VPC flow logs and, for each open rule, finds the sources that really reached it, and proposes the narrowing
    /// that keeps every one of them working (or Revoke, or Keep).
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "OpenIngressRule")]
    [OutputType(typeof(OpenIngressRule))]
    public sealed class MeasureOpenIngressRuleCommand : AwsCmdlet
    {
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

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>The flow logs' S3 destination, as configured on the flow log: s3://bucket or s3://bucket/prefix.</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? FlowLogUri { get; set; }

        /// <summary>Local flow log files (.log, .log.gz) or folders of them.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string[]? FlowLogPath { get; set; }

        /// <summary>The CSV result of the shipped aggregate query (sql/flow-log-aggregate.sql), files or folders of them, instead of raw logs.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string[]? AggregatePath { get; set; }

        /// <summary>Where Athena wrote that result: s3://bucket/key.csv, or s3://bucket/prefix/ for every .csv under it.</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? AggregateUri { get; set; }

        /// <summary>The flow log delivers with Hive-compatible S3 prefixes (its HiveCompatiblePartitions destination option).</summary>
        [Parameter]
        public SwitchParameter HiveCompatiblePartitions { get; set; }

        [Parameter]
        public DateTime Since { get; set; } = DateTime.UtcNow.AddDays(-30);

        [Parameter]
        public DateTime Until { get; set; } = DateTime.UtcNow;

        [Parameter, ValidateRange(1, 64)]
        public int MaxCidr { get; set; } = 8;

        /// <summary>The region of rules that carry none, and of the flow log bucket.</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        /// <summary>What carries the groups, from a saved 'aws ec2 describe-network-interfaces' export instead of calls.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string? NetworkInterfacePath { get; set; }

        /// <summary>The route tables, from a saved 'aws ec2 describe-route-tables' export instead of calls.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string? RouteTablePath { get; set; }

        /// <summary>The URL of the flow logs' S3 store, when it differs from -EndpointUrl (used for EC2).</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? S3EndpointUrl { get; set; }

        private readonly List<AuditEntry> _entries = new List<AuditEntry>();

        protected override void BeginProcessing()
        {
            bool raw = FlowLogUri != null || FlowLogPath != null, aggregate = AggregateUri != null || AggregatePath != null;
            if (!raw && !aggregate)
                ThrowTerminatingError(Errors.Record("NoFlowLogs", ErrorCategory.InvalidArgument,
                    "Say where the flow logs are: -FlowLogUri s3://bucket/prefix (the flow log's S3 destination) or -FlowLogPath (files or folders); or, for logs aggregated by Athena, -AggregateUri or -AggregatePath.", null));
            if (raw && aggregate)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                    "Give raw flow logs (-FlowLogUri, -FlowLogPath) or their aggregate (-AggregateUri, -AggregatePath), not both: the aggregate already holds the records it was made from.", null));
            if (Until <= Since)
                ThrowTerminatingError(Errors.Record("InvalidWindow", ErrorCategory.InvalidArgument, $"-Until ({Until:u}) must come after -Since ({Since:u}).", null));
            foreach (var uri in (FlowLogUri ?? Array.Empty<string>()).Concat(AggregateUri ?? Array.Empty<string>()))
            {
                try { FlowLogSources.ParseS3Uri(uri); }
                catch (FormatException e) { ThrowTerminatingError(Errors.Record("InvalidUri", ErrorCategory.InvalidArgument, e.Message, uri, e)); }
            }
        }

        protected override void ProcessRecord()
        {
            try { _entries.Add(PipelineInput.ToEntry(InputObject!)); }
            catch (FormatException e)
            {
                WriteError(Errors.Record("InvalidRuleObject", ErrorCategory.InvalidData, $"Cannot measure this rule: {e.Message}. Give every field a rule needs.", InputObject, e));
            }
        }

        protected override void EndProcessing()
        {
            if (_entries.Count == 0) return;
            using var session = OpenSession(S3EndpointUrl);
            var runId = AuditRunInfo.New(ModuleInfo.Tool).RunId;
            string? fallback = null;
            var rules = _entries.Select(e => e.Rule.Region != null ? e : new AuditEntry(e.Rule with { Region = fallback ??= ResolveRegion(session, Region) }, e.Identity)).ToList();
            var accounts = Accounts(session, runId, rules[0].Rule.Region, RoleName, ExternalId);
            var run = new EvidenceRun(rules.Select(r => (r.Rule, r.Identity)).ToList(), new DateTimeOffset(Since.ToUniversalTime()), new DateTimeOffset(Until.ToUniversalTime()), ThrottleLimit, Notes(new WorkerNotes
            {
                // Failures name a scope (exposure, accounts) or a file (flow logs, aggregates, their listings).
                Progress = p => WriteProgress(new ProgressRecord(4, "Reading flow logs", p.Text) { PercentComplete = p.Percent }),
            }), StopToken);
            var sources = new EvidenceSources(Paths(FlowLogPath), FlowLogUri ?? Array.Empty<string>(), HiveCompatiblePartitions, Paths(AggregatePath), AggregateUri ?? Array.Empty<string>());
            // What carries each rule's group, per account and region: from saved exports, or in a few calls.
            var saved = ReadNetworkExports(NetworkInterfacePath, RouteTablePath, wanted: false);
            IEnumerable<OpenIngressRule> results;
            try { results = run.Measure(sources, saved, accounts, () => session.S3(ResolveRegion(session, Region ?? rules[0].Rule.Region)), MaxCidr); }
            catch (FileNotFoundException e)
            {
                ThrowTerminatingError(Errors.Record("FileNotFound", ErrorCategory.ObjectNotFound, e.Message, e.FileName, e));
                return;
            }
            if (!sources.Aggregated) WriteProgress(new ProgressRecord(4, "Reading flow logs", "Done") { RecordType = ProgressRecordType.Completed });
            foreach (var rule in results) WriteObject(rule);
        }

        private string[] Paths(string[]? paths) => (paths ?? Array.Empty<string>()).Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToArray();
    }
}
