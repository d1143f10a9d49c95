using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Completers;

namespace SgNarrower.Commands
{
    /// <summary>Records rules durably (S3 and/or a local file) and only then passes them on, stamped with the record.</summary>
    [Cmdlet(VerbsData.Export, "IngressAudit", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(OpenIngressRule), typeof(IngressAuditSummary))]
    public sealed class ExportIngressAuditCommand : AwsCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? BucketName { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Key { get; set; }

        [Parameter, ValidateNotNull, ValidatePlainText]
        public string? KeyPrefix { get; set; }

        [Parameter, ArgumentCompleter(typeof(RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        [Parameter, ValidateSet("AES256", "aws:kms", "None")]
        public string? ServerSideEncryption { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? KmsKeyId { get; set; }

        [Parameter, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? ExpectedBucketOwner { get; set; }

        [Parameter, ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>A KMS key (id, ARN or alias) that signs the record: an asymmetric SIGN_VERIFY key (kms:Sign) or an HMAC key (kms:GenerateMac).</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? SigningKeyId { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public AuditFormat Format { get; set; } = AuditFormat.JsonLines;

        /// <summary>Writes one summary of the record instead of the rules, wherever the command stands.</summary>
        [Parameter]
        public SwitchParameter Summary { get; set; }

        /// <summary>Passes the rules on even as the last command of a pipeline.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>
        /// The rules pass on when something downstream takes them (Revoke-OpenIngressRule, a variable's pipeline that
        /// goes on) or with -PassThru. As the last command, the record's summary is written instead of every rule.
        /// </summary>
        private bool WritesSummary => Summary || (!PassThru && MyInvocation.PipelinePosition >= MyInvocation.PipelineLength);

        private readonly List<(PSObject Input, AuditEntry Entry)> _items = new List<(PSObject, AuditEntry)>();
        private IAwsSession? _session;
        private IS3Api? _s3;
        private string? _owner;
        private RecordSigner? _signer;
        /// <summary>The format written: -Format, else what the file or key name says (the parameter itself is never changed).</summary>
        private AuditFormat? _format;
        private AuditFormat RecordFormat => _format ?? Format;

        protected override void BeginProcessing()
        {
            // A file or key named .csv gets CSV unless -Format says otherwise.
            var names = new[] { Path, Key }.Where(n => n != null).Select(n => n!).ToList();
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(Format)) && names.Any(n => n.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
            {
                if (names.Any(n => n.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || n.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
                    ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                        $"-Path and -Key name different formats ({string.Join(", ", names)}); one record has one format. Name both alike, or say which with -Format.", null));
                _format = AuditFormat.Csv;
            }
            if (Summary && PassThru)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                    "-Summary writes the record's summary and -PassThru the rules; give one of them.", null));
            if (BucketName == null && Path == null)
                ThrowTerminatingError(Errors.Record("NoDestination", ErrorCategory.InvalidArgument,
                    "Say where to record: -BucketName (S3), -Path (a local file or folder), or both.", null));
            if (BucketName == null && (Key != null || KeyPrefix != null || KmsKeyId != null || ExpectedBucketOwner != null || ServerSideEncryption != null))
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                    "-Key, -KeyPrefix, -ServerSideEncryption, -KmsKeyId and -ExpectedBucketOwner go with -BucketName.", null));
            if (Key != null && KeyPrefix != null)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                    "Give -Key (the whole object key) or -KeyPrefix (a prefix for the per-run key), not both.", null));
            if (KmsKeyId != null && ServerSideEncryption != null && ServerSideEncryption != "aws:kms")
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                    "-KmsKeyId encrypts with aws:kms; it does not go with -ServerSideEncryption " + ServerSideEncryption + ".", null));
            try
            {
                // A name S3 would resolve to another object (or bucket) is refused before anything is written or passed on.
                if (BucketName != null) S3Names.CheckBucket(BucketName);
                if (Key != null) S3Names.CheckKey(Key);
                if (KeyPrefix != null) S3Names.CheckPrefix(KeyPrefix);
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidS3Name", ErrorCategory.InvalidArgument, e.Message + " Nothing was written.", BucketName, e));
            }
            if (BucketName != null || SigningKeyId != null)
            {
                // Setup problems (credentials, region, the signing key, the caller's account) stop the command before
                // anything is read or passed on.
                _session = OpenSession();
                var region = ResolveRegion(_session, Region);
                try { if (BucketName != null) _s3 = _session.S3(region); }
                catch (AwsSetupException e) { ThrowSetup(e); }
                if (BucketName != null) _owner = BucketOwner(_session, ExpectedBucketOwner, region);
                if (SigningKeyId != null) _signer = OpenSigner(_session, SigningKeyId, region);
            }
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            try
            {
                var entry = PipelineInput.ToEntry(InputObject);
                // A plain rule is recorded afresh: this record is its record. A change result keeps the run id its
                // replacements were tagged with, so that a restore from this record finds them.
                if (entry.Status == null && entry.Rule.AuditRunId != null)
                    entry = entry with { Rule = entry.Rule with { AuditRunId = null, AuditUri = null } };
                _items.Add((InputObject, entry));
            }
            catch (FormatException e)
            {
                // Not recorded, so not passed on either: nothing downstream can change it.
                WriteError(Errors.Record("InvalidRuleObject", ErrorCategory.InvalidData,
                    $"This input is not a rule SgNarrower can record ({e.Message}); it is not recorded and not passed on.", InputObject, e));
            }
        }

