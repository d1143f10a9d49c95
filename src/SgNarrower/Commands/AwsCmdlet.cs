using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Completers;
using SgNarrower.Changes;
using SgNarrower.Concurrency;
using SgNarrower.Exposure;
using SgNarrower.Loading;
using SgNarrower.Reporting;

namespace SgNarrower.Commands
{
    /// <summary>
    /// The one base of SgNarrower's cmdlets: the AWS.Tools-style connection parameters every AWS-facing cmdlet shares,
    /// and what several of them do alike (sessions and accounts, scopes run at once, records read and signed, errors).
    /// Parameters that only some cmdlets take are declared on those cmdlets.
    /// </summary>
    public abstract class AwsCmdlet : PSCmdlet
    {
        /// <summary>A named profile from the shared credentials/config files. A profile that does not exist is an error.</summary>
        [Parameter, ArgumentCompleter(typeof(ProfileNameCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? ProfileName { get; set; }

        /// <summary>The credentials file to read profiles from, instead of the shared files.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string? ProfileLocation { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? AccessKey { get; set; }

        [Parameter, ValidateNotNullOrEmpty]
        public string? SecretKey { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? SessionToken { get; set; }

        /// <summary>A service URL to call instead of AWS's public endpoint (VPC endpoints, S3-compatible stores, tests).</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? EndpointUrl { get; set; }

        /// <summary>IAM's role names and STS's external ids, for -RoleName and -ExternalId.</summary>
        protected const string RoleNamePattern = @"^[\w+=,.@/-]{1,512}$", ExternalIdPattern = @"^[\w+=,.@:/-]{2,1224}$";

        protected bool IsWhatIf =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter s && s.IsPresent;

        /// <summary>Asks once per target (unless <paramref name="force"/>); -WhatIf always wins and never changes anything.</summary>
        protected bool Approve(string target, string action, bool force) => (force && !IsWhatIf) || ShouldProcess(target, action);

        /// <summary>What a change stream's pump writes and asks with: this command's own methods.</summary>
        internal ChangePump.Host PumpHost(bool force) => new ChangePump.Host
        {
            Approve = (target, action) => Approve(target, action, force),
            IsWhatIf = () => IsWhatIf,
            WriteObject = WriteObject,
            WriteError = WriteError,
            WriteVerbose = WriteVerbose,
            WriteWarning = WriteWarning,
            WriteProgress = WriteProgress,
        };

        internal static readonly string[] ConnectionParameterNames =
            { nameof(ProfileName), nameof(ProfileLocation), nameof(AccessKey), nameof(SecretKey), nameof(SessionToken), nameof(EndpointUrl) };

        protected virtual AwsConnection Connection => new AwsConnection
        {
            ProfileName = ProfileName,
            ProfileLocation = ProfileLocation is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ProfileLocation),
            AccessKey = AccessKey,
            SecretKey = SecretKey,
            SessionToken = SessionToken,
            EndpointUrl = EndpointUrl,
        };

        /// <summary>Resolves credentials once for this command; setup problems stop the command before any work.</summary>
        protected IAwsSession OpenSession(string? s3EndpointUrl = null)
        {
            try
            {
                return AwsLoader.Factory.CreateSession(Connection with { S3EndpointUrl = s3EndpointUrl });
            }
            catch (AwsSetupException e)
            {
                ThrowTerminatingError(Errors.Setup(e));
                throw; // not reached
            }
        }

        /// <summary>The regions to work in: those given, else the default chain's; none is a setup error.</summary>
        protected string ResolveRegion(IAwsSession session, string? region)
        {
            var r = string.IsNullOrWhiteSpace(region) ? session.DefaultRegion : region!.Trim();
            if (string.IsNullOrWhiteSpace(r))
                ThrowTerminatingError(Errors.Record("NoRegion", ErrorCategory.InvalidArgument,
                    "No AWS region was given and none is configured. Pass -Region (for example -Region us-east-1) or set AWS_REGION.", null));
            return r!;
        }

        /// <summary>An input object as a checked rule; one that is not stops the command, saying what was not done.</summary>
        protected AuditEntry ReadOrStop(PSObject input, string notA, string nothingDone)
        {
            try { return PipelineInput.ToEntry(input); }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidRuleObject", ErrorCategory.InvalidData, $"An input object is not {notA} ({e.Message}). {nothingDone}", input, e));
                throw; // not reached
            }
        }

        protected void ThrowSetup(AwsSetupException e) => ThrowTerminatingError(Errors.Setup(e));

        /// <summary>The signer for -SigningKeyId; a key that cannot be found or cannot sign stops the command before anything is written.</summary>
        protected RecordSigner OpenSigner(IAwsSession session, string keyId, string region)
        {
            try { return SigningKeys.Signer(session, keyId, region); }
            catch (AwsSetupException e) { ThrowSetup(e); throw; }
            catch (AwsServiceException e)
            {
                ThrowTerminatingError(Errors.Aws(e, $"KMS key {keyId}", keyId));
                throw; // not reached
            }
        }

        /// <summary>
        /// The bucket owner every S3 call about records sends: -ExpectedBucketOwner, else the caller's own account
        /// (sts:GetCallerIdentity). A bucket of anyone else is then refused by S3 itself.
        /// </summary>
        protected string BucketOwner(IAwsSession session, string? expected, string region)
        {
            if (expected != null) return expected;
            try { return session.AccountId(region); }
            catch (AwsServiceException e)
            {
                ThrowTerminatingError(Errors.Aws(e, "the caller's account (sts:GetCallerIdentity), which records in S3 must belong to", null));
                throw; // not reached
            }
        }

        /// <summary>
        /// A record's exact bytes and its signature, from a file or from S3 (sent with the bucket's owner: -ExpectedBucketOwner,
        /// else the caller's own account). A record that cannot be read stops the command, or with <paramref name="goOn"/>
        /// is an error for that record, and null.
        /// </summary>
        protected StoredRecord? LoadRecord(RecordLocation location, IAwsSession? session, string region, string? expectedOwner, bool goOn = false)
        {
            if (!location.IsS3)
            {
                try { return StoredRecord.Load(location, null, null); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    var unreadable = Errors.Record("AuditRecordUnreadable", ErrorCategory.ReadError, $"Cannot read the record '{location}': {e.Message}", location.ToString(), e);
                    if (!goOn) ThrowTerminatingError(unreadable);
                    WriteError(unreadable);
                    return null;
                }
            }
            var owner = BucketOwner(session!, expectedOwner, region);
            try { return StoredRecord.Load(location, session!.S3(region), owner); }
            catch (AwsSetupException e) { ThrowSetup(e); throw; }
            catch (AwsServiceException e)
            {
                var error = Errors.Aws(e, location.ToString(), location.ToString());
                if (e.ErrorCode == "AccessDenied")
                    error = Errors.Record(error.FullyQualifiedErrorId.Split(',')[0], ErrorCategory.PermissionDenied, error.Exception.Message + OwnerHint(location.Bucket!, owner, expectedOwner != null), location.ToString(), e);
                if (!goOn) ThrowTerminatingError(error);
                WriteError(error);
                return null;
            }
        }

        /// <summary>The keys named with -SigningKeyId, looked up once (kms:DescribeKey); a key that cannot be found stops the command.</summary>
        protected List<KmsKey> TrustedKeys(IAwsSession? session, string region, IReadOnlyList<string>? keyIds)
        {
            var trusted = new List<KmsKey>();
            foreach (var id in keyIds ?? Array.Empty<string>())
            {
                try { trusted.Add(SigningKeys.Resolve(session!, id, region)); }
                catch (AwsSetupException e) { ThrowSetup(e); }
                catch (AwsServiceException e) { ThrowTerminatingError(Errors.Aws(e, $"KMS key {id}", id)); }
            }
            return trusted;
        }

        /// <summary>Checks a record's signature against the trusted keys.</summary>
        protected static IngressRecordCheck CheckRecord(StoredRecord record, IAwsSession? session, string region, IReadOnlyList<KmsKey> trusted, IReadOnlyList<AuditEntry>? entries) =>
            RecordVerifier.Check(record.Source, record.Body, record.Signature, trusted,
                session == null ? _ => throw new InvalidOperationException("No key was named.") : SigningKeys.Checkers(session, region), entries);

        /// <summary>What to add to an S3 refusal when the bucket owner was the caller's own by default.</summary>
        protected static string OwnerHint(string bucket, string owner, bool given) => given
            ? $" S3 checks that bucket {bucket} belongs to account {owner} (-ExpectedBucketOwner)."
            : $" S3 checks that bucket {bucket} belongs to the caller's account {owner}: a bucket of any other owner is refused. If {bucket} is a central bucket of another account (a log archive), confirm it with -ExpectedBucketOwner <that account's id>.";
    
        private readonly System.Threading.CancellationTokenSource _stop = new System.Threading.CancellationTokenSource();

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Cancelled when the command is stopped (Ctrl+C).</summary>
        protected System.Threading.CancellationToken StopToken => _stop.Token;

        /// <summary>The sessions of each account: the caller's, or with <paramref name="roleName"/> the role assumed in each.</summary>
        protected AccountSessions Accounts(IAwsSession session, string runId, string? region, string? roleName, string? externalId)
        {
            if (externalId != null && roleName == null)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument, "-ExternalId goes with -RoleName.", null));
            return new AccountSessions(session, roleName, externalId, runId, region ?? session.DefaultRegion ?? "us-east-1");
        }

