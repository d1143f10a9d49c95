using SgNarrower.AwsApi;

namespace SgNarrower.Commands
{
    /// <summary>Error records with stable ids, the right category, and the thing concerned as target.</summary>
    internal static class Errors
    {
        public static ErrorRecord Record(string errorId, ErrorCategory category, string message, object? target, Exception? inner = null) =>
            new ErrorRecord(new InvalidOperationException(message, inner), errorId, category, target);

        public static ErrorRecord Setup(AwsSetupException e) =>
            new ErrorRecord(e, e.ErrorId, e.ErrorId switch
            {
                "NoCredentials" => ErrorCategory.AuthenticationError,
                "ProfileNotFound" => ErrorCategory.ObjectNotFound,
                _ => ErrorCategory.InvalidArgument,
            }, null);

        public static ErrorRecord Aws(AwsServiceException e, string subject, object? target)
        {
            var info = AwsErrors.Explain(e, subject);
            return Record(info.ErrorId, Category(info.Kind), info.Message, target, e);
        }

        public static ErrorCategory Category(FailureKind kind) => kind switch
        {
            FailureKind.AccessDenied => ErrorCategory.PermissionDenied,
            FailureKind.Authentication => ErrorCategory.AuthenticationError,
            FailureKind.NotFound => ErrorCategory.ObjectNotFound,
            FailureKind.Throttled => ErrorCategory.LimitsExceeded,
            FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
            FailureKind.Connection => ErrorCategory.ConnectionError,
            FailureKind.Conflict => ErrorCategory.ResourceExists,
            FailureKind.WriteFailed => ErrorCategory.WriteError,
            FailureKind.InvalidData => ErrorCategory.InvalidData,
            FailureKind.ReadFailed => ErrorCategory.ReadError,
            _ => ErrorCategory.NotSpecified,
        };
    }
}
