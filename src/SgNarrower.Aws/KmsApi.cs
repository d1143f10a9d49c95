using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using SgNarrower.AwsApi;

namespace SgNarrower.AwsSdk
{
    /// <summary>KMS through the SDK: the key that signs records, its signatures and MACs, and their checks.</summary>
    internal sealed class KmsApi : IKmsApi, IDisposable
    {
        private readonly AmazonKeyManagementServiceClient _client;

        public KmsApi(string region, AWSCredentials credentials, string? endpointUrl)
        {
            Region = region;
            var config = new AmazonKeyManagementServiceConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = SdkConfig.MaxAttempts - 1 };
            SdkConfig.Apply(config, region, endpointUrl);
            _client = new AmazonKeyManagementServiceClient(credentials, config);
        }

        public string Region { get; }

        /// <summary>The algorithms SgNarrower signs with, in the order it prefers them.</summary>
        private static readonly string[] Preferred =
        {
            "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256", "ML_DSA_SHAKE_256", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512", "HMAC_SHA_224",
        };

        public KmsKey Describe(string keyId)
        {
            var meta = SdkCalls.Run("kms", "DescribeKey", () => _client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
            var usage = meta?.KeyUsage?.Value;
            bool mac = usage == "GENERATE_VERIFY_MAC";
            var offered = (mac ? meta?.MacAlgorithms : meta?.SigningAlgorithms) ?? new List<string>();
            var algorithm = usage == "SIGN_VERIFY" || mac ? Preferred.FirstOrDefault(offered.Contains) : null;
            if (meta?.Arn == null || algorithm == null)
                throw new AwsSetupException("SigningKeyUnusable",
                    $"KMS key '{keyId}' cannot sign records: its key usage is {usage ?? "unknown"}. Use an asymmetric key with key usage SIGN_VERIFY (kms:Sign) or an HMAC key (GENERATE_VERIFY_MAC, kms:GenerateMac).");
            if (meta.KeyState?.Value is string state && state != "Enabled")
                throw new AwsSetupException("SigningKeyUnusable", $"KMS key '{keyId}' ({meta.Arn}) is {state}; records can be signed and checked only with an enabled key.");
            return new KmsKey(meta.Arn, algorithm, mac);
        }

        public byte[] Sign(KmsKey key, byte[] message)
        {
            if (key.IsMac)
            {
                var mac = SdkCalls.Run("kms", "GenerateMac", () => _client.GenerateMacAsync(new GenerateMacRequest
                    { KeyId = key.Arn, MacAlgorithm = key.Algorithm, Message = new MemoryStream(message) }));
                return mac.Mac.ToArray();
            }
            var signed = SdkCalls.Run("kms", "Sign", () => _client.SignAsync(new SignRequest
                { KeyId = key.Arn, SigningAlgorithm = key.Algorithm, MessageType = MessageType.RAW, Message = new MemoryStream(message) }));
            return signed.Signature.ToArray();
        }

        public bool Verify(KmsKey key, string algorithm, byte[] message, byte[] signature)
        {
            try
            {
                if (key.IsMac)
                    return SdkCalls.Run("kms", "VerifyMac", () => _client.VerifyMacAsync(new VerifyMacRequest
                        { KeyId = key.Arn, MacAlgorithm = algorithm, Message = new MemoryStream(message), Mac = new MemoryStream(signature) })).MacValid == true;
                return SdkCalls.Run("kms", "Verify", () => _client.VerifyAsync(new VerifyRequest
                {
                    KeyId = key.Arn, SigningAlgorithm = algorithm, MessageType = MessageType.RAW,
                    Message = new MemoryStream(message), Signature = new MemoryStream(signature),
                })).SignatureValid == true;
            }
            catch (AwsServiceException e) when (e.ErrorCode == "KMSInvalidSignatureException" || e.ErrorCode == "KMSInvalidMacException")
            {
                return false;
            }
        }

        public void Dispose() => _client.Dispose();
    }
}
