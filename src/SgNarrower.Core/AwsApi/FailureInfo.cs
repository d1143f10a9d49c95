namespace SgNarrower.AwsApi
{
    /// <summary>A failure turned into a stable error id, a kind, and a message that says what to do.</summary>
    public sealed class FailureInfo
    {
        public FailureInfo(string errorId, FailureKind kind, string message) { ErrorId = errorId; Kind = kind; Message = message; }
        public string ErrorId { get; }
        public FailureKind Kind { get; }
        public string Message { get; }
    }
}
