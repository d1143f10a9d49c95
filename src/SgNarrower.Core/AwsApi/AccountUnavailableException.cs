namespace SgNarrower.AwsApi
{
    /// <summary>An account that cannot be worked in: its role could not be assumed, or the credentials are for another one.</summary>
    public sealed class AccountUnavailableException : Exception
    {
        public AccountUnavailableException(string account, FailureInfo failure, Exception? inner)
            : base(failure.Message, inner)
        {
            Account = account;
            Failure = failure;
        }
        public string Account { get; }
        public FailureInfo Failure { get; }
    }
}
