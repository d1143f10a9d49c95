using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>Where one record goes: a local file, an S3 object, or both.</summary>
    public sealed class AuditDestination
    {
        public string? FilePath { get; set; }
        public bool OverwriteFile { get; set; }
        public IS3Api? S3 { get; set; }
        public string? Bucket { get; set; }
        public string? Key { get; set; }
        public string? ServerSideEncryption { get; set; }
        public string? KmsKeyId { get; set; }
        public string? ExpectedBucketOwner { get; set; }
    }
}
