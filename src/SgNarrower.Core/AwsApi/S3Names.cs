using System.Text.RegularExpressions;

namespace SgNarrower.AwsApi
{
    /// <summary>
    /// Bucket names and object keys checked before anything is written or read, so that the object stored is the one
    /// reported: S3's bucket naming rules, and keys without '.' or '..' segments, a leading '/', backslashes or
    /// control characters (an HTTP client or a path-style endpoint would resolve those to another key or bucket).
    /// </summary>
    public static class S3Names
    {
        public const int MaxKeyBytes = 1024;
        private static readonly Regex BucketPattern = new Regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\\z", RegexOptions.CultureInvariant);
        private static readonly Regex IpLike = new Regex(@"^\d{1,3}(\.\d{1,3}){3}\z", RegexOptions.CultureInvariant);
        private static readonly string[] ReservedPrefixes = { "xn--", "sthree-", "amzn-s3-demo-" };
        private static readonly string[] ReservedSuffixes = { "-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3" };

        /// <summary>s3://bucket[/path]: the bucket (checked) and the rest as given, empty for none; null for anything that is not an s3:// URI.</summary>
        public static (string Bucket, string Path)? SplitUri(string uri)
        {
            if (!uri.StartsWith("s3://", System.StringComparison.OrdinalIgnoreCase)) return null;
            var rest = uri.Substring(5);
            int slash = rest.IndexOf('/');
            var bucket = slash < 0 ? rest : rest.Substring(0, slash);
            CheckBucket(bucket);
            return (bucket, slash < 0 ? "" : rest.Substring(slash + 1));
        }

        /// <summary>Throws FormatException saying which rule the name breaks.</summary>
        public static void CheckBucket(string bucket)
        {
            if (bucket == null || !BucketPattern.IsMatch(bucket))
                throw new FormatException($"'{bucket}' is not an S3 bucket name: 3-63 characters of lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit.");
            if (bucket.Contains("..") || bucket.Contains(".-") || bucket.Contains("-."))
                throw new FormatException($"'{bucket}' is not an S3 bucket name: dots may not be next to each other or to a hyphen.");
            if (IpLike.IsMatch(bucket)) throw new FormatException($"'{bucket}' is not an S3 bucket name: it may not look like an IP address.");
            if (ReservedPrefixes.Any(p => bucket.StartsWith(p, StringComparison.Ordinal)) || ReservedSuffixes.Any(s => bucket.EndsWith(s, StringComparison.Ordinal)))
                throw new FormatException($"'{bucket}' is not an S3 bucket name: it uses a prefix or suffix S3 reserves.");
        }

        public static void CheckKey(string key) => Check(key, "key", allowEmpty: false, allowTrailingSlash: false);

        /// <summary>A key prefix: the same rules, and it may be empty or end with '/'.</summary>
        public static void CheckPrefix(string prefix) => Check(prefix, "key prefix", allowEmpty: true, allowTrailingSlash: true);

        private static void Check(string key, string what, bool allowEmpty, bool allowTrailingSlash)
        {
            if (string.IsNullOrEmpty(key))
            {
                if (allowEmpty) return;
                throw new FormatException($"The S3 {what} is empty.");
            }
            if (key[0] == '/') throw new FormatException($"The S3 {what} '{key}' begins with '/'; S3 keys do not. Leave the slash out.");
            if (key.Any(c => char.IsControl(c))) throw new FormatException($"The S3 {what} '{Printable(key)}' has a control character in it.");
            if (key.IndexOf('\\') >= 0) throw new FormatException($"The S3 {what} '{key}' has a backslash in it; separate folders with '/'.");
            var segments = key.Split('/');
            int last = allowTrailingSlash && key.EndsWith("/", StringComparison.Ordinal) ? segments.Length - 1 : segments.Length;
            for (int i = 0; i < last; i++)
            {
                if (segments[i] == "." || segments[i] == "..")
                    throw new FormatException($"The S3 {what} '{key}' has a '{segments[i]}' segment, which would name another key (or bucket). Give the key as it should be stored.");
                if (segments[i].Length == 0)
                    throw new FormatException($"The S3 {what} '{key}' has an empty segment ('//' or a trailing '/').");
            }
            if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes) throw new FormatException($"The S3 {what} is longer than S3's {MaxKeyBytes} bytes.");
        }

        private static string Printable(string s) => new string(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
