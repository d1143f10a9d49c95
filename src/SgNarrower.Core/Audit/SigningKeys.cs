using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>The KMS keys records are signed and checked with, each asked for in its own region (the one in its ARN).</summary>
    public static class SigningKeys
    {
        /// <summary>A key by id, ARN or alias (DescribeKey): its ARN and how it signs. Throws AwsSetupException or AwsServiceException.</summary>
        public static KmsKey Resolve(IAwsSession session, string keyId, string region) => session.Kms(KmsKey.RegionOf(keyId) ?? region).Describe(keyId);

        /// <summary>The signer for a key; every writer of records signs through one.</summary>
        public static RecordSigner Signer(IAwsSession session, string keyId, string region)
        {
            var key = Resolve(session, keyId, region);
            return new RecordSigner(session.Kms(KmsKey.RegionOf(key.Arn) ?? region), key);
        }

        /// <summary>The KMS that checks a key's signatures.</summary>
        public static Func<KmsKey, IKmsApi> Checkers(IAwsSession session, string region) => key => session.Kms(KmsKey.RegionOf(key.Arn) ?? region);
    }
}
