using Amazon;
using Amazon.Runtime;
using SgNarrower.AwsApi;

namespace SgNarrower.AwsSdk
{
    internal static class SdkConfig
    {
        public static Amazon.SecurityToken.AmazonSecurityTokenServiceConfig Sts(string region, string? endpointUrl)
        {
            var config = new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig();
            Apply(config, region, endpointUrl);
            return config;
        }

        /// <summary>For S3: the SDK's standard retry mode with more attempts.</summary>
        public const int MaxAttempts = 8;

        /// <summary>EC2 clients make one attempt per call: <see cref="CallPolicy"/> paces, waits out throttling and retries.</summary>
        public static Amazon.EC2.AmazonEC2Config Ec2(string region, string? endpointUrl)
        {
            // No retry of the SDK's own, a stale pooled connection's included: a retried revoke or authorize after a
            // reply that never came would answer NotFound or Duplicate for the first attempt's effect, and the caller
            // must know that a reply was lost to read that right.
            var config = new Amazon.EC2.AmazonEC2Config { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 0, MaxStaleConnectionRetries = 0 };
            Apply(config, region, endpointUrl);
            return config;
        }

        /// <summary>
        /// The client's region and, whatever sets its endpoint (-EndpointUrl, AWS_ENDPOINT_URL(_&lt;SERVICE&gt;), a
        /// profile's endpoint_url), the region it signs for. With a configured endpoint the SDK would otherwise sign
        /// for the region of its own chain (AWS_REGION, the default profile), not the one this client works in, and
        /// an endpoint that serves every region picks the region's state by that signature.
        /// </summary>
        public static void Apply(Amazon.Runtime.ClientConfig config, string region, string? endpointUrl)
        {
            if (string.IsNullOrEmpty(endpointUrl))
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }
            else
            {
                if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                    throw new AwsSetupException("InvalidEndpointUrl", $"-EndpointUrl '{endpointUrl}' is not an http or https URL.");
                config.ServiceURL = endpointUrl;
            }
            config.AuthenticationRegion = region;
        }
    }
}
