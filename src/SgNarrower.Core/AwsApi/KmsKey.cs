namespace SgNarrower.AwsApi
{
    /// <summary>A KMS key that signs records: its ARN, the algorithm it signs with, and whether it makes MACs (an HMAC key).</summary>
    public sealed record KmsKey(string Arn, string Algorithm, bool IsMac)
    {
        /// <summary>The region in the key's ARN (arn:partition:kms:region:account:key/id), where its KMS must be asked.</summary>
        public static string? RegionOf(string keyIdOrArn)
        {
            var parts = keyIdOrArn.Split(':');
            return parts.Length >= 6 && parts[0] == "arn" && parts[2] == "kms" && parts[3].Length > 0 ? parts[3] : null;
        }
    }
}
