using System;
using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>A record that was not (wholly) written; says what was written and stays.</summary>
    public sealed class AuditWriteException : Exception
    {
        public AuditWriteException(string errorId, FailureKind kind, string message, string target, Exception inner)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
        }
        public string ErrorId { get; }
        public FailureKind Kind { get; }
        public string Target { get; }
    }
}
