namespace SgNarrower.AwsApi
{
    public static class AwsErrors
    {
        /// <summary>The text as a sentence: trimmed, with a full stop at the end.</summary>
        public static string Sentence(string text)
        {
            var t = (text ?? "").Trim();
            return t.Length == 0 || ".!?".IndexOf(t[t.Length - 1]) >= 0 ? t : t + ".";
        }

        /// <summary>Classifies an AWS error; <paramref name="subject"/> names what was being worked on, e.g. "region us-east-1".</summary>
        public static FailureInfo Explain(AwsServiceException e, string subject)
        {
            string iamAction = $"{e.Service}:{e.Action}";
            return e.ErrorCode switch
            {
                "UnauthorizedOperation" or "AccessDenied" or "AccessDeniedException" => new FailureInfo("AccessDenied", FailureKind.AccessDenied,
                    $"Access denied calling {e.Action} for {subject}: the caller needs the IAM action {iamAction}. Grant it (or use a profile that has it) and run again. AWS said: {Sentence(e.Message)}"),
                "AuthFailure" or "InvalidClientTokenId" or "SignatureDoesNotMatch" or "InvalidAccessKeyId" or "ExpiredToken" or "RequestExpired" => new FailureInfo("AuthenticationFailed", FailureKind.Authentication,
                    $"AWS did not accept the credentials calling {e.Action} for {subject} ({e.ErrorCode}): check the access key, secret key, session token or profile. AWS said: {Sentence(e.Message)}"),
                "CredentialsFailed" => new FailureInfo("CredentialsFailed", FailureKind.Authentication,
                    $"Calling {e.Action} for {subject}: {Sentence(e.Message)} Check the profile, the role it assumes and its trust policy, or the SSO sign-in (aws sso login)."),
                "RequestLimitExceeded" or "Throttling" or "SlowDown" => new FailureInfo("Throttled", FailureKind.Throttled,
                    $"AWS throttled {e.Action} for {subject} ({e.ErrorCode}): {Sentence(e.Message)} Nothing was changed by this call; run again later, or with a smaller -RateShare while other automation is busy."),
                "ConnectionFailure" => new FailureInfo("EndpointUnreachable", FailureKind.Connection,
                    $"Could not reach the {e.Service.ToUpperInvariant()} endpoint for {subject}: {Sentence(e.Message)} Check the region, -EndpointUrl and the network."),
                "WrongScope" => new FailureInfo("WrongScope", FailureKind.InvalidArgument, $"{subject}: {Sentence(e.Message)}"),
                "PreconditionFailed" => new FailureInfo("AuditRecordExists", FailureKind.Conflict,
                    $"{e.Action} for {subject}: an object with that key already exists, and an audit record is never overwritten. Leave -Key out for a new key per run, or choose another key."),
                "InvalidGroup.NotFound" or "InvalidGroupId.NotFound" or "InvalidGroupId.Malformed" or "NoSuchBucket" or "NoSuchKey" =>
                    new FailureInfo(e.ErrorCode, FailureKind.NotFound, $"{e.Action} for {subject}: {Sentence(e.Message)}"),
                _ => new FailureInfo("AwsError." + e.ErrorCode, e.StatusCode >= 500 ? FailureKind.ServiceError : FailureKind.InvalidArgument,
                    $"{e.Action} failed for {subject} ({e.ErrorCode}, HTTP {e.StatusCode}): {Sentence(e.Message)}"),
            };
        }
    }
}
