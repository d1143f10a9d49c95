using System;
using System.Collections.Generic;
using System.Linq;
using SgNarrower.Json;

namespace SgNarrower.Audit
{
    /// <summary>A record that cannot be read whole; the message names the line.</summary>
    public sealed class AuditRecordException : FormatException
    {
        public AuditRecordException(string message, Exception? inner = null) : base(message, inner) { }
    }

    /// <summary>Reads an audit record (JSON Lines or CSV) back into rules; all or nothing.</summary>
    public static class AuditRecordReader
    {
        public static List<AuditEntry> Read(string text)
        {
            var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (trimmed.Length == 0) throw new AuditRecordException("The record is empty: it holds no line at all, not even an empty-run line.");
            return trimmed[0] == '{' ? ReadJsonLines(text) : ReadCsv(text);
        }

        private static List<AuditEntry> ReadJsonLines(string text)
        {
            var entries = new List<AuditEntry>();
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
                var entry = Entry(i + 1, name => obj.TryGetValue(name, out var v) ? v : null);
                if (entry != null) entries.Add(entry);
            }
            return entries;
        }

        private static List<AuditEntry> ReadCsv(string text)
        {
            List<(int Line, List<string> Fields)> rows;
            try { rows = Csv.Read(text); }
            catch (FormatException e) { throw new AuditRecordException(e.Message, e); }
            if (rows.Count == 0) throw new AuditRecordException("The record is empty.");
            var header = rows[0].Fields.Select(h => h.Trim()).ToList();
            foreach (var required in new[] { "RecordType", "FormatVersion", "GroupId" })
                if (!header.Contains(required))
                    throw new AuditRecordException($"line 1: the CSV header has no {required} column; this is not an SgNarrower audit record.");
            var entries = new List<AuditEntry>();
            foreach (var (line, fields) in rows.Skip(1))
            {
                if (fields.Count != header.Count)
                    throw new AuditRecordException($"line {line}: {fields.Count} fields where the header has {header.Count}");
                var entry = Entry(line, name =>
                {
                    int idx = header.IndexOf(name);
                    return idx < 0 ? null : AuditRecordFormat.UnescapeCsvCell(name, fields[idx]);
                });
                if (entry != null) entries.Add(entry);
            }
            return entries;
        }

        private static AuditEntry? Entry(int line, Func<string, object?> get)
        {
            var versionText = Convert.ToString(get("FormatVersion"), System.Globalization.CultureInfo.InvariantCulture);
            if (versionText != AuditRecordFormat.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw new AuditRecordException(string.IsNullOrEmpty(versionText)
                    ? $"line {line}: no FormatVersion; this is not an SgNarrower audit record."
                    : $"line {line}: format version {versionText} is not one this SgNarrower reads (it reads version {AuditRecordFormat.CurrentVersion}); use the SgNarrower version that wrote it.");
            var type = Convert.ToString(get("RecordType"), System.Globalization.CultureInfo.InvariantCulture);
            if (type == AuditRecordFormat.RunRecord) return null;
            if (type != AuditRecordFormat.RuleRecord)
                throw new AuditRecordException($"line {line}: unknown RecordType '{type}'");
            try { return RuleInput.Read(get); }
            catch (FormatException e) { throw new AuditRecordException($"line {line}: {e.Message}, so nothing can be put back from this record", e); }
        }
    }
}
