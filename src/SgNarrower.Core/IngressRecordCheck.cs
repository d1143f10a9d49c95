namespace SgNarrower
{
    /// <summary>What Test-IngressRecord found: whether a record is signed, by which key, and whether its bytes are the ones signed.</summary>
    public sealed record IngressRecordCheck
    {
        /// <summary>Where the record is: a path or s3://bucket/key.</summary>
        public string Record { get; init; } = "";
        public bool Signed { get; init; }
        /// <summary>True only for a signed record whose bytes are exactly the ones signed, by a key the admin named.</summary>
        public bool Valid { get; init; }
        public string? KeyArn { get; init; }
        public string? Algorithm { get; init; }
        public DateTime? SignedAt { get; init; }
        /// <summary>SHA-256 of the record's bytes as read, hex.</summary>
        public string Sha256 { get; init; } = "";
        public int RuleCount { get; init; }
        /// <summary>How many of its rules a restore would open to the world (0.0.0.0/0, ::/0, or a prefix list holding either).</summary>
        public int OpenToWorldCount { get; init; }
        /// <summary>Why the record is not valid; null when it is.</summary>
        public string? Problem { get; init; }
        /// <summary>A stable id for the problem (RecordNotSigned, RecordChanged, SignatureInvalid, KeyNotTrusted, SignatureUnreadable).</summary>
        public string? ProblemId { get; init; }

        public override string ToString() => Valid ? $"{Record}: signed by {KeyArn}, unchanged" : $"{Record}: {Problem}";
    }
}
