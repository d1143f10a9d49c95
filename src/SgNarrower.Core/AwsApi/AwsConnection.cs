namespace SgNarrower.AwsApi
{
    /// <summary>How to reach AWS: the AWS.Tools-style options a cmdlet takes.</summary>
    public sealed class AwsConnection
    {
        public string? ProfileName { get; set; }
        public string? ProfileLocation { get; set; }
        public string? AccessKey { get; set; }
        public string? SecretKey { get; set; }
        public string? SessionToken { get; set; }
        /// <summary>A service URL to use instead of AWS's (VPC endpoints, S3-compatible stores, tests).</summary>
        public string? EndpointUrl { get; set; }
        /// <summary>For commands that call both EC2 and S3: the S3 URL, where it differs from <see cref="EndpointUrl"/>.</summary>
        public string? S3EndpointUrl { get; set; }
        /// <summary>The share (0-1] of each of EC2's per-account, per-region token buckets this command may use.</summary>
        public double RateShare { get; set; } = 1.0;
        /// <summary>How long one call may keep waiting out throttling (RequestLimitExceeded) before it fails.</summary>
        public TimeSpan ThrottlePatience { get; set; } = TimeSpan.FromMinutes(3);
    }
}
