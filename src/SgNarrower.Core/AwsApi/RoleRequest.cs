namespace SgNarrower.AwsApi
{
    /// <summary>A role to assume in another account.</summary>
    public sealed class RoleRequest
    {
        public RoleRequest(string accountId, string roleName, string? externalId, string sessionName)
        {
            AccountId = accountId;
            RoleName = roleName;
            ExternalId = externalId;
            SessionName = sessionName;
        }
        public string AccountId { get; }
        public string RoleName { get; }
        public string? ExternalId { get; }
        /// <summary>2-64 characters of [\w+=,.@-]: names the run in CloudTrail.</summary>
        public string SessionName { get; }

        /// <summary>arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;name&gt;, the partition from the region.</summary>
        public string RoleArn(string region) => $"arn:{AwsNames.Partition(region)}:iam::{AccountId}:role/{RoleName}";
    }
}
