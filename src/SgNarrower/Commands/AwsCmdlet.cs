using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Completers;
using SgNarrower.Loading;

namespace SgNarrower.Commands
{
    /// <summary>The AWS.Tools-style connection parameters every AWS-facing cmdlet shares, and error plumbing.</summary>
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
    }
}
