namespace SgNarrower.AwsApi
{
    /// <summary>A role to assume in another account.</summary>
    /// <param name="SessionName">2-64 characters of [\w+=,.@-]: names the run in CloudTrail.</param>
    public sealed record RoleRequest(string AccountId, string RoleName, string? ExternalId, string SessionName)
    {
        /// <summary>arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;name&gt;, the partition from the region.</summary>
        public string RoleArn(string region) => $"arn:{AwsNames.Partition(region)}:iam::{AccountId}:role/{RoleName}";
    }
}
