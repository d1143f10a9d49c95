using SgNarrower.AwsApi;
using SgNarrower.Audit;
using SgNarrower.Findings;

namespace SgNarrower.Commands
{
    /// <summary>Writes findings for Security Hub (ASFF, in batches BatchImportFindings takes) or for Security Lake and SIEMs (OCSF).</summary>
    [Cmdlet(VerbsData.Export, "IngressFinding", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FindingFile))]
    public sealed class ExportIngressFindingCommand : AwsCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Record files (JSON Lines or CSV), or folders whose .jsonl and .csv files are all read.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string[]? RecordPath { get; set; }

        /// <summary>s3://bucket/key for one record, s3://bucket/prefix/ for every record under the prefix.</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? RecordUri { get; set; }

        /// <summary>The region of the bucket that -RecordUri reads.</summary>
        [Parameter, ArgumentCompleter(typeof(Completers.RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        [Parameter, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? ExpectedBucketOwner { get; set; }

        private readonly List<AuditEntry> _piped = new List<AuditEntry>();

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            _piped.Add(ReadOrStop(InputObject, "a rule SgNarrower can report", "Nothing was written."));
        }

        /// <summary>The folder to write the files into (created if need be).</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter]
        public FindingFormat Format { get; set; } = FindingFormat.Asff;

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (File.Exists(folder))
                Stop("PathIsFile", ErrorCategory.InvalidArgument, $"'{folder}' is a file; -Path names the folder the findings go into. Nothing was written.", folder, null);
            var input = ReadRecords(_piped, RecordPath, RecordUri, Region, ExpectedBucketOwner);
            List<FindingSubject> subjects = new List<FindingSubject>();
            try { subjects = FindingSubject.Of(input.Lines, DateTime.UtcNow); }
            catch (FormatException e) { Stop("FindingScopeUnknown", ErrorCategory.InvalidData, e.Message + " Nothing was written.", null, e); }
            var batches = Format == FindingFormat.Asff
                ? FindingWriter.Asff(subjects)
                : new List<FindingBatch> { FindingWriter.Ocsf(subjects, ModuleInfo.Version) };
            var targets = batches.Select(b => (Batch: b, Path: System.IO.Path.Combine(folder, b.FileName))).ToList();
            foreach (var t in targets) CheckTarget(t.Path, Force);
            if (!ShouldProcess(folder, $"Write {subjects.Count} {Format} finding(s) in {targets.Count} file(s)")) return;
            Directory.CreateDirectory(folder);
            foreach (var (batch, path) in targets)
            {
                try { AuditFile.WriteAtomically(path, batch.Content, overwrite: Force); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Stop("FindingsNotWritten", ErrorCategory.WriteError, $"'{path}' was not written: {e.Message}", path, e);
                }
                WriteObject(new FindingFile(Format.ToString(), path, batch.Account, batch.Region, batch.Count,
                    Format == FindingFormat.Asff ? FindingWriter.ImportCommand(batch, path) : null));
            }
        }
    }
}
