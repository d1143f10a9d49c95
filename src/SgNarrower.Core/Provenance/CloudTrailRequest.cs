namespace SgNarrower.Provenance
{
    /// <summary>
    /// Where to read who opened rules, and for which window: a trail's logs in S3 (<see cref="TrailUri"/>, with
    /// <see cref="OrganizationId"/> for an organisation trail), local log files, or the shipped Athena query's CSV
    /// results, locally or in S3. Local paths are given resolved.
    /// </summary>
    public sealed record CloudTrailRequest
    {
        public IReadOnlyList<string> LogPaths { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> ResultPaths { get; init; } = Array.Empty<string>();
        public string? TrailUri { get; init; }
        public string? OrganizationId { get; init; }
        public IReadOnlyList<string> ResultUris { get; init; } = Array.Empty<string>();
        public DateTimeOffset Since { get; init; }
        public DateTimeOffset Until { get; init; }

        public bool ReadsS3 => TrailUri != null || ResultUris.Count > 0;
    }
}
