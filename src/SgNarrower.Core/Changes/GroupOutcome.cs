using System;
using System.Collections.Generic;
using SgNarrower.Services;

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
        public IngressRuleChange Target { get; }
        public Exception? Exception { get; }
    }

    /// <summary>What happened to one group's rules: one result per input rule, in input order, and the errors to report.</summary>
    public sealed class GroupOutcome
    {
        public List<IngressRuleChange> Changes { get; } = new List<IngressRuleChange>();
        public List<ChangeError> Errors { get; } = new List<ChangeError>();
    }
}
