namespace SgNarrower.AwsApi
{
    /// <summary>The KMS calls that sign records and check their signatures.</summary>
    public interface IKmsApi
    {
        string Region { get; }
        /// <summary>DescribeKey: the key's ARN and how it signs (an asymmetric signing key, or an HMAC key). Throws AwsSetupException for a key that does neither.</summary>
        KmsKey Describe(string keyId);
        /// <summary>kms:Sign (or kms:GenerateMac for an HMAC key) over a small message.</summary>
        byte[] Sign(KmsKey key, byte[] message);
        /// <summary>kms:Verify (or kms:VerifyMac): true only when the signature was made over the message with this key and algorithm.</summary>
        bool Verify(KmsKey key, string algorithm, byte[] message, byte[] signature);
    }
}
