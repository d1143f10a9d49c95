using SgNarrower.AwsApi;

namespace SgNarrower.Concurrency
{
    /// <summary>A failure a worker reports for one thing in its scope (a missing group, a rule), with its own id.</summary>
    public sealed class ScopeFailure(string errorId, FailureKind kind, string message, object? target, Exception? inner = null) : Exception(message, inner)
    {
        public string ErrorId { get; } = errorId;
        public FailureKind Kind { get; } = kind;
        public object? Target { get; } = target;
    }
}
