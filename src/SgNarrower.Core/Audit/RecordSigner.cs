using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>Signs records with one KMS key (kms:Sign for an asymmetric key, kms:GenerateMac for an HMAC key). Every writer signs through here.</summary>
    public sealed class RecordSigner(IKmsApi kms, KmsKey key)
    {
        public KmsKey Key { get; } = key;

        /// <summary>The signature of these exact bytes, to keep beside them.</summary>
        public RecordSignature Sign(byte[] body)
        {
            var sha = RecordSignature.Digest(body);
            var signature = kms.Sign(Key, RecordSignature.Message(sha, body.LongLength));
            return new RecordSignature(Key.Arn, Key.Algorithm, sha, body.LongLength, DateTime.UtcNow, Convert.ToBase64String(signature));
        }
    }
}
