using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Json;
using SgNarrower.Rules;

namespace SgNarrower.Exceptions
{
    /// <summary>
    /// Reads an exceptions file: JSON (<c>{"Exceptions": [ {...}, ... ]}</c>), CSV with the same column names (one row an
    /// entry), or the entries of a PowerShell data file as the cmdlet hands them over. Every field of every entry is
    /// required ("*" says any, for a scope field); a file with any entry that is incomplete, ambiguous or malformed is
    /// refused whole, naming the entry, so that no rule is ever kept open, or closed, on a guess.
    /// </summary>
    public static class ExceptionFile
    {
        public static readonly IReadOnlyList<string> Fields = new[]
        {
            "AccountId", "Region", "GroupId", "SecurityGroupRuleId", "IpProtocol", "FromPort", "ToPort", "Source",
            "Owner", "Reason", "Ticket", "Ends",
        };

        private const string Any = "*";

        /// <summary>A file's text, by its name's extension: .json, .csv; anything else is refused.</summary>
        public static IReadOnlyList<ExceptionEntry> Read(string name, string text)
        {
            var extension = System.IO.Path.GetExtension(name).ToLowerInvariant();
            return extension switch
            {
                ".json" => FromJson(name, text),
                ".csv" => FromCsv(name, text),
                _ => throw new ExceptionFileException($"{name}: an exceptions file is .json, .csv or .psd1, not '{extension}'."),
            };
        }

        public static IReadOnlyList<ExceptionEntry> FromJson(string name, string text)
        {
            object? root;
            try { root = JsonParser.Parse(text); }
            catch (JsonParseException e) { throw new ExceptionFileException($"{name}: the file is not valid JSON: {e.Message}. Nothing is read from it.", e); }
            if (root is not JsonObject obj || obj.Count != 1 || !obj.TryGetValue("Exceptions", out var list) || list is not List<object?> entries)
                throw new ExceptionFileException($"{name}: an exceptions file is one object with an Exceptions list: {{\"Exceptions\": [ {{...}} ]}}. Nothing is read from it.");
            return FromValues(name, entries.Select((e, i) => e is JsonObject o
                ? o.ToDictionary(kv => kv.Key, kv => kv.Value is JsonNumber n ? n.Text : kv.Value, StringComparer.OrdinalIgnoreCase)
                : throw Refused(name, i + 1, null, "is not an object of fields")).ToList());
        }

        public static IReadOnlyList<ExceptionEntry> FromCsv(string name, string text)
        {
            List<(int Line, List<string> Fields)> rows;
            try { rows = Csv.Read(text); }
            catch (FormatException e) { throw new ExceptionFileException($"{name}: the file is not valid CSV: {e.Message}. Nothing is read from it.", e); }
            if (rows.Count == 0) throw new ExceptionFileException($"{name}: the file is empty; an exceptions file has a header line with the fields {string.Join(", ", Fields)}.");
            var header = rows[0].Fields.Select(f => f.Trim()).ToList();
            var twice = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (twice != null) throw new ExceptionFileException($"{name}: the column {twice.Key} is given twice; readers disagree about which one counts. Nothing is read from it.");
            var entries = new List<IReadOnlyDictionary<string, object?>>();
            foreach (var (line, fields) in rows.Skip(1))
            {
                if (fields.Count != header.Count)
                    throw Refused(name, entries.Count + 1, null, $"(line {line}) has {fields.Count} cells for {header.Count} columns");
                var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                for (int i = 0; i < header.Count; i++) row[header[i]] = fields[i];
                entries.Add(row);
            }
            return FromValues(name, entries);
        }

        /// <summary>Entries as field-value maps (from any format): each checked whole, the first fault refusing the file.</summary>
        public static IReadOnlyList<ExceptionEntry> FromValues(string name, IReadOnlyList<IReadOnlyDictionary<string, object?>> entries)
        {
            var result = new List<ExceptionEntry>();
            for (int i = 0; i < entries.Count; i++) result.Add(Entry(name, i + 1, entries[i]));
            return result;
        }

