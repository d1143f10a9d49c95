using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using SgNarrower.AwsApi;

namespace SgNarrower.AwsSdk
{
    /// <summary>S3 through the SDK. Bodies are small and buffered: sent whole, unchunked, with checksum headers.</summary>
    internal sealed class S3Api : IS3Api, IDisposable
    {
        private readonly AmazonS3Client _client;

        public S3Api(string region, AWSCredentials credentials, string? endpointUrl)
        {
            Region = region;
            var config = new AmazonS3Config { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = SdkConfig.MaxAttempts - 1 };
            SdkConfig.Apply(config, region, endpointUrl);
            // S3-compatible stores reached by URL (given, or configured by AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) are
            // addressed path-style: the bucket in the path, not in the host name.
            if (!string.IsNullOrEmpty(endpointUrl) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3"))
                || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL")))
                config.ForcePathStyle = true;
            _client = new AmazonS3Client(credentials, config);
        }

        public string Region { get; }

        public PutObjectResult PutObject(PutObjectSpec spec)
        {
            byte[] md5, sha256;
            using (var h = MD5.Create()) md5 = h.ComputeHash(spec.Body);
            using (var h = SHA256.Create()) sha256 = h.ComputeHash(spec.Body);
            var request = new PutObjectRequest
            {
                BucketName = spec.Bucket,
                Key = spec.Key,
                InputStream = new MemoryStream(spec.Body, writable: false),
                ContentType = spec.ContentType,
                // The SDK's default aws-chunked upload is stored as-is by some S3-compatible servers; a whole body
                // with Content-MD5 and a SHA-256 checksum header is understood everywhere.
                UseChunkEncoding = false,
                MD5Digest = Convert.ToBase64String(md5),
                ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
                ChecksumSHA256 = Convert.ToBase64String(sha256),
                AutoCloseStream = true,
            };
            if (spec.IfNoneMatch) request.IfNoneMatch = "*";
            if (!string.IsNullOrEmpty(spec.ExpectedBucketOwner)) request.ExpectedBucketOwner = spec.ExpectedBucketOwner;
            if (spec.ServerSideEncryption == "AES256") request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
            else if (spec.ServerSideEncryption == "aws:kms")
            {
                request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
                if (!string.IsNullOrEmpty(spec.KmsKeyId)) request.ServerSideEncryptionKeyManagementServiceKeyId = spec.KmsKeyId;
            }
            var response = SdkCalls.Run("s3", "PutObject", () => _client.PutObjectAsync(request));
            return new PutObjectResult { ETag = response.ETag, VersionId = response.VersionId };
        }

        public byte[] GetObject(string bucket, string key, string? expectedBucketOwner)
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = key };
            if (!string.IsNullOrEmpty(expectedBucketOwner)) request.ExpectedBucketOwner = expectedBucketOwner;
            using var response = SdkCalls.Run("s3", "GetObject", () => _client.GetObjectAsync(request));
            using var buffer = new MemoryStream();
            response.ResponseStream.CopyTo(buffer);
            return buffer.ToArray();
        }

        public Page<string> ListKeys(string bucket, string prefix, string? continuationToken, string? expectedBucketOwner = null)
        {
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, ContinuationToken = continuationToken, MaxKeys = 1000 };
            if (!string.IsNullOrEmpty(expectedBucketOwner)) request.ExpectedBucketOwner = expectedBucketOwner;
            var response = SdkCalls.Run("s3", "ListBucket", () => _client.ListObjectsV2Async(request));
            var keys = (response.S3Objects ?? new System.Collections.Generic.List<S3Object>()).Where(o => o?.Key != null).Select(o => o.Key).ToList();
            return new Page<string>(keys, response.IsTruncated == true ? response.NextContinuationToken : null);
        }

        public Stream OpenObject(string bucket, string key)
        {
            var response = SdkCalls.Run("s3", "GetObject", () => _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }));
            return new OwnedStream(response.ResponseStream, response);
        }

        /// <summary>A response's body that disposes the response with it.</summary>
        private sealed class OwnedStream : Stream
        {
            private readonly Stream _inner;
            private readonly IDisposable _owner;
            public OwnedStream(Stream inner, IDisposable owner) { _inner = inner; _owner = owner; }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            protected override void Dispose(bool disposing)
            {
                if (disposing) { _inner.Dispose(); _owner.Dispose(); }
                base.Dispose(disposing);
            }
        }

        public void Dispose() => _client.Dispose();
    }
}
