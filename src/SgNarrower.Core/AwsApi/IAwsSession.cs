namespace SgNarrower.AwsApi
{
    /// <summary>
    /// Credentials resolved once, and clients built once per region for the life of one command. Each (account,
    /// region) has its own pacing, shaped like EC2's token buckets. Safe to use from several threads.
    /// </summary>
    public interface IAwsSession : IDisposable
    {
        /// <summary>The region from the default chain (AWS_REGION, profile), or null when none is configured.</summary>
        string? DefaultRegion { get; }
        IEc2Api Ec2(string region);
        IS3Api S3(string region);
        /// <summary>KMS in a region: the keys that sign records.</summary>
        IKmsApi Kms(string region);

        /// <summary>The account the credentials belong to (sts:GetCallerIdentity, asked once).</summary>
        string AccountId(string region);

        /// <summary>
        /// A session in another account, by assuming arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;name&gt; with these
        /// credentials. Its credentials are refreshed before they expire. Throws <see cref="AwsServiceException"/>
        /// (service sts, action AssumeRole) when the role cannot be assumed.
        /// </summary>
        IAwsSession AssumeRole(RoleRequest role, string region);
    }
}
