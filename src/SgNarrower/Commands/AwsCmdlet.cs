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
    }
}
