namespace SgNarrower.AwsApi
{
    /// <summary>How to reach AWS: the AWS.Tools-style options a cmdlet takes.</summary>
    /// <param name="EndpointUrl">A service URL to use instead of AWS's (VPC endpoints, S3-compatible stores, tests).</param>
    /// <param name="S3EndpointUrl">For commands that call both EC2 and S3: the S3 URL, where it differs from <paramref name="EndpointUrl"/>.</param>
    /// <param name="RateShare">The share (0-1] of each of EC2's per-account, per-region token buckets this command may use.</param>
    /// <param name="ThrottlePatience">How long one call may keep waiting out throttling (RequestLimitExceeded) before it fails; null: three minutes.</param>
    public sealed record AwsConnection(string? ProfileName = null, string? ProfileLocation = null, string? AccessKey = null, string? SecretKey = null,
        string? SessionToken = null, string? EndpointUrl = null, string? S3EndpointUrl = null, double RateShare = 1.0, TimeSpan? ThrottlePatience = null)
    {
        /// <summary>How long one call may keep waiting out throttling before it fails.</summary>
        public TimeSpan Patience => ThrottlePatience ?? TimeSpan.FromMinutes(3);
    }
}
