using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
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

        public static readonly string[] Columns =
        {
            "RecordType", "FormatVersion", "RunId", "RecordedAt", "Tool", "OwnerId", "Region", "VpcId", "GroupId", "GroupName",
            "SecurityGroupRuleId", "IpProtocol", "FromPort", "ToPort", "CidrIpv4", "CidrIpv6", "PrefixListId", "OpenEntry", "Description", "Tags", "GroupTags",
            "Status", "Error", "AuditRunId",
            "Recommendation", "RecommendationReason", "ReplaceWith", "FlowRecordCount", "ObservedSourceCount", "ObservedSources", "ObservedSourcesLeftOut", "EvidenceSince", "EvidenceUntil",
            "Exposure", "NetworkInterfaceCount", "AttachedTo", "ReplacedWith", "Note",
        };

        /// <summary>
        /// Columns whose CSV cells are escaped against spreadsheet formulas: every text column but the protocol and
        /// ports, which are validated numbers and names ("-1" is a number to a spreadsheet, not a formula).
        /// </summary>
        private static readonly HashSet<string> PlainColumns = new HashSet<string>(StringComparer.Ordinal) { "IpProtocol", "FromPort", "ToPort", "FormatVersion", "RuleCount", "FlowRecordCount", "ObservedSourceCount", "ObservedSourcesLeftOut", "NetworkInterfaceCount" };

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
            var r = e.Rule;
            var row = Common(RuleRecord, run);
            void Add(string k, object? v) => row.Add(new KeyValuePair<string, object?>(k, v));
            Add("OwnerId", r.OwnerId);
            Add("Region", r.Region);
            Add("VpcId", r.VpcId);
            Add("GroupId", r.GroupId);
            Add("GroupName", r.GroupName);
            Add("SecurityGroupRuleId", r.SecurityGroupRuleId);
            Add("IpProtocol", r.IpProtocol);
            Add("FromPort", r.FromPort);
            Add("ToPort", r.ToPort);
            Add("CidrIpv4", r.CidrIpv4);
            Add("CidrIpv6", r.CidrIpv6);
            if (r.PrefixListId != null) Add("PrefixListId", r.PrefixListId);
            // The list entry that opens a prefix-list rule: what a narrowing of it must stay within.
            if (r.OpenEntry != null) Add("OpenEntry", r.OpenEntry);
            Add("Description", r.Description);
            Add("Tags", r.Tags ?? new Dictionary<string, string>());
            Add("GroupTags", r.GroupTags ?? new Dictionary<string, string>());
            if (e.Status != null) Add("Status", e.Status.Value.ToString());
            if (e.Error != null) Add("Error", e.Error);
            // The record a narrowing tagged its replacements with, where it is not this one (a journal of exported rules, results).
            if (r.AuditRunId != null && r.AuditRunId != run.RunId) Add("AuditRunId", r.AuditRunId);
            // The evidence a narrowing rests on, so that an auditor sees why (Measure-OpenIngressRule).
            if (r.Recommendation != null)
            {
                Add("Recommendation", r.Recommendation.Value.ToString());
                Add("RecommendationReason", r.RecommendationReason);
                Add("ReplaceWith", (r.ReplaceWith ?? Array.Empty<string>()).ToList());
                Add("FlowRecordCount", r.FlowRecordCount);
                Add("ObservedSourceCount", r.ObservedSourceCount);
                Add("ObservedSources", (r.ObservedSources ?? Array.Empty<ObservedSource>())
                    .Select(o => new List<KeyValuePair<string, object?>> { new KeyValuePair<string, object?>("Address", o.Address), new KeyValuePair<string, object?>("Flows", o.Flows), new KeyValuePair<string, object?>("Packets", o.Packets) }).ToList());
                // Every distinct source is listed up to FlowEvidence.MaxObservedSources; past that, how many are not.
                if (r.ObservedSourcesLeftOut > 0) Add("ObservedSourcesLeftOut", r.ObservedSourcesLeftOut);
                Add("EvidenceSince", r.EvidenceSince?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                Add("EvidenceUntil", r.EvidenceUntil?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            }
            // What the rule exposed when it was found (Get-OpenIngressRule -IncludeExposure), for reports and findings.
            if (r.Exposure != null)
            {
                Add("Exposure", r.Exposure.Value.ToString());
                Add("NetworkInterfaceCount", r.NetworkInterfaceCount);
                Add("AttachedTo", (r.AttachedTo ?? Array.Empty<string>()).ToList());
            }
            // What a change granted in the open rule's place, and what a person should know about it.
            if (e.ReplacedWith != null && e.ReplacedWith.Count > 0) Add("ReplacedWith", e.ReplacedWith.ToList());
            if (e.Note != null) Add("Note", e.Note);
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
