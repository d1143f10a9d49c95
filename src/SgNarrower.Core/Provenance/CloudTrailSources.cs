using System.IO;
using System.Threading;
using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Evidence;

namespace SgNarrower.Provenance
{
    /// <summary>
    /// Where a trail's log files are, and their reading into a <see cref="ProvenanceIndex"/>: in S3 under the layout
    /// CloudTrail delivers to (<c>&lt;prefix&gt;/AWSLogs/&lt;account&gt;/CloudTrail/&lt;region&gt;/yyyy/MM/dd/</c>, and for an
    /// organisation trail <c>&lt;prefix&gt;/AWSLogs/&lt;o-id&gt;/&lt;account&gt;/...</c>), only the days of the window and only
    /// the accounts and regions asked; or local files and folders (.json.gz, .json); or the CSV results of the shipped
    /// Athena query (sql/cloudtrail-provenance.sql). Several files are read at once.
    /// </summary>
    public static class CloudTrailSources
    {
        public static bool IsLogName(string name) =>
            name.EndsWith(".json.gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

        /// <summary>The day folders of the window for one account and region.</summary>
        public static IEnumerable<string> DayPrefixes(string? prefix, string? organizationId, string account, string region, DateTimeOffset since, DateTimeOffset until)
        {
            var root = (string.IsNullOrEmpty(prefix) ? "" : prefix!.TrimEnd('/') + "/") + "AWSLogs/" + (organizationId != null ? organizationId + "/" : "");
            for (var day = since.UtcDateTime.Date; day <= until.UtcDateTime.Date; day = day.AddDays(1))
                yield return $"{root}{account}/CloudTrail/{region}/{day.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture)}/";
        }

        /// <summary>The log files in S3 for the scopes and the window; a listing refused is handed to <paramref name="failed"/>, and the others go on.</summary>
        public static List<FlowLogFile> InS3(IS3Api s3, string uri, string? organizationId, IEnumerable<(string Account, string Region)> scopes,
            DateTimeOffset since, DateTimeOffset until, string? expectedBucketOwner, Action<AwsServiceException, string> failed)
        {
            var (bucket, prefix) = FlowLogSources.ParseS3Uri(uri);
            var files = new List<FlowLogFile>();
            foreach (var (account, region) in scopes.Distinct())
                foreach (var day in DayPrefixes(prefix, organizationId, account, region, since, until))
                {
                    try
                    {
                        foreach (var key in Paging.All(token => s3.ListKeys(bucket, day, token, expectedBucketOwner)).Where(IsLogName))
                            files.Add(new FlowLogFile($"s3://{bucket}/{key}", () => s3.OpenObject(bucket, key)));
                    }
                    catch (AwsServiceException e) { failed(e, $"s3://{bucket}/{day}"); }
                }
            return files;
        }

        public static IEnumerable<FlowLogFile> Local(IEnumerable<string> paths)
        {
            foreach (var p in paths)
            {
                if (Directory.Exists(p))
                {
                    foreach (var f in Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Where(IsLogName).OrderBy(f => f, StringComparer.Ordinal))
                        yield return new FlowLogFile(f, () => File.OpenRead(f));
                }
                else if (File.Exists(p)) { var f = p; yield return new FlowLogFile(f, () => File.OpenRead(f)); }
                else throw new FileNotFoundException($"No CloudTrail log file or folder at '{p}'.", p);
            }
        }

        /// <summary>
        /// Reads the files into the index, several at once; a file that cannot be read whole is a failure of its own
        /// (the events read from it before the fault count), and the others go on.
        /// </summary>
        public static void Read(IReadOnlyList<FlowLogFile> files, ProvenanceIndex index, int throttleLimit, WorkerNotes notes, CancellationToken cancel)
        {
            int done = 0;
            // A trail delivers a file every few minutes per account and region: files are looked up by name, not searched.
            var byName = files.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            ScopeRunner.Run(byName.Keys.ToList(), throttleLimit, (string name, IWorkerSink<int> sink) =>
            {
                var file = byName[name];
                int events = 0;
                try
                {
                    // Opened as it is read, gzip taken off where the name says so.
                    using var text = file.Open();
                    // A trail's log file, or the CSV Athena wrote for sql/cloudtrail-provenance.sql.
                    var read = name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? CloudTrailQueryResult.Read(text, name) : CloudTrailReader.Read(text, name);
                    foreach (var e in read)
                    {
                        index.Add(e);
                        events++;
                    }
                }
                catch (Exception e) when (e is Json.JsonParseException || e is FormatException || e is InvalidDataException || e is IOException)
                {
                    sink.Failure(new ScopeFailure("CloudTrailUnreadable", FailureKind.InvalidData,
                        $"'{name}' could not be read to its end ({e.Message}); the {events} rule event(s) before that count.", name, e));
                }
                sink.Result(events);
            }, new WorkerHandlers<int>
            {
                Result = _ => { done++; notes.Progress(new WorkProgress($"{done} of {byName.Count} CloudTrail file(s), {index.Events} rule event(s)", done, byName.Count)); },
                Verbose = notes.Verbose, Warning = notes.Warning, Failure = notes.Failure,
            }, cancel);
        }
    }
}
