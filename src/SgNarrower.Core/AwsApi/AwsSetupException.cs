namespace SgNarrower.AwsApi
{
    /// <summary>A setup problem found before any work: no credentials, a missing profile, an unknown region.</summary>
    public sealed class AwsSetupException : Exception
    {
        public AwsSetupException(string errorId, string message, Exception? inner = null) : base(message, inner) { ErrorId = errorId; }
        public string ErrorId { get; }
    }
}
