using SgNarrower.Audit;
using SgNarrower.Completers;
using SgNarrower.Reporting;
using SgNarrower.AwsApi;

namespace SgNarrower.Commands
{
    /// <summary>
    /// What reports and findings read: rules and change results from the pipeline, and records from files, folders
    /// and S3 (one run or many). Input that is not a rule, or a record that cannot be read whole, stops the command
    /// before anything is written: a report never leaves out quietly what it was given.
    /// </summary>
    public abstract class RecordReadingCmdlet : AwsCmdlet
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
        [Parameter, ArgumentCompleter(typeof(RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        [Parameter, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? ExpectedBucketOwner { get; set; }

        private readonly List<AuditEntry> _piped = new List<AuditEntry>();

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            _piped.Add(ReadOrStop(InputObject, "a rule SgNarrower can report", "Nothing was written."));
        }

        /// <summary>Records in the order given (paths, then S3), then the pipeline's objects.</summary>
        protected ReportInput ReadInput()
        {
            var input = new ReportInput();
            foreach (var path in RecordPath ?? Array.Empty<string>())
            {
                var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                try { input.AddPath(full); }
                catch (AuditRecordException e) { Stop("InvalidAuditRecord", ErrorCategory.InvalidData, $"A record cannot be read whole: {e.Message}. Nothing was written.", full, e); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Stop("AuditRecordUnreadable", ErrorCategory.ReadError, $"Cannot read the record '{full}': {e.Message} Nothing was written.", full, e);
                }
                WriteVerbose($"{full}: read");
            }
            if (RecordUri != null && RecordUri.Length > 0)
            {
                using var session = OpenSession();
                IS3Api? s3 = null;
                var region = ResolveRegion(session, Region);
                try { s3 = session.S3(region); }
                catch (AwsSetupException e) { ThrowSetup(e); }
                // Records are read only from a bucket of the caller's own account, or of the account named.
                var owner = BucketOwner(session, ExpectedBucketOwner, region);
                foreach (var uri in RecordUri)
                {
                    try { input.AddS3(s3!, uri, owner); }
                    catch (AuditRecordException e) { Stop("InvalidAuditRecord", ErrorCategory.InvalidData, $"A record cannot be read whole: {e.Message}. Nothing was written.", uri, e); }
                    catch (FormatException e) { Stop("InvalidUri", ErrorCategory.InvalidArgument, e.Message + " Nothing was written.", uri, e); }
                    catch (FileNotFoundException e) { Stop("AuditRecordNotFound", ErrorCategory.ObjectNotFound, e.Message + " Nothing was written.", uri, e); }
                    catch (AwsServiceException e) when (e.ErrorCode == "AccessDenied")
                    {
                        var (bucket, _) = ReportInput.ParseS3Uri(uri);
                        ThrowTerminatingError(Errors.Record("AccessDenied", ErrorCategory.PermissionDenied, Errors.Aws(e, uri, uri).Exception.Message + OwnerHint(bucket, owner, ExpectedBucketOwner != null), uri, e));
                    }
                    catch (AwsServiceException e) { ThrowTerminatingError(Errors.Aws(e, uri, uri)); }
                }
            }
            foreach (var entry in _piped) input.Add(entry);
            return input;
        }

        /// <summary>A file the command would write: refused if it exists and -Force is not given.</summary>
        protected void CheckTarget(string path, bool force)
        {
            if (Directory.Exists(path))
                Stop("PathIsFolder", ErrorCategory.InvalidArgument, $"'{path}' is a folder; give a file name. Nothing was written.", path, null);
            if (!force && File.Exists(path))
                Stop("FileExists", ErrorCategory.ResourceExists, $"'{path}' already exists; give -Force to overwrite it. Nothing was written.", path, null);
        }

        protected void Stop(string errorId, ErrorCategory category, string message, object? target, Exception? inner) =>
            ThrowTerminatingError(Errors.Record(errorId, category, message, target, inner));
    }
}
