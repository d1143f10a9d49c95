namespace SgNarrower
{
    /// <summary>Where an audit record went: what Export-IngressAudit -Summary writes, and what it tells the user.</summary>
    public sealed class IngressAuditSummary
    {
        public string RunId { get; set; } = "";
        public DateTime RecordedAt { get; set; }
        public int RuleCount { get; set; }
        public string Format { get; set; } = "";
        public string? BucketName { get; set; }
        public string? Key { get; set; }
        public string? S3Uri => BucketName == null ? null : $"s3://{BucketName}/{Key}";
        public string? ETag { get; set; }
        public string? VersionId { get; set; }
        public string? Path { get; set; }
        /// <summary>SHA-256 of the record's bytes, hex: compare it with what is stored to prove the record unchanged.</summary>
        public string Sha256 { get; set; } = "";
        /// <summary>The KMS key that signed the record (its signature is beside it, with .sig added); null for an unsigned record.</summary>
        public string? SigningKeyArn { get; set; }

        public override string ToString() =>
            $"Recorded {RuleCount} rule(s), run {RunId}" + (S3Uri != null ? $", to {S3Uri}" : "") + (Path != null ? $", to {Path}" : "") + (SigningKeyArn != null ? $", signed by {SigningKeyArn}" : "");
    }
}
