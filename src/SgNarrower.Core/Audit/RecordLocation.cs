using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>Where a record is: an S3 object (s3://bucket/key, as AuditUri gives it) or a file path.</summary>
    public sealed class RecordLocation
    {
        private RecordLocation(string? bucket, string? key, string? path)
        {
            Bucket = bucket;
            Key = key;
            FilePath = path;
        }

        public string? Bucket { get; }
        public string? Key { get; }
        public string? FilePath { get; }
        public bool IsS3 => Bucket != null;

        /// <summary>An S3 object; throws FormatException for a bucket name or key S3 would not store as given.</summary>
        public static RecordLocation S3(string bucket, string key)
        {
            S3Names.CheckBucket(bucket);
            S3Names.CheckKey(key);
            return new RecordLocation(bucket, key, null);
        }
        public static RecordLocation File(string path) => new RecordLocation(null, null, path);

        /// <summary>s3://bucket/key, or anything else as a file path; throws FormatException for an s3:// URI without a key.</summary>
        public static RecordLocation Parse(string uri)
        {
            if (!uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) return File(uri);
            var rest = uri.Substring(5);
            int slash = rest.IndexOf('/');
            if (slash <= 0 || slash == rest.Length - 1) throw new FormatException($"'{uri}' is not s3://bucket/key.");
            return S3(rest.Substring(0, slash), rest.Substring(slash + 1));
        }

        public override string ToString() => IsS3 ? $"s3://{Bucket}/{Key}" : FilePath!;
    }
}
