using SgNarrower.Json;

namespace SgNarrower.Audit
{
    /// <summary>Reads an audit record (JSON Lines or CSV) back into rules; all or nothing.</summary>
    public static class AuditRecordReader
    {
        /// <summary>The rules of a record, for putting them back: which run wrote a line is not read.</summary>
        public static List<AuditEntry> Read(string text) =>
            ReadLines(text, withRuns: false).Where(l => l.Entry != null).Select(l => l.Entry!).ToList();

        /// <summary>
        /// Every line with the run that wrote it, empty-run lines included: what reports of many runs read. A line that
        /// names its run must say when it was recorded.
        /// </summary>
        public static List<RecordedLine> ReadLines(string text) => ReadLines(text, withRuns: true);

        private static List<RecordedLine> ReadLines(string text, bool withRuns)
        {
            var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (trimmed.Length == 0) throw new AuditRecordException("The record is empty: it holds no line at all, not even an empty-run line.");
            return trimmed[0] == '{' ? ReadJsonLines(text, withRuns) : ReadCsv(text, withRuns);
        }

        private static List<RecordedLine> ReadJsonLines(string text, bool withRuns)
        {
            var entries = new List<RecordedLine>();
            var lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim().TrimStart('\uFEFF');
                if (line.Length == 0) continue;
                JsonObject obj;
                try
                {
                    obj = JsonParser.Parse(line) as JsonObject ?? throw new AuditRecordException($"line {i + 1}: not a JSON object");
                }
                catch (JsonParseException e)
                {
                    throw new AuditRecordException($"line {i + 1}: not valid JSON ({e.Message})", e);
                }
                entries.Add(Line(i + 1, name => obj.TryGetValue(name, out var v) ? v : null, withRuns));
            }
            return entries;
        }

        private static List<RecordedLine> ReadCsv(string text, bool withRuns)
        {
            List<(int Line, List<string> Fields)> rows;
            try { rows = Csv.Read(text); }
            catch (FormatException e) { throw new AuditRecordException(e.Message, e); }
            if (rows.Count == 0) throw new AuditRecordException("The record is empty.");
            var header = rows[0].Fields.Select(h => h.Trim()).ToList();
            foreach (var required in new[] { "RecordType", "FormatVersion", "GroupId" })
                if (!header.Contains(required))
                    throw new AuditRecordException($"line 1: the CSV header has no {required} column; this is not an SgNarrower audit record.");
            var entries = new List<RecordedLine>();
            foreach (var (line, fields) in rows.Skip(1))
            {
                if (fields.Count != header.Count)
                    throw new AuditRecordException($"line {line}: {fields.Count} fields where the header has {header.Count}");
                entries.Add(Line(line, name =>
                {
                    int idx = header.IndexOf(name);
                    return idx < 0 ? null : AuditRecordFormat.UnescapeCsvCell(name, fields[idx]);
                }, withRuns));
            }
            return entries;
        }

        private static RecordedLine Line(int line, Func<string, object?> get, bool withRuns)
        {
            var versionText = Convert.ToString(get("FormatVersion"), System.Globalization.CultureInfo.InvariantCulture);
            if (versionText != AuditRecordFormat.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw new AuditRecordException(string.IsNullOrEmpty(versionText)
                    ? $"line {line}: no FormatVersion; this is not an SgNarrower audit record."
                    : $"line {line}: format version {versionText} is not one this SgNarrower reads (it reads version {AuditRecordFormat.CurrentVersion}); use the SgNarrower version that wrote it.");
            var type = Convert.ToString(get("RecordType"), System.Globalization.CultureInfo.InvariantCulture);
            var run = withRuns ? Run(line, get) : null;
            if (type == AuditRecordFormat.RunRecord) return new RecordedLine(run, null);
            if (type != AuditRecordFormat.RuleRecord)
                throw new AuditRecordException($"line {line}: unknown RecordType '{type}'");
            try { return new RecordedLine(run, RuleInput.Read(get)); }
            catch (FormatException e) { throw new AuditRecordException($"line {line}: {e.Message}, so nothing can be put back from this record", e); }
        }

        private static AuditRunInfo? Run(int line, Func<string, object?> get)
        {
            var runId = Convert.ToString(get("RunId"), System.Globalization.CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(runId)) return null;
            try { runId = FieldValues.RunId(runId, "RunId"); }
            catch (FormatException e) { throw new AuditRecordException($"line {line}: {e.Message}"); }
            var at = Convert.ToString(get("RecordedAt"), System.Globalization.CultureInfo.InvariantCulture);
            if (!DateTime.TryParseExact(at, "yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var recordedAt))
                throw new AuditRecordException($"line {line}: RecordedAt '{at}' is not a UTC time as records write it (2026-01-31T12:00:00.000Z)");
            return new AuditRunInfo(runId!.Trim(), recordedAt, Convert.ToString(get("Tool"), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }
    }
}