        protected override void EndProcessing()
        {
            try { Record(); }
            finally { _session?.Dispose(); }
        }

        private void Record()
        {
            var run = AuditRunInfo.New(ModuleInfo.Tool);
            string? filePath = null;
            if (Path != null)
            {
                filePath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                if (Directory.Exists(filePath)) filePath = System.IO.Path.Combine(filePath, run.FileName(RecordFormat));
            }
            var key = BucketName == null ? null : Key ?? run.DefaultKey(KeyPrefix, RecordFormat);
            var targets = new List<string>();
            if (BucketName != null) targets.Add($"s3://{BucketName}/{key}");
            if (filePath != null) targets.Add(filePath);
            var target = string.Join(" and ", targets);

            if (!ShouldProcess(target, $"Write the audit record of {_items.Count} rule(s)"))
            {
                // Nothing written, so nothing passed on claims to be recorded.
                if (!WritesSummary) foreach (var (input, _) in _items) WriteObject(input);
                return;
            }

            IngressAuditSummary summary;
            try
            {
                summary = AuditRecorder.Write(_items.Select(i => i.Entry).ToList(), run, RecordFormat, new AuditDestination
                {
                    FilePath = filePath, OverwriteFile = Force, S3 = _s3, Bucket = BucketName, Key = key,
                    ServerSideEncryption = KmsKeyId != null ? "aws:kms" : ServerSideEncryption == "None" ? null : ServerSideEncryption ?? "AES256",
                    KmsKeyId = KmsKeyId, ExpectedBucketOwner = _owner, Signer = _signer,
                });
            }
            catch (AuditWriteException e)
            {
                var hint = e.ErrorId == "AccessDenied" && BucketName != null ? OwnerHint(BucketName, _owner!, ExpectedBucketOwner != null) : "";
                ThrowTerminatingError(Errors.Record(e.ErrorId, Errors.Category(e.Kind),
                    e.Message + hint + " Nothing was passed on.", e.Location, e));
                return;
            }

            WriteInformation(new HostInformationMessage { Message = summary.ToString() + ".", NoNewLine = false }, new[] { "PSHOST", "SgNarrower" });
            var uri = summary.S3Uri ?? summary.Path;
            if (WritesSummary)
            {
                WriteObject(summary);
                return;
            }
            foreach (var (input, entry) in _items)
            {
                var runId = entry.Status == null ? run.RunId : null;
                switch (input.BaseObject)
                {
                    case OpenIngressRule rule:
                        // A copy: the object the caller holds is not changed.
                        WriteObject(rule with { AuditUri = uri, AuditRunId = run.RunId });
                        break;
                    case IngressRuleChange change:
                        WriteObject(change.WithAuditUri(uri));
                        break;
                    default:
                        // Rows and other objects pass on as copies with the record's place added; the objects the
                        // caller holds are not changed.
                        var copy = input.Copy();
                        SetNote(copy, "AuditUri", uri);
                        if (runId != null) SetNote(copy, "AuditRunId", runId);
                        WriteObject(copy);
                        break;
                }
            }
        }

        private static void SetNote(PSObject obj, string name, object? value)
        {
            var existing = obj.Properties[name];
            if (existing != null && existing.IsSettable) existing.Value = value;
            else if (existing == null) obj.Properties.Add(new PSNoteProperty(name, value));
        }
    }
}
