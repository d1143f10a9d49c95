using SgNarrower.Audit;
using SgNarrower.AwsApi;

namespace SgNarrower.Reporting
{
    /// <summary>
    /// The rules a report or a set of findings is made from: lines of records (files, folders, S3 objects and
    /// prefixes), one run or many, and objects from the pipeline, each checked as Restore checks them. A record that
    /// cannot be read whole is refused with its name; nothing is left out quietly.
    /// </summary>
    public sealed class ReportInput
    {
        private readonly List<ReportRow> _rows = new List<ReportRow>();
        private readonly List<AuditRunInfo> _runs = new List<AuditRunInfo>();
        private readonly HashSet<string> _runIds = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<string> _records = new List<string>();

        /// <summary>Every line of the input: records in the order given, then the pipeline's objects.</summary>
        public IReadOnlyList<ReportRow> Lines => _rows;

        /// <summary>
        /// One row a rule (by account, region, group and what it allows): its latest known state, with its history (each
        /// line that holds it, oldest first). Counts and the rule table are of these: a rule recorded open by one run and
        /// revoked by the next is one rule, revoked.
        /// </summary>
        public IReadOnlyList<ReportRow> Rows => _byRule ??= _rows
            .GroupBy(r => (r.Account, r.Region, Group: r.Rule.GroupId.ToLowerInvariant(), r.Entry.Identity))
            .Select(g =>
            {
                var history = g.OrderBy(r => r.When).ThenBy(r => r.Order).ToList();
                return history[history.Count - 1].WithHistory(history);
            })
            .OrderBy(r => r.History[0].Order)
            .ToList();

        private List<ReportRow>? _byRule;

        /// <summary>Exceptions that have not ended and name no rule of the accounts and regions the report holds: kept for nothing.</summary>
        public IReadOnlyList<Exceptions.ExceptionEntry> StaleExceptions { get; private set; } = Array.Empty<Exceptions.ExceptionEntry>();

        /// <summary>
        /// Every rule as it stands against the exceptions file as it is now (<paramref name="now"/>): an exception that
        /// has ended since a record was written shows Ended, one added since shows Live; and which entries are stale.
        /// </summary>
        public void UseExceptions(Exceptions.ExceptionList exceptions, DateTimeOffset now)
        {
            for (int i = 0; i < _rows.Count; i++)
            {
                var row = _rows[i];
                _rows[i] = new ReportRow(row.Entry with { Rule = exceptions.Apply(row.Rule, now) }, row.Run, row.RecordUri, row.Order);
            }
            _byRule = null;
            var scopes = new HashSet<(string, string)>(_rows.Select(r => (r.Account, r.Region)));
            StaleExceptions = exceptions.Stale(now, e => scopes.Any(s => (e.AccountId == null || e.AccountId == s.Item1) && (e.Region == null || e.Region == s.Item2)));
        }

        /// <summary>
        /// How many runs the input speaks of: the runs of the records read, and those that piped rules and results
        /// name (their record's run) where no record of that run was read.
        /// </summary>
        public int RunCount => _runIds.Union(_rows.Where(r => r.Run == null && r.Rule.AuditRunId != null).Select(r => r.Rule.AuditRunId!)).Count();
        /// <summary>Every run the records name, empty runs included, in the order first met.</summary>
        public IReadOnlyList<AuditRunInfo> Runs => _runs;
        /// <summary>The records read, as given (paths and s3:// URIs).</summary>
        public IReadOnlyList<string> Records => _records;

        /// <summary>A rule or change result from the pipeline.</summary>
        public void Add(AuditEntry entry)
        {
            _rows.Add(new ReportRow(entry, null, null, _rows.Count));
            _byRule = null;
        }

        /// <summary>One whole record; throws AuditRecordException naming it when a line cannot be read.</summary>
        public void AddRecord(string text, string source)
        {
            List<RecordedLine> lines;
            try { lines = AuditRecordReader.ReadLines(text); }
            catch (AuditRecordException e) { throw new AuditRecordException($"{source}: {e.Message}", e); }
            _records.Add(source);
            foreach (var line in lines)
            {
                if (line.Run != null && _runIds.Add(line.Run.RunId)) _runs.Add(line.Run);
                if (line.Entry != null) _rows.Add(new ReportRow(line.Entry, line.Run, source, _rows.Count));
            }
            _byRule = null;
        }

        /// <summary>A record file, or every .jsonl and .csv record in a folder and its subfolders, in name order.</summary>
        public void AddPath(string path)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsRecordName)
                    .OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new FileNotFoundException($"The folder '{path}' holds no record (.jsonl or .csv).", path);
                foreach (var file in files) Add(StoredRecord.Load(RecordLocation.File(file), null, null, withSignature: false));
                return;
            }
            if (!File.Exists(path)) throw new FileNotFoundException($"The record '{path}' does not exist.", path);
            Add(StoredRecord.Load(RecordLocation.File(path), null, null, withSignature: false));
        }

        /// <summary>s3://bucket/key (one record) or s3://bucket/prefix/ (every record under it, in key order).</summary>
        public void AddS3(IS3Api s3, string uri, string? expectedBucketOwner)
        {
            var (bucket, key) = ParseS3Uri(uri);
            var keys = key.Length == 0 || key.EndsWith("/", StringComparison.Ordinal)
                ? Paging.All(token => s3.ListKeys(bucket, key, token, expectedBucketOwner)).Where(IsRecordName).OrderBy(k => k, StringComparer.Ordinal).ToList()
                : new List<string> { key };
            if (keys.Count == 0) throw new FileNotFoundException($"No record (.jsonl or .csv) is under {uri}.", uri);
            foreach (var k in keys)
                Add(StoredRecord.Load(RecordLocation.S3(bucket, k), s3, expectedBucketOwner, withSignature: false));
        }

        /// <summary>A record as stored, read as Restore reads it: its exact bytes, decoded strictly.</summary>
        private void Add(StoredRecord record)
        {
            string text;
            try { text = record.Text(); }
            catch (DecoderFallbackException e) { throw new AuditRecordException($"{record.Source}: it is not UTF-8 text, so it is not a record SgNarrower wrote", e); }
            AddRecord(text, record.Source);
        }

        /// <summary>Bucket and key (or prefix) of s3://bucket/key; throws FormatException for anything else.</summary>
        public static (string Bucket, string Key) ParseS3Uri(string uri)
        {
            var (bucket, key) = S3Names.SplitUri(uri) ?? throw new FormatException($"'{uri}' is not an s3:// URI (s3://bucket/key or s3://bucket/prefix/).");
            if (key.Length > 0 && !key.EndsWith("/", StringComparison.Ordinal)) S3Names.CheckKey(key);
            else if (key.Length > 0) S3Names.CheckPrefix(key);
            return (bucket, key);
        }

        private static bool IsRecordName(string name) =>
            name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
    }
}