        /// <summary>
        /// Runs the scopes at once (at most <paramref name="throttleLimit"/>): results go to <paramref name="result"/>,
        /// progress to <paramref name="progress"/>, and verbose lines, warnings and failures are written here, on the
        /// pipeline thread, as they arrive.
        /// </summary>
        protected void RunScopes<TScope, TResult>(IReadOnlyList<TScope> scopes, int throttleLimit, Action<TScope, IWorkerSink<TResult>> work,
            Action<TResult> result, Action<TScope>? done = null, Action<WorkProgress>? progress = null) where TScope : notnull =>
            ScopeRunner.Run(scopes, throttleLimit, work, Notes(new WorkerHandlers<TResult> { Result = result, Progress = progress ?? (_ => { }) }), _stop.Token, done);

        /// <summary>Verbose lines, warnings and failures of workers, written as this command writes them.</summary>
        protected T Notes<T>(T handlers) where T : WorkerNotes
        {
            handlers.Verbose = WriteVerbose;
            handlers.Warning = WriteWarning;
            handlers.Failure = f => WriteError(Errors.Failure(f));
            return handlers;
        }

        /// <summary>Settles each rule's region (its own, else <paramref name="region"/>, else the default chain's) and account (its own, else <paramref name="accountId"/>).</summary>
        protected List<ChangeRequest> ToRequests(IAwsSession session, IEnumerable<AuditEntry> entries, string? accountId, string? region)
        {
            var requests = new List<ChangeRequest>();
            string? fallback = null;
            foreach (var e in entries)
            {
                var rule = e.Rule.OwnerId == null && accountId != null ? e.Rule with { OwnerId = accountId } : e.Rule;
                if (rule.Region != null)
                {
                    requests.Add(new ChangeRequest(rule, e.Identity, RegionFromRule: true, e.Status) { Replacements = e.Replacements });
                    continue;
                }
                fallback ??= ResolveRegion(session, region);
                requests.Add(new ChangeRequest(rule with { Region = fallback }, e.Identity, RegionFromRule: false, e.Status) { Replacements = e.Replacements });
            }
            return requests;
        }

