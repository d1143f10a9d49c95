using SgNarrower.Json;

namespace SgNarrower.Audit
{
    /// <summary>
    /// The audit record: one line (JSON Lines) or row (CSV) per rule, self-contained, so that a rule can be put back
    /// from its line alone. Field names are the rule's property names, so a record read back with ConvertFrom-Json or
    /// Import-Csv binds to the cmdlets by property name. An empty run is one line of RecordType "Run" with RuleCount 0.
    /// </summary>
    public static class AuditRecordFormat
    {
        public const int CurrentVersion = 1;
        public const string RuleRecord = "Rule";
        public const string RunRecord = "Run";

        /// <summary>The run's own columns, then every field the record holds (<see cref="RuleFields"/>), in that order.</summary>
        private static readonly string[] RunColumns = { "RecordType", "FormatVersion", "RunId", "RecordedAt", "Tool" };

        public static readonly string[] Columns = RunColumns.Concat(RuleFields.InRecord.Select(f => f.Name)).ToArray();

        /// <summary>
        /// Columns whose CSV cells are escaped against spreadsheet formulas: every text column but the protocol, ports
        /// and counts, which are validated numbers and names ("-1" is a number to a spreadsheet, not a formula).
        /// </summary>
        private static readonly HashSet<string> PlainColumns = new HashSet<string>(
            new[] { "FormatVersion", "RuleCount" }.Concat(RuleFields.All.Where(f => f.Plain).Select(f => f.Name)), StringComparer.Ordinal);

        /// <summary>
        /// A cell that a spreadsheet would run as a formula (it begins with =, +, -, @, tab or CR) is written with a
        /// leading apostrophe, and so is a cell that begins with an apostrophe, so that reading it back is exact.
        /// </summary>
        public static string EscapeCsvCell(string column, string value)
        {
            if (PlainColumns.Contains(column) || value.Length == 0) return value;
            return "=+-@\t\r'".IndexOf(value[0]) >= 0 ? "'" + value : value;
        }

        public static string UnescapeCsvCell(string column, string value) =>
            !PlainColumns.Contains(column) && value.Length > 0 && value[0] == '\'' ? value.Substring(1) : value;

        public static string FileExtension(AuditFormat format) => format == AuditFormat.Csv ? "csv" : "jsonl";
        public static string ContentType(AuditFormat format) => format == AuditFormat.Csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";

        /// <summary>The whole record as UTF-8 bytes (no BOM), in one piece so that it is written and checksummed whole.</summary>
        public static byte[] Write(IReadOnlyList<AuditEntry> entries, AuditRunInfo run, AuditFormat format)
        {
            var rows = entries.Count == 0
                ? new List<List<KeyValuePair<string, object?>>> { RunRow(run) }
                : entries.Select(e => RuleRow(e, run)).ToList();
            var sb = new StringBuilder();
            if (format == AuditFormat.Csv)
            {
                sb.Append(string.Join(",", Columns)).Append("\r\n");
                foreach (var row in rows)
                {
                    var map = row.ToDictionary(kv => kv.Key, kv => kv.Value);
                    sb.Append(string.Join(",", Columns.Select(c => Csv.Quote(EscapeCsvCell(c, CsvValue(map.TryGetValue(c, out var v) ? v : null)))))).Append("\r\n");
                }
            }
            else
            {
                foreach (var row in rows) sb.Append(JsonWriter.Write(row)).Append('\n');
            }
            return new UTF8Encoding(false).GetBytes(sb.ToString());
        }

        private static List<KeyValuePair<string, object?>> Common(string type, AuditRunInfo run) => new List<KeyValuePair<string, object?>>
        {
            new KeyValuePair<string, object?>("RecordType", type),
            new KeyValuePair<string, object?>("FormatVersion", CurrentVersion),
            new KeyValuePair<string, object?>("RunId", run.RunId),
            new KeyValuePair<string, object?>("RecordedAt", run.RecordedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
            new KeyValuePair<string, object?>("Tool", run.Tool),
        };

        private static List<KeyValuePair<string, object?>> RunRow(AuditRunInfo run)
        {
            var row = Common(RunRecord, run);
            row.Add(new KeyValuePair<string, object?>("RuleCount", 0));
            return row;
        }

        private static List<KeyValuePair<string, object?>> RuleRow(AuditEntry e, AuditRunInfo run)
        {
            var row = Common(RuleRecord, run);
            foreach (var field in RuleFields.InRecord)
                if (field.WrittenWhen == null || field.WrittenWhen(e, run))
                    row.Add(new KeyValuePair<string, object?>(field.Name, field.Written!(e, run)));
            return row;
        }

        private static string CsvValue(object? v) => v switch
        {
            null => "",
            string s => s,
            int i => i.ToString(CultureInfo.InvariantCulture),
            long l => l.ToString(CultureInfo.InvariantCulture),
            IEnumerable<KeyValuePair<string, string>> map => JsonWriter.Write(map),
            IEnumerable<string> strings => string.Join(",", strings),
            System.Collections.IEnumerable list => JsonWriter.Write(list),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
        };
    }
}
