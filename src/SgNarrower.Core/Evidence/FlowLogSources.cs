using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace SgNarrower.Evidence
{
    /// <summary>One flow log file: where it is, and how to open it as a stream of text (gzip undone).</summary>
    public sealed class FlowLogFile
    {
        public FlowLogFile(string name, Func<Stream> open)
        {
            Name = name;
            _open = open;
        }
        private readonly Func<Stream> _open;
        public string Name { get; }

        /// <summary>The decompressed text: a .gz file (or one that starts with gzip's magic bytes) is inflated as it is read.</summary>
        public Stream Open()
        {
            var raw = _open();
            var buffered = new BufferedStream(raw, 1 << 16);
            if (Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return new GZipStream(buffered, CompressionMode.Decompress);
            return buffered;
        }
    }

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
                                 .Where(f => f.EndsWith(".log", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".log.gz", StringComparison.OrdinalIgnoreCase))
                                 .OrderBy(f => f, StringComparer.Ordinal))
                        yield return new FlowLogFile(f, () => File.OpenRead(f));
                }
                else if (File.Exists(p)) { var f = p; yield return new FlowLogFile(f, () => File.OpenRead(f)); }
                else throw new FileNotFoundException($"No flow log file or folder at '{p}'.", p);
            }
        }

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
