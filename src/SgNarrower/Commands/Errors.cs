using SgNarrower.AwsApi;
using SgNarrower.Concurrency;

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

        /// <summary>A worker's failure as an error record: about its scope, or about the item it was working on (a file).</summary>
        public static ErrorRecord Failure(WorkFailure failure) =>
            failure.Scope is Scope scope ? ScopeError(scope, failure.Error)
            : failure.Error is AwsServiceException aws ? Aws(aws, failure.Item ?? "", failure.Item)
            : FailureError(failure.Item ?? "", failure.Error);

        /// <summary>An error a worker met, as an error record: stable ids for ours and AWS's, the scope as target.</summary>
        public static ErrorRecord ScopeError(Scope scope, Exception e) => e switch
        {
            AccountUnavailableException a => Errors.Record(a.Failure.ErrorId, Errors.Category(a.Failure.Kind), a.Failure.Message, a.Account, a.InnerException),
            AwsServiceException s => Errors.Aws(s, (scope.Account != null ? $"account {scope.Account}, " : "") + "region " + scope.Region, scope.ToString()),
            AwsSetupException s => Errors.Setup(s),
            _ => FailureError(scope, e),
        };

        /// <summary>An error about one thing a worker handled (a group, a file): its own id, the thing as target.</summary>
        public static ErrorRecord FailureError(object what, Exception e) => e is ScopeFailure f
            ? Errors.Record(f.ErrorId, Errors.Category(f.Kind), f.Message, f.Target ?? what.ToString(), f.InnerException)
            : Errors.Record("UnexpectedError", ErrorCategory.NotSpecified, $"{what}: {e.Message}", what.ToString(), e);
    }
}
