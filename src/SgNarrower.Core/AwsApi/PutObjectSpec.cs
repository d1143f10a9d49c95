namespace SgNarrower.AwsApi
{
    public sealed class PutObjectSpec
    {
        public string Bucket { get; set; } = "";
        public string Key { get; set; } = "";
        public byte[] Body { get; set; } = Array.Empty<byte>();
        public string ContentType { get; set; } = "application/octet-stream";
        /// <summary>AES256, aws:kms, or null for none.</summary>
        public string? ServerSideEncryption { get; set; }
        public string? KmsKeyId { get; set; }
        public string? ExpectedBucketOwner { get; set; }
        /// <summary>Send If-None-Match: * so that an existing object is never overwritten.</summary>
        public bool IfNoneMatch { get; set; } = true;
    }
}
