namespace SgNarrower.AwsApi
{
    /// <summary>The S3 calls SgNarrower makes.</summary>
    public interface IS3Api
    {
        string Region { get; }
        /// <summary>Writes one whole object with checksums (Content-MD5 and SHA-256), unchunked.</summary>
        PutObjectResult PutObject(PutObjectSpec spec);
        byte[] GetObject(string bucket, string key, string? expectedBucketOwner);
        /// <summary>One page of ListObjectsV2 under a prefix.</summary>
        Page<string> ListKeys(string bucket, string prefix, string? continuationToken, string? expectedBucketOwner = null);
        /// <summary>The object's body as a stream, read as it arrives (flow logs are large).</summary>
        System.IO.Stream OpenObject(string bucket, string key);
    }
}
