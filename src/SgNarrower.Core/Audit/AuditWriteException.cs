using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>A record that was not (wholly) written; says what was written and stays, and where (<see cref="Location"/>: the file or s3:// URI).</summary>
    public sealed class AuditWriteException(string errorId, FailureKind kind, string message, string location, Exception inner) : Exception(message, inner)
    {
        public string ErrorId { get; } = errorId;
        public FailureKind Kind { get; } = kind;
        public string Location { get; } = location;
    }
}
