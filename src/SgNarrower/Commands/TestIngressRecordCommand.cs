using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Completers;

namespace SgNarrower.Commands
{
    /// <summary>Checks that records are ones SgNarrower wrote (signed, unchanged, by a key you trust) without changing anything.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "IngressRecord", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(IngressRecordCheck))]
    public sealed class TestIngressRecordCommand : AwsCmdlet
    {
        private const string PathSet = "Path";
        private const string S3Set = "S3";
        private const string UriSet = "Uri";

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true), Alias("FullName"), ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        [Parameter(ParameterSetName = S3Set, Mandatory = true), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? BucketName { get; set; }

        [Parameter(ParameterSetName = S3Set, Mandatory = true), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Key { get; set; }

        [Parameter(ParameterSetName = UriSet, Mandatory = true, ValueFromPipelineByPropertyName = true), Alias("AuditUri"), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Uri { get; set; }

        [Parameter(ParameterSetName = S3Set), Parameter(ParameterSetName = UriSet), ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? ExpectedBucketOwner { get; set; }

        [Parameter(ParameterSetName = S3Set), Parameter(ParameterSetName = UriSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? S3EndpointUrl { get; set; }

        [Parameter, ArgumentCompleter(typeof(RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? SigningKeyId { get; set; }

        private IAwsSession? _session;
        /// <summary>The keys named, looked up once for all the records checked.</summary>
        private List<KmsKey>? _trusted;

        protected override void ProcessRecord()
        {
            var locations = new List<RecordLocation>();
            try
            {
                if (ParameterSetName == S3Set) locations.Add(RecordLocation.S3(BucketName!, Key!));
                else if (ParameterSetName == UriSet) locations.Add(RecordLocation.Parse(Uri!));
                else locations.AddRange(Path!.Select(p => RecordLocation.File(SessionState.Path.GetUnresolvedProviderPathFromPSPath(p))));
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record(ParameterSetName == UriSet ? "InvalidUri" : "InvalidS3Name", ErrorCategory.InvalidArgument, e.Message, (object?)Uri ?? BucketName, e));
            }
            foreach (var location in locations)
            {
                if (location.IsS3 || SigningKeyId != null) _session ??= OpenSession(S3EndpointUrl);
                var region = _session == null ? "" : ResolveRegion(_session, Region);
                if (!location.IsS3 && Directory.Exists(location.FilePath))
                {
                    WriteError(Errors.Record("PathIsFolder", ErrorCategory.InvalidArgument, $"'{location}' is a folder; give record files (Get-ChildItem '{location}' -Filter *.jsonl | Test-IngressRecord).", location.ToString()));
                    continue;
                }
                // One record that cannot be read is an error for it; the others are still checked.
                var record = LoadRecord(location, _session, region, ExpectedBucketOwner, goOn: true);
                if (record == null) continue;
                List<AuditEntry>? entries = null;
                string? unreadable = null;
                try { entries = AuditRecordReader.Read(record.Text()); }
                catch (Exception e) when (e is AuditRecordException || e is DecoderFallbackException) { unreadable = e.Message; }
                _trusted ??= TrustedKeys(_session, region, SigningKeyId);
                var check = CheckRecord(record, _session, region, _trusted, entries);
                if (unreadable != null && check.Valid) check = check with { Valid = false, ProblemId = "InvalidAuditRecord", Problem = $"it is signed, but cannot be read as a record: {unreadable}" };
                else if (unreadable != null && check.Problem == null) check = check with { ProblemId = "InvalidAuditRecord", Problem = unreadable };
                WriteObject(check);
            }
        }

        protected override void EndProcessing() => _session?.Dispose();
    }
}
