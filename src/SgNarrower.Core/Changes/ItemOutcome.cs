using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>What happened to one planned item while its group was changed: a status, and for a failure, the failure as it came.</summary>
    internal sealed class ItemOutcome
    {
        public ChangeStatus? Status;
        public string? Error;
        public string? ErrorId;
        /// <summary>What kind of failure, kept as the failure said it (never worked back out of its id).</summary>
        public FailureKind? Kind;
        public Exception? Exception;
        public List<string> NewRuleIds = new List<string>();

        /// <summary>Failed for this reason: the message given, the failure's id and kind kept.</summary>
        public void Fail(FailureInfo failure, string error, Exception? exception = null)
        {
            Status = ChangeStatus.Failed;
            ErrorId = failure.ErrorId;
            Kind = failure.Kind;
            Error = error;
            Exception = exception;
        }
    }
}
