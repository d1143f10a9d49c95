using System;
using SgNarrower.AwsApi;

namespace SgNarrower.Concurrency
{
    /// <summary>A failure a worker reports for one thing in its scope (a missing group, a rule), with its own id.</summary>
    public sealed class ScopeFailure : Exception
    {
        public ScopeFailure(string errorId, FailureKind kind, string message, object? target, Exception? inner = null) : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
        }
        public string ErrorId { get; }
        public FailureKind Kind { get; }
        public object? Target { get; }
    }
}