        /// <summary>
        /// Exposure from saved exports instead of calls: both are needed (a public address says nothing without the
        /// route tables); null when neither is given.
        /// </summary>
        protected ExposureMap? ReadNetworkExports(string? interfacesPath, string? routeTablesPath, bool wanted)
        {
            if (!wanted && interfacesPath == null && routeTablesPath == null) return null;
            if (interfacesPath == null || routeTablesPath == null)
                ThrowTerminatingError(Errors.Record("ExposureNeedsNetwork", ErrorCategory.InvalidArgument,
                    "Offline exposure needs the region's network interfaces and route tables, saved beside the groups: " +
                    "-NetworkInterfacePath (aws ec2 describe-network-interfaces > interfaces.json) and -RouteTablePath (aws ec2 describe-route-tables > route-tables.json).", null));
            var interfaces = ReadNetworkFile(interfacesPath!, NetworkJsonReader.ReadInterfaces);
            var tables = ReadNetworkFile(routeTablesPath!, NetworkJsonReader.ReadRouteTables);
            WriteVerbose($"Exposure from {interfaces.Count} network interface(s) and {tables.Count} route table(s), read from files.");
            return new ExposureMap(interfaces, tables);
        }

        private List<T> ReadNetworkFile<T>(string path, Func<string, List<T>> read)
        {
            var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            try { return read(System.IO.File.ReadAllText(file)); }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidNetworkFile", ErrorCategory.InvalidData, $"'{file}': {e.Message}", file, e));
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(Errors.Record("FileUnreadable", ErrorCategory.ReadError, $"Cannot read '{file}': {e.Message}", file, e));
            }
            return new List<T>();
        }

