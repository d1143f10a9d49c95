using SgNarrower.AwsApi;

namespace SgNarrower.Evidence
{
    /// <summary>Where flow logs are: local files and folders, and the S3 layout AWS delivers them in.</summary>
    public static class FlowLogSources
    {
        /// <summary>.log and .log.gz files, given or found in folders (and their subfolders).</summary>
        public static IEnumerable<FlowLogFile> Local(IEnumerable<string> paths)
        {
            foreach (var p in paths)
            {
                if (Directory.Exists(p))
                {
                    foreach (var f in Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                                 .Where(IsFlowLogName)
                                 .OrderBy(f => f, StringComparer.Ordinal))
                        yield return new FlowLogFile(f, () => File.OpenRead(f));
                }
                else if (File.Exists(p)) { var f = p; yield return new FlowLogFile(f, () => File.OpenRead(f)); }
                else throw new FileNotFoundException($"No flow log file or folder at '{p}'.", p);
            }
        }

        /// <summary>Results of the aggregate query (sql/flow-log-aggregate.sql): .csv files, given or found in folders.</summary>
        public static IEnumerable<FlowLogFile> LocalAggregates(IEnumerable<string> paths)
        {
            foreach (var p in paths)
            {
                if (Directory.Exists(p))
                {
                    foreach (var f in Directory.EnumerateFiles(p, "*.csv").OrderBy(f => f, StringComparer.Ordinal))
                        yield return new FlowLogFile(f, () => File.OpenRead(f));
                }
                else if (File.Exists(p)) { var f = p; yield return new FlowLogFile(f, () => File.OpenRead(f)); }
                else throw new FileNotFoundException($"No aggregate file or folder at '{p}'.", p);
            }
        }

        /// <summary>Where Athena wrote the aggregate: s3://bucket/key.csv, or every .csv under s3://bucket/prefix/.</summary>
        public static List<FlowLogFile> AggregatesInS3(IS3Api s3, string uri)
        {
            var (bucket, prefix) = ParseS3Uri(uri);
            var keys = prefix != null && prefix.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                ? new List<string> { prefix }
                : ListKeys(s3, bucket, prefix ?? "").Where(k => k.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).ToList();
            return keys.Select(k => new FlowLogFile($"s3://{bucket}/{k}", () => s3.OpenObject(bucket, k))).ToList();
        }

        /// <summary>Flow logs are delivered as .log.gz (text, gzipped); .log is a copy unpacked by hand.</summary>
        public static bool IsFlowLogName(string name) =>
            name.EndsWith(".log.gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".log", StringComparison.OrdinalIgnoreCase);

        /// <summary>A flow log's S3 destination as configured on it: s3://bucket or s3://bucket/prefix, checked.</summary>
        public static (string Bucket, string? Prefix) ParseS3Uri(string uri)
        {
            var (bucket, path) = S3Names.SplitUri(uri) ?? throw new FormatException($"'{uri}' is not s3://bucket or s3://bucket/prefix.");
            var prefix = path.TrimEnd('/');
            if (prefix.Length > 0) S3Names.CheckPrefix(prefix);
            return (bucket, prefix.Length == 0 ? null : prefix);
        }

        /// <summary>
        /// The flow log files under an S3 destination for the window's days, each (account, region) listed once. A listing
        /// that fails is handed to <paramref name="failed"/> (with the prefix it was for) and the other days go on.
        /// </summary>
        public static List<FlowLogFile> InS3(IS3Api s3, string uri, IEnumerable<(string Account, string Region)> scopes,
            DateTimeOffset since, DateTimeOffset until, bool hive, Action<AwsServiceException, string> failed)
        {
            var (bucket, prefix) = ParseS3Uri(uri);
            var files = new List<FlowLogFile>();
            foreach (var (account, region) in scopes.Distinct())
                foreach (var dayPrefix in DayPrefixes(prefix, account, region, since, until, hive))
                {
                    // Page by page: what the pages before a failed one listed stays.
                    try
                    {
                        foreach (var key in Paging.All(token => s3.ListKeys(bucket, dayPrefix, token)).Where(IsFlowLogName))
                            files.Add(new FlowLogFile($"s3://{bucket}/{key}", () => s3.OpenObject(bucket, key)));
                    }
                    catch (AwsServiceException e) { failed(e, $"s3://{bucket}/{dayPrefix}"); }
                }
            return files;
        }

        /// <summary>Every key under a prefix, all pages.</summary>
        public static List<string> ListKeys(IS3Api s3, string bucket, string prefix) =>
            Paging.All(token => s3.ListKeys(bucket, prefix, token)).ToList();

        /// <summary>
        /// The day prefixes under a flow log's S3 destination for one account and region, for each day of the window:
        /// &lt;prefix&gt;/AWSLogs/&lt;account&gt;/vpcflowlogs/&lt;region&gt;/yyyy/MM/dd/ by default, or with Hive-compatible
        /// partitions &lt;prefix&gt;/AWSLogs/aws-account-id=&lt;account&gt;/aws-service=vpcflowlogs/aws-region=&lt;region&gt;/year=yyyy/month=MM/day=dd/.
        /// A listing of a day takes its hourly partitions too.
        /// </summary>
        public static IEnumerable<string> DayPrefixes(string? prefix, string account, string region, DateTimeOffset since, DateTimeOffset until, bool hive = false)
        {
            var root = string.IsNullOrEmpty(prefix) ? "" : prefix!.TrimEnd('/') + "/";
            for (var day = since.UtcDateTime.Date; day <= until.UtcDateTime.Date; day = day.AddDays(1))
                yield return hive
                    ? $"{root}AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/{day.ToString("'year='yyyy'/month='MM'/day='dd", CultureInfo.InvariantCulture)}/"
                    : $"{root}AWSLogs/{account}/vpcflowlogs/{region}/{day.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture)}/";
        }
    }
}
