using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace SgNarrower.AwsSdk
{
    /// <summary>
    /// Credentials of a role in another account, from sts:AssumeRole with the caller's credentials, refreshed a few
    /// minutes before they expire so that a long run never signs with expired ones.
    /// </summary>
    internal sealed class AssumedRoleCredentials : RefreshingAWSCredentials
    {
        private readonly AmazonSecurityTokenServiceClient _sts;
        private readonly AssumeRoleRequest _request;

        public AssumedRoleCredentials(AWSCredentials source, AmazonSecurityTokenServiceConfig config, string roleArn, string sessionName, string? externalId)
        {
            // An STS endpoint configured the AWS way (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, endpoint_url) is in the config.
            _sts = new AmazonSecurityTokenServiceClient(source, config);
            _request = new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = sessionName, ExternalId = externalId };
            PreemptExpiryTime = TimeSpan.FromMinutes(5);
        }

        public string RoleArn => _request.RoleArn;

        protected override CredentialsRefreshState GenerateNewCredentials() =>
            GenerateNewCredentialsAsync().ConfigureAwait(false).GetAwaiter().GetResult();

        protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
        {
            var response = await SdkCalls.RunAsync("sts", "AssumeRole", () => _sts.AssumeRoleAsync(_request)).ConfigureAwait(false);
            var c = response.Credentials;
            return new CredentialsRefreshState(new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
                c.Expiration?.ToUniversalTime() ?? DateTime.UtcNow.AddHours(1));
        }
    }
}
