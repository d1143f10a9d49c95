using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>A record's exact bytes as stored, and its signature where one is beside it: what a restore and a check read.</summary>
    public sealed record StoredRecord(string Source, byte[] Body, byte[]? Signature)
    {
        /// <summary>
        /// Reads a local record and its .sig, or an S3 object and its .sig (both with ExpectedBucketOwner). Throws
        /// IOException / UnauthorizedAccessException for a file, AwsServiceException for S3.
        /// </summary>
        /// <param name="withSignature">False where only the lines are read (a report): the signature is not fetched.</param>
        public static StoredRecord Load(RecordLocation location, IS3Api? s3, string? expectedBucketOwner, bool withSignature = true)
        {
            if (!location.IsS3)
            {
                var path = location.FilePath!;
                var sidecar = RecordSignature.SidecarOf(path);
                return new StoredRecord(path, File.ReadAllBytes(path), withSignature && File.Exists(sidecar) ? File.ReadAllBytes(sidecar) : null);
            }
            var body = s3!.GetObject(location.Bucket!, location.Key!, expectedBucketOwner);
            if (!withSignature) return new StoredRecord(location.ToString(), body, null);
            byte[]? signature;
            try { signature = s3.GetObject(location.Bucket!, RecordSignature.SidecarOf(location.Key!), expectedBucketOwner); }
            catch (AwsServiceException e) when (e.ErrorCode == "NoSuchKey" || e.StatusCode == 404) { signature = null; }
            return new StoredRecord(location.ToString(), body, signature);
        }

        /// <summary>The record's text, decoded strictly: bytes that are not UTF-8 are not a record SgNarrower wrote.</summary>
        public string Text() => new UTF8Encoding(false, true).GetString(Body);
    }
}
