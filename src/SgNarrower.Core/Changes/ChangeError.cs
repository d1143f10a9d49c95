using System;
using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>An error to report for a rule (non-terminating): stable id, kind, message, and the rule's result as target.</summary>
    public sealed class ChangeError
    {
        public ChangeError(string errorId, FailureKind kind, string message, IngressRuleChange target, Exception? exception)
        {
            ErrorId = errorId;
            Kind = kind;
            Message = message;
            Target = target;
            Exception = exception;
        }
        public string ErrorId { get; }
        public FailureKind Kind { get; }
        public string Message { get; }
        /// <summary>The rule's result: what the error record names as its target.</summary>
        public IngressRuleChange Target { get; }
        public Exception? Exception { get; }
    }
}
