using System.IO;
using SgNarrower.Audit;
using SgNarrower.Json;

namespace SgNarrower.Provenance
{
    /// <summary>
    /// Reads the CSV that Athena writes for sql/cloudtrail-provenance.sql: one row a call, the identity's fields in
    /// columns of their own and the request and response as the JSON text CloudTrail recorded. Each row is made back
    /// into the record it came from and read as <see cref="CloudTrailReader"/> reads a log file's records, so both
    /// paths name the same openers.
    /// </summary>
    public static class CloudTrailQueryResult
    {
        public static readonly IReadOnlyList<string> Columns = new[]
        {
            "eventtime", "eventname", "awsregion", "recipientaccountid", "useridentity_type", "useridentity_arn", "useridentity_accountid",
            "useridentity_invokedby", "sessionissuer_arn", "sourceipaddress", "useragent", "errorcode", "requestparameters", "responseelements",
        };

        public static IEnumerable<RuleEvent> Read(Stream utf8, string name)
        {
            string text;
            using (var reader = new StreamReader(utf8, new UTF8Encoding(false, true))) text = reader.ReadToEnd();
            var rows = Csv.Read(text);
            if (rows.Count == 0) yield break;
            var header = rows[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
            var missing = Columns.Where(c => !header.Contains(c)).ToList();
            if (missing.Count > 0)
                throw new FormatException($"'{name}' is not the result of sql/cloudtrail-provenance.sql: it has no column {string.Join(", ", missing)}.");
            foreach (var (line, fields) in rows.Skip(1))
            {
                if (fields.Count != header.Count) throw new FormatException($"'{name}' line {line}: {fields.Count} cells for {header.Count} columns.");
                string? Cell(string column) { var v = fields[header.IndexOf(column)]; return v.Length == 0 ? null : v; }
                JsonObject? Json(string column)
                {
                    var v = Cell(column);
                    if (v == null) return null;
                    try { return JsonParser.Parse(v) as JsonObject; }
                    catch (JsonParseException e) { throw new FormatException($"'{name}' line {line}: {column} is not JSON: {e.Message}", e); }
                }
                var identity = new JsonObject
                {
                    ["type"] = Cell("useridentity_type"), ["arn"] = Cell("useridentity_arn"), ["accountId"] = Cell("useridentity_accountid"),
                    ["invokedBy"] = Cell("useridentity_invokedby"),
                };
                if (Cell("sessionissuer_arn") is string issuer)
                    identity["sessionContext"] = new JsonObject { ["sessionIssuer"] = new JsonObject { ["arn"] = issuer } };
                var record = new JsonObject
                {
                    ["eventTime"] = Cell("eventtime"), ["eventName"] = Cell("eventname"), ["awsRegion"] = Cell("awsregion"),
                    ["recipientAccountId"] = Cell("recipientaccountid"), ["userIdentity"] = identity, ["sourceIPAddress"] = Cell("sourceipaddress"),
                    ["userAgent"] = Cell("useragent"), ["errorCode"] = Cell("errorcode"),
                    ["requestParameters"] = Json("requestparameters"), ["responseElements"] = Json("responseelements"),
                };
                if (CloudTrailReader.Event(record, name) is RuleEvent e) yield return e;
            }
        }
    }
}
