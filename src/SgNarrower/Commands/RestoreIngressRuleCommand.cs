using SgNarrower.Audit;
using SgNarrower.Changes;
using SgNarrower.AwsApi;

namespace SgNarrower.Commands
{
    /// <summary>Puts rules back exactly as recorded: from a local record, an S3 object, or result objects.</summary>
    [Cmdlet(VerbsData.Restore, "IngressRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = PipelineSet)]
    [OutputType(typeof(IngressRuleChange))]
    public sealed class RestoreIngressRuleCommand : AwsCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string S3Set = "S3";
        private const string UriSet = "Uri";
        private const string PipelineSet = "Pipeline";

        /// <summary>The region for rules that do not name one. A rule's own Region always wins.</summary>
        [Parameter, ArgumentCompleter(typeof(Completers.RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        /// <summary>The account for rules that do not name one (OwnerId). A rule's own OwnerId always wins.</summary>
        [Parameter, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? AccountId { get; set; }

        /// <summary>
        /// Inbound rules a group may hold per address family: EC2's default of 60, or the account's raised quota
        /// (Service Quotas L-0EA8095F). A change that would take a group past it is refused before anything is granted.
        /// </summary>
        [Parameter, ValidateRange(1, Changes.RuleQuota.Most)]
        public int RuleQuota { get; set; } = Changes.RuleQuota.Default;

        [Parameter]
        public SwitchParameter Force { get; set; }

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

        private ChangePump? _pump;

        /// <summary>The change stream of this command and what writes its results, made with the first request.</summary>
        private ChangePump OpenPump(AccountSessions accounts, PlanOptions options) => _pump ??= new ChangePump(accounts, options, ThrottleLimit, PumpHost(Force), StopToken);

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0), ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter(ParameterSetName = S3Set, Mandatory = true), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? BucketName { get; set; }

        [Parameter(ParameterSetName = S3Set, Mandatory = true), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Key { get; set; }

        [Parameter(ParameterSetName = UriSet, Mandatory = true), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Uri { get; set; }

        [Parameter(ParameterSetName = S3Set), Parameter(ParameterSetName = UriSet), ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? ExpectedBucketOwner { get; set; }

        [Parameter(ParameterSetName = S3Set), Parameter(ParameterSetName = UriSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? S3EndpointUrl { get; set; }

        [Parameter(ParameterSetName = PipelineSet, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        [Parameter]
        public SwitchParameter KeepReplacement { get; set; }

        /// <summary>The KMS keys (ids, ARNs or aliases) whose signatures you trust: a signed record is restored only when one of them signed exactly its bytes.</summary>
        [Parameter(ParameterSetName = PathSet), Parameter(ParameterSetName = S3Set), Parameter(ParameterSetName = UriSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? SigningKeyId { get; set; }

        /// <summary>
        /// Restores from a record that nothing proves SgNarrower wrote (no signature), or from objects read from a file
        /// (Import-Csv, ConvertFrom-Json, Import-Clixml): whatever it says is opened. Without it such input is refused.
        /// </summary>
        [Parameter]
        public SwitchParameter TrustUnsignedRecord { get; set; }

        private readonly List<AuditEntry> _entries = new List<AuditEntry>();
        /// <summary>Pipeline objects that are not SgNarrower's own objects of this session: read from a file nothing signed.</summary>
        private int _loose;

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            _entries.Add(ReadOrStop(InputObject, "a rule that can be put back", "Nothing was granted."));
            if (InputObject.BaseObject is not OpenIngressRule && InputObject.BaseObject is not IngressRuleChange) _loose++;
        }

        protected override void EndProcessing()
        {
            IAwsSession? session = null;
            try
            {
                string? unsigned = null;
                if (ParameterSetName != PipelineSet) _entries.AddRange(ReadRecord(ref session, out unsigned));
                else if (_loose > 0) unsigned = RefuseUnlessTrusted($"{_loose} input object(s) that are not SgNarrower's own results (rows of Import-Csv, ConvertFrom-Json or Import-Clixml, read from a file that nothing signed)", "the pipeline", _entries);
                if (unsigned != null && !ConfirmUnsigned(unsigned, _entries)) return;
                // Lines whose status says SgNarrower did not remove the rule need no look at EC2.
                var toRestore = new List<AuditEntry>();
                foreach (var entry in _entries)
                    if (RestorePlanner.NotRemoved(entry.Rule, entry.Status) is IngressRuleChange skipped) WriteObject(skipped);
                    else toRestore.Add(entry);
                if (toRestore.Count == 0) return;

                session ??= OpenSession();
                var runId = AuditRunInfo.New(ModuleInfo.Tool).RunId;
                var requests = ToRequests(session, toRestore, AccountId, Region);
                // The account this restore acts in, looked up before anything is opened: lines of another account are
                // refused unless -RoleName reaches it, and every answer of EC2 is checked against it.
                try { session.AccountId(requests[0].Region); }
                catch (AwsServiceException e) { ThrowTerminatingError(Errors.Aws(e, "the caller's account (sts:GetCallerIdentity), looked up before anything is opened; nothing was granted", null)); }
                var accounts = Accounts(session, runId, requests[0].Region, RoleName, ExternalId);
                // The whole record is read first; then it is planned in batches ahead of the grants.
                var pump = OpenPump(accounts, new PlanOptions(PlanKind.Restore, runId) { KeepReplacements = KeepReplacement, RuleQuota = RuleQuota });
                pump.Stream.AddRange(requests);
                pump.Stream.Complete();
                pump.Pump(wait: true, item => item.LiveRule != null
                    ? $"Remove {item.ReplacementsToRemove.Count} replacement rule(s) that narrowing added"
                    : item.ReplacementsToRemove.Count > 0
                        ? $"Grant back as recorded, then remove {item.ReplacementsToRemove.Count} replacement rule(s) that narrowing added"
                        : "Grant back as recorded", null, "Restoring ingress rules");
            }
            finally
            {
                _pump?.Dispose();
                _pump = null;
                session?.Dispose();
            }
        }

        public void Dispose() => _pump?.Dispose();

        /// <summary>
        /// Reads the whole record and checks its signature before anything is granted; a record that cannot be read
        /// whole, or whose signature does not prove it is one SgNarrower wrote, grants nothing. <paramref name="unsigned"/>:
        /// where an unsigned record was accepted with -TrustUnsignedRecord, what it is.
        /// </summary>
        private List<AuditEntry> ReadRecord(ref IAwsSession? session, out string? unsigned)
        {
            unsigned = null;
            RecordLocation location = RecordLocation.File(Path ?? "");
            try
            {
                if (ParameterSetName == S3Set) location = RecordLocation.S3(BucketName!, Key!);
                else if (ParameterSetName == UriSet) location = RecordLocation.Parse(Uri!);
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record(ParameterSetName == UriSet ? "InvalidUri" : "InvalidS3Name", ErrorCategory.InvalidArgument, e.Message, (object?)Uri ?? BucketName, e));
            }
            if (location.IsS3 || SigningKeyId != null) session = OpenSession(S3EndpointUrl);
            var region = session == null ? "" : ResolveRegion(session, Region);
            if (!location.IsS3)
            {
                var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(location.FilePath!);
                if (Directory.Exists(path))
                    ThrowTerminatingError(Errors.Record("PathIsFolder", ErrorCategory.InvalidArgument,
                        $"'{path}' is a folder. Give one record file: Restore-IngressRule -Path '{path}/<record>.jsonl'.", path));
                location = RecordLocation.File(path);
            }
            var record = LoadRecord(location, session, region, ExpectedBucketOwner)!;
            List<AuditEntry> entries;
            try { entries = AuditRecordReader.Read(record.Text()); }
            catch (Exception e) when (e is AuditRecordException || e is DecoderFallbackException)
            {
                ThrowTerminatingError(Errors.Record("InvalidAuditRecord", ErrorCategory.InvalidData,
                    $"The record '{record.Source}' cannot be read whole, so nothing was granted: {e.Message}", record.Source, e));
                return new List<AuditEntry>();
            }
            WriteVerbose($"{record.Source}: {entries.Count} rule(s)");
            var check = CheckRecord(record, session, region, TrustedKeys(session, region, SigningKeyId), entries);
            if (check.Valid)
            {
                WriteVerbose($"{record.Source}: signed by {check.KeyArn}, unchanged");
                return entries;
            }
            if (check.Signed)
                ThrowTerminatingError(Errors.Record(check.ProblemId!, ErrorCategory.SecurityError,
                    $"The record '{record.Source}' is refused whole, and nothing was granted: {check.Problem}.", record.Source));
            unsigned = RefuseUnlessTrusted($"the record '{record.Source}', which is not signed", record.Source, entries);
            return entries;
        }

        /// <summary>Input nothing proves SgNarrower wrote is refused whole unless -TrustUnsignedRecord says otherwise; returns what it is.</summary>
        private string RefuseUnlessTrusted(string what, string target, IReadOnlyList<AuditEntry> entries)
        {
            var open = RecordVerifier.OpenToWorld(entries.Where(e => RestorePlanner.WasRemoved(e.Status)));
            var text = $"{what}: {entries.Count} rule(s), {open} of them open to the world";
            if (!TrustUnsignedRecord)
                ThrowTerminatingError(Errors.Record("RecordNotSigned", ErrorCategory.SecurityError,
                    $"Nothing was granted from {what}: a restore opens what a record says ({entries.Count} rule(s), {open} of them to the world), so it trusts only records whose signature proves SgNarrower wrote them. " +
                    "Restore a signed record (Export-IngressAudit -SigningKeyId) with -SigningKeyId, check one with Test-IngressRecord, or, if you have read every line yourself, add -TrustUnsignedRecord.", target));
            return text;
        }

        /// <summary>One prompt for unsigned input as a whole, saying how much it opens to the world; -WhatIf shows it and grants nothing.</summary>
        private bool ConfirmUnsigned(string what, IReadOnlyList<AuditEntry> entries)
        {
            // -WhatIf shows this, then each rule's plan; nothing is granted either way.
            if (Approve(what, "Restore from input that nothing proves SgNarrower wrote (-TrustUnsignedRecord)", Force) || IsWhatIf) return true;
            foreach (var e in entries)
                WriteObject(new IngressRuleChange(e.Rule, "Restore", ChangeStatus.Skipped) { Error = "Not restored: the unsigned input was not confirmed." });
            return false;
        }
    }
}
