namespace SgNarrower.Evidence
{
    /// <summary>
    /// Where the flow logs are: raw logs in local files and folders or under the flow log's S3 destination, or the
    /// results of the shipped Athena query that aggregates them (local CSV files, or s3:// keys and prefixes).
    /// </summary>
    /// <param name="HiveCompatiblePartitions">The S3 destination uses Hive-compatible prefixes (aws-account-id=.../year=...).</param>
    public sealed record EvidenceSources(IReadOnlyList<string> FlowLogPaths, IReadOnlyList<string> FlowLogUris, bool HiveCompatiblePartitions,
        IReadOnlyList<string> AggregatePaths, IReadOnlyList<string> AggregateUris)
    {
        /// <summary>Read the aggregate query's results instead of raw logs.</summary>
        public bool Aggregated => AggregatePaths.Count > 0 || AggregateUris.Count > 0;
    }
}
