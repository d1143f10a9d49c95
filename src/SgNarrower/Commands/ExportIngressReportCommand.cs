using SgNarrower.AwsApi;
using SgNarrower.Audit;
using SgNarrower.Reporting;

namespace SgNarrower.Commands
{
    /// <summary>Writes one self-contained HTML page (or Markdown) about open rules, changes and evidence, for people who do not run SgNarrower.</summary>
    [Cmdlet(VerbsData.Export, "IngressReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IngressReportFile))]
    public sealed class ExportIngressReportCommand : AwsCmdlet
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

        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Html (the default) or Markdown; a -Path ending in .md means Markdown.</summary>
        [Parameter]
        public ReportFormat Format { get; set; } = ReportFormat.Html;

        [Parameter, ValidateNotNullOrEmpty]
        public string Title { get; set; } = "Security-group ingress open to the world";

        /// <summary>Markdown: how many rules the table shows, most severe first.</summary>
        [Parameter, ValidateRange(0, 100000)]
        public int First { get; set; } = 50;

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The exceptions file as it is now: every rule is shown against it, and entries that name no rule are listed as stale.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string? ExceptionPath { get; set; }

        /// <summary>An exceptions file in S3 (s3://bucket/key).</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? ExceptionUri { get; set; }

        protected override void EndProcessing()
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            var format = MyInvocation.BoundParameters.ContainsKey(nameof(Format)) ? Format
                : path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? ReportFormat.Markdown : ReportFormat.Html;
            CheckTarget(path, Force);
            var input = ReadRecords(_piped, RecordPath, RecordUri, Region, ExpectedBucketOwner);
            IAwsSession? session = null;
            try
            {
                var exceptions = ReadExceptions(ExceptionPath, ExceptionUri, () => session ??= OpenSession(), Region, ExpectedBucketOwner);
                if (exceptions != null) input.UseExceptions(exceptions, DateTimeOffset.UtcNow);
            }
            finally { session?.Dispose(); }
            var summary = ReportSummary.Of(input);
            if (!ShouldProcess(path, $"Write a {format} report of {summary.RuleCount} rule(s)")) return;
            var now = DateTime.UtcNow;
            var text = format == ReportFormat.Markdown
                ? MarkdownReport.Write(input, summary, Title, ModuleInfo.Tool, now, First)
                : HtmlReport.Write(input, summary, Title, ModuleInfo.Tool, now);
            var bytes = new UTF8Encoding(false).GetBytes(text);
            try { AuditFile.WriteAtomically(path, bytes, overwrite: Force); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                Stop("ReportNotWritten", ErrorCategory.WriteError, $"The report '{path}' was not written: {e.Message}", path, e);
            }
            WriteObject(new IngressReportFile(path, format.ToString(), summary.RuleCount, summary.RunCount, summary.Accounts.Count, summary.Regions.Count, bytes.Length));
        }
    }
}
