namespace SgNarrower.AwsApi
{
    /// <summary>An error from an AWS service call, in our terms.</summary>
    public sealed class AwsServiceException(string service, string action, string errorCode, string message, int statusCode, Exception? inner = null)
        : Exception(message, inner)
    {
        /// <summary>"ec2" or "s3": the IAM service prefix.</summary>
        public string Service { get; } = service;
        /// <summary>The API action, e.g. DescribeSecurityGroups.</summary>
        public string Action { get; } = action;
        /// <summary>AWS's error code, e.g. UnauthorizedOperation, or "ConnectionFailure" when no answer came.</summary>
        public string ErrorCode { get; } = errorCode;
        public int StatusCode { get; } = statusCode;

        /// <summary>An earlier attempt of this call got no reply: this error may answer that attempt's own effect.</summary>
        public bool AfterLostReply { get; set; }

        /// <summary>
        /// Whether the call may have been applied: no reply came (a dropped connection, a timeout, a 5xx), or this
        /// error answers a retry of an attempt that got none. Any other error is EC2 saying the call changed nothing.
        /// </summary>
        public bool OutcomeUnknown => AfterLostReply || ErrorCode == "ConnectionFailure" || StatusCode >= 500;
    }
}
