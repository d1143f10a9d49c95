using SgNarrower.Rules;

namespace SgNarrower.Evidence
{
    /// <summary>
    /// Reads the result of the aggregation query SgNarrower ships (<c>sql/flow-log-aggregate.sql</c>), as Amazon Athena
    /// writes it: CSV with a header, values in double quotes. One row per (account, region, interface, protocol,
    /// destination port, source, destination) of the window's accepted records, with its count of records (flows) and
    /// packets. Each row counts as that many records of the raw logs would: the same interface, protocol, port, family
    /// and destination checks, so the recommendations are those of the raw logs of the same window.
    /// </summary>
    public sealed class FlowAggregateReader
    {
        /// <summary>The columns the query writes, by name; others are ignored.</summary>
        public static readonly string[] Columns = { "account_id", "region", "interface_id", "protocol", "dstport", "srcaddr", "dstaddr", "flows", "packets" };

        private readonly FlowEvidence _evidence;

        public FlowAggregateReader(FlowEvidence evidence) { _evidence = evidence; }

        /// <summary>Rows read (after the header), and the records they stand for.</summary>
        public long Rows { get; private set; }
        public long Records { get; private set; }

        public void Read(TextReader reader, string name)
        {
            var header = reader.ReadLine();
            if (header == null) throw new FlowLogFormatException($"'{name}' is empty: an aggregate starts with the header {string.Join(",", Columns)}.");
            var names = Fields(header.TrimStart('\uFEFF'), name, 1);
            var at = new int[Columns.Length];
            for (int c = 0; c < Columns.Length; c++)
            {
                at[c] = names.FindIndex(n => string.Equals(n, Columns[c], StringComparison.OrdinalIgnoreCase));
                if (at[c] < 0)
                    throw new FlowLogFormatException($"'{name}' has no column {Columns[c]}: it is not the result of SgNarrower's flow-log aggregate query (columns {string.Join(", ", Columns)}).");
                if (names.FindLastIndex(n => string.Equals(n, Columns[c], StringComparison.OrdinalIgnoreCase)) != at[c])
                    throw new FlowLogFormatException($"'{name}' has the column {Columns[c]} twice; readers disagree about which one counts.");
            }
            int line = 1;
            string? text;
            while ((text = reader.ReadLine()) != null)
            {
                line++;
                if (text.Length == 0) continue;
                var f = Fields(text, name, line);
                if (f.Count != names.Count) throw new FlowLogFormatException($"'{name}': line {line} has {f.Count} values where the header names {names.Count}.");
                Rows++;
                string Value(int column) => f[at[column]];
                long flows = Number(Value(7), "flows", name, line), packets = Number(Value(8), "packets", name, line);
                Records += flows;
                var target = _evidence.Find(Value(2));
                if (target == null) continue;
                int protocol = (int)Number(Value(3), "protocol", name, line);
                int port = (int)Number(Value(4), "dstport", name, line);
                var src = Value(5);
                if (!IpAddressText.TryParse(src, out _))
                    throw new FlowLogFormatException($"'{name}': line {line} has the srcaddr '{src}', which is not an address as AWS writes it (IPv4 as four decimal octets without leading zeros, IPv6 in RFC 4291 text).");
                bool v6 = src.IndexOf(':') >= 0;
                if (!target.AdmitsAny(protocol, port, v6)) continue;
                // As for raw records without a flow-direction field: inbound is addressed to one of the interface's addresses.
                if (target.HasAddresses && !target.IsOwnAddress(Value(6))) continue;
                _evidence.Add(target, src, protocol, port, flows, packets, v6);
            }
        }

        private static long Number(string text, string column, string name, int line) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n
            : throw new FlowLogFormatException($"'{name}': line {line} has {column} '{text}', which is not a whole number.");

        /// <summary>One CSV line (RFC 4180: values optionally in double quotes, a quote inside doubled).</summary>
        private static List<string> Fields(string line, string name, int number)
        {
            var fields = new List<string>();
            var value = new StringBuilder();
            int i = 0;
            while (true)
            {
                value.Clear();
                if (i < line.Length && line[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= line.Length) throw new FlowLogFormatException($"'{name}': line {number} has a quoted value that does not end.");
                        if (line[i] == '"')
                        {
                            if (i + 1 < line.Length && line[i + 1] == '"') { value.Append('"'); i += 2; continue; }
                            i++;
                            break;
                        }
                        value.Append(line[i++]);
                    }
                    if (i < line.Length && line[i] != ',') throw new FlowLogFormatException($"'{name}': line {number} has text after a quoted value.");
                }
                else
                {
                    while (i < line.Length && line[i] != ',') value.Append(line[i++]);
                }
                fields.Add(value.ToString());
                if (i >= line.Length) return fields;
                i++; // the comma
            }
        }
    }
}
