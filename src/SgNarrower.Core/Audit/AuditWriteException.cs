using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>A record that was not (wholly) written; says what was written and stays.</summary>
    public sealed class AuditWriteException(string errorId, FailureKind kind, string message, string target, Exception inner) : Exception(message, inner)
    {
        public string ErrorId { get; } = errorId;
        public FailureKind Kind { get; } = kind;
        public string Target { get; } = target;
    }
}