        /// <summary>
        /// What reports and findings read: records in the order given (files and folders, then S3: one record, or every
        /// record under a prefix), then the pipeline's objects. A record that cannot be read whole stops the command
        /// before anything is written: a report never leaves out quietly what it was given.
        /// </summary>
        protected ReportInput ReadRecords(IEnumerable<AuditEntry> piped, string[]? recordPath, string[]? recordUri, string? region, string? expectedBucketOwner)
        {
            var input = new ReportInput();
            foreach (var path in recordPath ?? Array.Empty<string>())
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
            if (recordUri != null && recordUri.Length > 0)
            {
                using var session = OpenSession();
                IS3Api? s3 = null;
                var bucketRegion = ResolveRegion(session, region);
                try { s3 = session.S3(bucketRegion); }
                catch (AwsSetupException e) { ThrowSetup(e); }
                // Records are read only from a bucket of the caller's own account, or of the account named.
                var owner = BucketOwner(session, expectedBucketOwner, bucketRegion);
                foreach (var uri in recordUri)
                {
                    try { input.AddS3(s3!, uri, owner); }
                    catch (AuditRecordException e) { Stop("InvalidAuditRecord", ErrorCategory.InvalidData, $"A record cannot be read whole: {e.Message}. Nothing was written.", uri, e); }
                    catch (FormatException e) { Stop("InvalidUri", ErrorCategory.InvalidArgument, e.Message + " Nothing was written.", uri, e); }
                    catch (FileNotFoundException e) { Stop("AuditRecordNotFound", ErrorCategory.ObjectNotFound, e.Message + " Nothing was written.", uri, e); }
                    catch (AwsServiceException e) when (e.ErrorCode == "AccessDenied")
                    {
                        var (bucket, _) = ReportInput.ParseS3Uri(uri);
                        ThrowTerminatingError(Errors.Record("AccessDenied", ErrorCategory.PermissionDenied, Errors.Aws(e, uri, uri).Exception.Message + OwnerHint(bucket, owner, expectedBucketOwner != null), uri, e));
                    }
                    catch (AwsServiceException e) { ThrowTerminatingError(Errors.Aws(e, uri, uri)); }
                }
            }
            foreach (var entry in piped) input.Add(entry);
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

        /// <summary>Stops the command with an error of its own id, before anything more is done.</summary>
        protected void Stop(string errorId, ErrorCategory category, string message, object? target, Exception? inner) =>
            ThrowTerminatingError(Errors.Record(errorId, category, message, target, inner));

        /// <summary>
        /// The exceptions file of -ExceptionPath (a local .json, .csv or .psd1) or -ExceptionUri (s3://bucket/key, read
        /// with the bucket's owner: -ExpectedBucketOwner, else the caller's account); null where neither is given. A file
        /// with any entry incomplete, ambiguous or malformed stops the command before anything is read or changed.
        /// </summary>
        protected Exceptions.ExceptionList? ReadExceptions(string? path, string? uri, Func<IAwsSession> session, string? region, string? expectedBucketOwner)
        {
            if (path == null && uri == null) return null;
            string name = path ?? uri!;
            try
            {
                if (path != null)
                {
                    name = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                    return new Exceptions.ExceptionList(ReadExceptionText(name, File.ReadAllText(name)));
                }
                var (bucket, key) = ReportInput.ParseS3Uri(uri!);
                if (key.Length == 0 || key.EndsWith("/", StringComparison.Ordinal))
                    Stop("InvalidUri", ErrorCategory.InvalidArgument, $"-ExceptionUri names one object (s3://bucket/key), not '{uri}'.", uri, null);
                var s3Session = session();
                var bucketRegion = ResolveRegion(s3Session, region);
                var owner = BucketOwner(s3Session, expectedBucketOwner, bucketRegion);
                var bytes = s3Session.S3(bucketRegion).GetObject(bucket, key, owner);
                return new Exceptions.ExceptionList(ReadExceptionText(uri!, new System.Text.UTF8Encoding(false, true).GetString(bytes)));
            }
            catch (Exceptions.ExceptionFileException e) { Stop("InvalidExceptionFile", ErrorCategory.InvalidData, e.Message, name, e); }
            catch (FormatException e) { Stop("InvalidExceptionFile", ErrorCategory.InvalidData, $"{name}: {e.Message} The whole file is refused: no exception in it is used.", name, e); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                Stop("ExceptionFileUnreadable", ErrorCategory.ReadError, $"Cannot read the exceptions file '{name}': {e.Message}", name, e);
            }
            catch (AwsSetupException e) { ThrowSetup(e); }
            catch (AwsServiceException e) { ThrowTerminatingError(Errors.Aws(e, uri ?? name, uri ?? name)); }
            return null;
        }

        /// <summary>An exceptions file's entries by its extension; a PowerShell data file (@{ Exceptions = @( @{...} ) }) is read as data, never run.</summary>
        private static IReadOnlyList<Exceptions.ExceptionEntry> ReadExceptionText(string name, string text)
        {
            if (!name.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)) return Exceptions.ExceptionFile.Read(name, text);
            var ast = System.Management.Automation.Language.Parser.ParseInput(text, out _, out var errors);
            if (errors.Length > 0) throw new FormatException($"it is not a PowerShell data file: {errors[0].Message} (line {errors[0].Extent.StartLineNumber}).");
            var table = ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false) as System.Management.Automation.Language.HashtableAst
                ?? throw new FormatException("it holds no @{ Exceptions = @( ... ) } table.");
            object? value;
            try { value = table.SafeGetValue(); }
            catch (InvalidOperationException e) { throw new FormatException($"it is not data only ({e.Message}).", e); }
            var root = (System.Collections.Hashtable)value!;
            if (root.Count != 1 || !root.ContainsKey("Exceptions")) throw new FormatException("it is one table with an Exceptions list: @{ Exceptions = @( @{ ... } ) }.");
            var list = root["Exceptions"] is object[] array ? array : new[] { root["Exceptions"] };
            var entries = list.Select((o, i) => o is System.Collections.Hashtable h
                ? (IReadOnlyDictionary<string, object?>)h.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => h[k], StringComparer.OrdinalIgnoreCase)
                : throw new FormatException($"exception #{i + 1} is not a table of fields.")).ToList();
            return Exceptions.ExceptionFile.FromValues(name, entries);
        }
    }
}
