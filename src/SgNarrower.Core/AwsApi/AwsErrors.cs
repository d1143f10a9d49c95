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
            switch (e.ErrorCode)
            {
                case "UnauthorizedOperation":
                case "AccessDenied":
                case "AccessDeniedException":
                    return new FailureInfo("AccessDenied", FailureKind.AccessDenied,
                        $"Access denied calling {e.Action} for {subject}: the caller needs the IAM action {iamAction}. Grant it (or use a profile that has it) and run again. AWS said: {Sentence(e.Message)}");
                case "AuthFailure":
                case "InvalidClientTokenId":
                case "SignatureDoesNotMatch":
                case "InvalidAccessKeyId":
                case "ExpiredToken":
                case "RequestExpired":
                    return new FailureInfo("AuthenticationFailed", FailureKind.Authentication,
                        $"AWS did not accept the credentials calling {e.Action} for {subject} ({e.ErrorCode}): check the access key, secret key, session token or profile. AWS said: {Sentence(e.Message)}");
                case "CredentialsFailed":
                    return new FailureInfo("CredentialsFailed", FailureKind.Authentication,
                        $"Calling {e.Action} for {subject}: {Sentence(e.Message)} Check the profile, the role it assumes and its trust policy, or the SSO sign-in (aws sso login).");
                case "RequestLimitExceeded":
                case "Throttling":
                case "SlowDown":
                    return new FailureInfo("Throttled", FailureKind.Throttled,
                        $"AWS throttled {e.Action} for {subject} ({e.ErrorCode}): {Sentence(e.Message)} Nothing was changed by this call; run again later, or with a smaller -RateShare while other automation is busy.");
                case "ConnectionFailure":
                    return new FailureInfo("EndpointUnreachable", FailureKind.Connection,
                        $"Could not reach the {e.Service.ToUpperInvariant()} endpoint for {subject}: {Sentence(e.Message)} Check the region, -EndpointUrl and the network.");
                case "WrongScope":
                    return new FailureInfo("WrongScope", FailureKind.InvalidArgument, $"{subject}: {Sentence(e.Message)}");
                case "PreconditionFailed":
                    return new FailureInfo("AuditRecordExists", FailureKind.Conflict,
                        $"{e.Action} for {subject}: an object with that key already exists, and an audit record is never overwritten. Leave -Key out for a new key per run, or choose another key.");
                case "InvalidGroup.NotFound":
                case "InvalidGroupId.NotFound":
                case "InvalidGroupId.Malformed":
                case "NoSuchBucket":
                case "NoSuchKey":
                    return new FailureInfo(e.ErrorCode, FailureKind.NotFound, $"{e.Action} for {subject}: {Sentence(e.Message)}");
                default:
                    return new FailureInfo("AwsError." + e.ErrorCode, e.StatusCode >= 500 ? FailureKind.ServiceError : FailureKind.InvalidArgument,
                        $"{e.Action} failed for {subject} ({e.ErrorCode}, HTTP {e.StatusCode}): {Sentence(e.Message)}");
            }
        }
    }
}