        private static ExceptionEntry Entry(string file, int number, IReadOnlyDictionary<string, object?> values)
        {
            var ticket = values.TryGetValue("Ticket", out var t) ? Text(t) : null;
            ExceptionFileException Fault(string what) => Refused(file, number, ticket, what);

            foreach (var key in values.Keys)
                if (!Fields.Contains(key, StringComparer.OrdinalIgnoreCase))
                    throw Fault($"has a field '{key}' that an exception does not have (its fields: {string.Join(", ", Fields)})");
            string Required(string field)
            {
                var text = values.TryGetValue(field, out var v) ? Text(v) : null;
                if (string.IsNullOrWhiteSpace(text)) throw Fault($"has no {field}" + (Array.IndexOf(new[] { "Owner", "Reason", "Ticket", "Ends" }, field) < 0 ? " (give \"*\" for any)" : ""));
                if (!InputText.IsPlain(text)) throw Fault($"{field} holds a control or bidirectional character");
                if (text!.Trim() != text) throw Fault($"{field} '{text}' has spaces around it");
                return text;
            }
            string? Scope(string field, Func<string, bool> valid, string what)
            {
                var text = Required(field);
                if (text == Any) return null;
                return valid(text) ? text : throw Fault($"{field} '{text}' is not {what}, nor \"*\" for any");
            }

            var account = Scope("AccountId", AwsNames.AccountId.IsMatch, "a 12-digit AWS account id");
            var region = Scope("Region", AwsNames.Region.IsMatch, "an AWS region name (like eu-west-1)");
            var group = Scope("GroupId", Ec2Names.GroupId.IsMatch, "a security group id (sg-...)");
            var ruleId = Scope("SecurityGroupRuleId", Ec2Names.RuleId.IsMatch, "a rule id (sgr-...)");
            var protocol = Scope("IpProtocol", Protocols.IsValid, "an IP protocol (tcp, udp, icmp, icmpv6, -1 for all traffic, or a number 0-255)");
            var ports = Ports(Required("FromPort"), Required("ToPort"), protocol == null ? null : Protocols.Canonical(protocol), Fault);
            var source = Source(Required("Source"), Fault);
            var ends = Ends(Required("Ends"), Fault);
            return new ExceptionEntry
            {
                Number = number, File = file,
                AccountId = account, Region = region, GroupId = group, SecurityGroupRuleId = ruleId,
                IpProtocol = protocol == null ? null : Protocols.Canonical(protocol), Ports = ports, Source = source,
                Owner = Required("Owner"), Reason = Required("Reason"), Ticket = Required("Ticket"), Ends = ends,
            };
        }

        /// <summary>Both ports, or "*" for both; in range for the protocol, the range the right way round.</summary>
        private static (int, int)? Ports(string from, string to, string? protocol, Func<string, ExceptionFileException> fault)
        {
            if (from == Any && to == Any) return null;
            if (from == Any || to == Any) throw fault($"FromPort '{from}' and ToPort '{to}' are both numbers or both \"*\"");
            if (!int.TryParse(from, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int f) ||
                !int.TryParse(to, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int t))
                throw fault($"FromPort '{from}' and ToPort '{to}' are not whole numbers");
            var kind = Protocols.Classify(protocol);
            if (protocol == null || kind == ProtocolKind.All || kind == ProtocolKind.Other)
                throw fault($"has ports {f}-{t} for {(protocol == null ? "any protocol" : "protocol " + protocol)}, which has none: give \"*\" for both");
            if (kind == ProtocolKind.Tcp || kind == ProtocolKind.Udp)
            {
                if (f < 0 || t > 65535 || f > t) throw fault($"ports {f}-{t} are not a range within 0-65535");
            }
            else if (f < -1 || f > 255 || t < -1 || t > 255 || (f == -1 && t != -1))
                throw fault($"ICMP type {f} and code {t} are not -1 to 255 (type -1 covers every code, with code -1)");
            return (f, t);
        }

        /// <summary>A CIDR block as AWS writes it (its network address), a prefix list or a group; "*" for any.</summary>
        private static RuleSource? Source(string text, Func<string, ExceptionFileException> fault)
        {
            if (text == Any) return null;
            if (Ec2Names.PrefixListId.IsMatch(text)) return RuleSource.PrefixList(text);
            if (Ec2Names.GroupId.IsMatch(text)) return RuleSource.SecurityGroup(text);
            if (!Cidr.IsWellFormed(text) || !Cidr.TryParse(text, out var cidr))
                throw fault($"Source '{text}' is not a CIDR block as AWS writes it, a prefix list (pl-...) or a group (sg-...), nor \"*\" for any");
            var source = RuleSource.FromCidr(cidr);
            if (!string.Equals(source.Value, text, StringComparison.OrdinalIgnoreCase))
                throw fault($"Source '{text}' has host bits set: the block is {source.Value}; write that, so that every reader covers the same addresses");
            return source;
        }

        /// <summary>A moment with its offset (Z or +hh:mm): a date alone, or a time without a zone, ends at a different moment for different readers.</summary>
        private static DateTimeOffset Ends(string text, Func<string, ExceptionFileException> fault)
        {
            var formats = new[] { "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-ddTHH:mmK" };
            bool zoned = text.EndsWith("Z", StringComparison.Ordinal) || System.Text.RegularExpressions.Regex.IsMatch(text, @"[+-]\d{2}:\d{2}\z");
            if (!zoned || !DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ends))
                throw fault($"Ends '{text}' is not a moment with its zone, like 2027-03-31T00:00:00Z or 2027-03-31T09:00:00+02:00 (a date alone ends at a different moment for different readers)");
            return ends;
        }

        private static string? Text(object? value) => value switch
        {
            null => null,
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };

        private static ExceptionFileException Refused(string file, int number, string? ticket, string what) =>
            new ExceptionFileException($"{file}: exception #{number}{(string.IsNullOrWhiteSpace(ticket) ? "" : $" ({ticket})")} {what}. The whole file is refused: no exception in it is used.");
    }
}
