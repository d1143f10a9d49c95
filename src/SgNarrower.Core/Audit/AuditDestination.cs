using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>Where one record goes: a local file, an S3 object, or both.</summary>
    /// <param name="OverwriteFile">The file may replace one that is there (-Force, or a run's own journal written again).</param>
    /// <param name="Signer">Signs the record; its signature is written beside it (&lt;name&gt;.sig) after the record.</param>
    public sealed record AuditDestination(string? FilePath = null, bool OverwriteFile = false, IS3Api? S3 = null, string? Bucket = null, string? Key = null,
        string? ServerSideEncryption = null, string? KmsKeyId = null, string? ExpectedBucketOwner = null, RecordSigner? Signer = null);
}
