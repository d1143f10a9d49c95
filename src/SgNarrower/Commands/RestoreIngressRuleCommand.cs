using SgNarrower.Audit;
using SgNarrower.Changes;
using SgNarrower.AwsApi;

namespace SgNarrower.Commands
{
    /// <summary>Puts rules back exactly as recorded: from a local record, an S3 object, or result objects.</summary>
    [Cmdlet(VerbsData.Restore, "IngressRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = PipelineSet)]
    [OutputType(typeof(IngressRuleChange))]
    public sealed class RestoreIngressRuleCommand : ChangeCmdlet
    {
        private const string PathSet = "Path";
        private const string S3Set = "S3";
        private const string UriSet = "Uri";
        private const string PipelineSet = "Pipeline";

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

        private readonly List<AuditEntry> _entries = new List<AuditEntry>();

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            _entries.Add(ReadOrStop(InputObject, "a rule that can be put back", "Nothing was granted."));
        }

        protected override void EndProcessing()
        {
            IAwsSession? session = null;
            try
            {
                if (ParameterSetName != PipelineSet) _entries.AddRange(ReadRecord(ref session));
                // Lines whose status says SgNarrower did not remove the rule need no look at EC2.
                var toRestore = new List<AuditEntry>();
                foreach (var entry in _entries)
                    if (RestorePlanner.NotRemoved(entry.Rule, entry.Status) is IngressRuleChange skipped) WriteObject(skipped);
                    else toRestore.Add(entry);
                if (toRestore.Count == 0) return;

                session ??= OpenSession();
                var runId = AuditRunInfo.New(ModuleInfo.Tool).RunId;
                var requests = ToRequests(session, toRestore);
                var accounts = Accounts(session, runId, requests[0].Region);
                // The whole record is read first; then it is planned in batches ahead of the grants.
                var stream = OpenStream(accounts, new PlanOptions(PlanKind.Restore, runId) { KeepReplacements = KeepReplacement, RuleQuota = RuleQuota });
                stream.AddRange(requests);
                stream.Complete();
                Pump(wait: true, item => item.LiveRule != null
                    ? $"Remove {item.ReplacementsToRemove.Count} replacement rule(s) that narrowing added"
                    : item.ReplacementsToRemove.Count > 0
                        ? $"Grant back as recorded, then remove {item.ReplacementsToRemove.Count} replacement rule(s) that narrowing added"
                        : "Grant back as recorded", null, "Restoring ingress rules");
            }
            finally
            {
                session?.Dispose();
            }
        }

        /// <summary>Reads the whole record before anything is granted; a record that cannot be read whole grants nothing.</summary>
        private List<AuditEntry> ReadRecord(ref IAwsSession? session)
        {
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
            string text, source;
            if (location.IsS3)
            {
                source = location.ToString();
                session = OpenSession(S3EndpointUrl);
                try
                {
                    var s3 = session.S3(ResolveRegion(session, Region));
                    text = new UTF8Encoding(false).GetString(s3.GetObject(location.Bucket!, location.Key!, ExpectedBucketOwner));
                }
                catch (AwsSetupException e) { ThrowSetup(e); return new List<AuditEntry>(); }
                catch (AwsServiceException e)
                {
                    ThrowTerminatingError(Errors.Aws(e, source, source));
                    return new List<AuditEntry>();
                }
            }
            else
            {
                source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(location.FilePath!);
                if (Directory.Exists(source))
                    ThrowTerminatingError(Errors.Record("PathIsFolder", ErrorCategory.InvalidArgument,
                        $"'{source}' is a folder. Give one record file: Restore-IngressRule -Path '{source}/<record>.jsonl'.", source));
                try { text = File.ReadAllText(source); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(Errors.Record("AuditRecordUnreadable", ErrorCategory.ReadError, $"Cannot read the record '{source}': {e.Message}", source, e));
                    return new List<AuditEntry>();
                }
            }
            try
            {
                var entries = AuditRecordReader.Read(text);
                WriteVerbose($"{source}: {entries.Count} rule(s)");
                return entries;
            }
            catch (AuditRecordException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidAuditRecord", ErrorCategory.InvalidData,
                    $"The record '{source}' cannot be read whole, so nothing was granted: {e.Message}", source, e));
                return new List<AuditEntry>();
            }
        }
    }
}
