using Amazon.Runtime.CredentialManagement;
using SgNarrower.AwsApi;

namespace SgNarrower.AwsSdk
{
    /// <summary>
    /// endpoint_url in the profile in use (-ProfileName, else AWS_PROFILE, else default), for the clients SgNarrower
    /// builds with explicit credentials. As in every AWS SDK, the environment (AWS_ENDPOINT_URL_&lt;SERVICE&gt;,
    /// AWS_ENDPOINT_URL) wins over the profile, and the SDK applies it itself.
    /// </summary>
    internal static class ConfiguredEndpoints
    {
        public static string? FromProfile(AwsConnection c)
        {
            if (IsTrue(Environment.GetEnvironmentVariable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return null;
            try
            {
                var name = c.ProfileName ?? Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default";
                var chain = new CredentialProfileStoreChain(string.IsNullOrEmpty(c.ProfileLocation) ? null : c.ProfileLocation);
                if (!chain.TryGetProfile(name, out var profile) || profile.IgnoreConfiguredEndpointUrls == true) return null;
                return string.IsNullOrWhiteSpace(profile.EndpointUrl) ? null : profile.EndpointUrl;
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>The profile's endpoint for a service (EC2, S3, STS), unless the environment configures one.</summary>
        public static string? For(string serviceId, string? profileEndpoint)
        {
            if (profileEndpoint == null) return null;
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_" + serviceId)) ||
                !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"))) return null;
            return profileEndpoint;
        }

        /// <summary>Whether the environment configures the service's endpoint (AWS_ENDPOINT_URL_&lt;SERVICE&gt; or AWS_ENDPOINT_URL), which the SDK then applies itself.</summary>
        public static bool Configured(string serviceId) =>
            !IsTrue(Environment.GetEnvironmentVariable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) &&
            (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_" + serviceId)) ||
             !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL")));

        private static bool IsTrue(string? v) => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);
    }
}
