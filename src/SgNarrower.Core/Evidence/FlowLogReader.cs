using SgNarrower.Rules;

namespace SgNarrower.Evidence
{
    /// <summary>
    /// Reads VPC flow log records (text format: a header line naming the fields, then one space-separated record a line)
    /// from a decompressed stream, record by record, holding nothing but the current buffer. The default version-2 fields
    /// and any custom order (versions 3 to 5) are understood; unknown field names are refused. Fields are compared as
    /// bytes; only records that pass the cheap checks (ACCEPT, OK, ingress, inside the window) become strings.
    /// </summary>
    public sealed class FlowLogReader
    {
        public static readonly HashSet<string> KnownFields = new HashSet<string>(StringComparer.Ordinal)
        {
            "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes",
            "start", "end", "action", "log-status", "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr",
            "pkt-dstaddr", "region", "az-id", "sublocation-type", "sublocation-id", "pkt-src-aws-service", "pkt-dst-aws-service",
            "flow-direction", "traffic-path", "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn",
            "ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn",
            "ecs-task-arn", "ecs-task-id", "reject-reason", "resource-id", "encryption-status",
        };
        private static readonly byte[] Accept = Encoding.ASCII.GetBytes("ACCEPT");
        private static readonly byte[] Ok = Encoding.ASCII.GetBytes("OK");
        private static readonly byte[] Ingress = Encoding.ASCII.GetBytes("ingress");

        private readonly FlowEvidence _evidence;

        public FlowLogReader(FlowEvidence evidence) { _evidence = evidence; }

        /// <summary>Records read (lines after the header) and records that counted for a rule.</summary>
        public long Records { get; private set; }

        public void Read(Stream stream, string name)
        {
            var buffer = new byte[1 << 16];
            int filled = 0, start = 0;
            bool header = true;
            var map = new int[0];               // our slot -> field index (-1: not in this format)
            var offsets = new int[64];
            var ends = new int[64];
            while (true)
            {
                int read = stream.Read(buffer, filled, buffer.Length - filled);
                if (read <= 0)
                {
                    if (filled > start)
                    {
                        // AWS ends every record with a newline: a last line without one is cut off (a truncated file).
                        try { Line(buffer, start, filled, ref header, ref map, offsets, ends, name); }
                        catch (FlowLogFormatException e)
                        {
                            Records--;
                            throw new EndOfStreamException($"'{name}' ends in the middle of a record: the file is truncated.", e);
                        }
                    }
                    break;
                }
                if (header && filled == 0 && read >= 4 && buffer[0] == (byte)'P' && buffer[1] == (byte)'A' && buffer[2] == (byte)'R' && buffer[3] == (byte)'1')
                    throw new FlowLogFormatException($"'{name}' is a Parquet flow log; SgNarrower reads the text format. Deliver the flow log as text (the default), or convert the file.");
                filled += read;
                int i = start;
                while (true)
                {
                    int nl = Array.IndexOf(buffer, (byte)'\n', i, filled - i);
                    if (nl < 0) break;
                    Line(buffer, start, nl, ref header, ref map, offsets, ends, name);
                    start = i = nl + 1;
                }
                // Keep the unfinished line at the front; grow the buffer for a line longer than it.
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                    filled -= start;
                    start = 0;
                }
                else if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        // Our slots for the fields we use.
        private const int InterfaceId = 0, SrcAddr = 1, DstAddr = 2, DstPort = 3, Protocol = 4, Packets = 5, Start = 6, Action = 7, LogStatus = 8, Direction = 9, Slots = 10;

        private void Line(byte[] b, int from, int to, ref bool header, ref int[] map, int[] offsets, int[] ends, string name)
        {
            if (to > from && b[to - 1] == (byte)'\r') to--;
            if (to <= from) return;
            if (header)
            {
                header = false;
                map = Header(Encoding.ASCII.GetString(b, from, to - from), name);
                return;
            }
            Records++;
            // Split on spaces into field offsets.
            int n = 0, p = from;
            while (p < to && n < offsets.Length)
            {
                while (p < to && b[p] == (byte)' ') p++;
                if (p >= to) break;
                offsets[n] = p;
                while (p < to && b[p] != (byte)' ') p++;
                ends[n++] = p;
            }
            if (n != _fields) throw new FlowLogFormatException($"'{name}': record {Records} has {n} fields where the header names {_fields}.");
            var at = map;

            if (!Equal(b, offsets[at[Action]], ends[at[Action]], Accept)) return;
            if (at[LogStatus] >= 0 && !Equal(b, offsets[at[LogStatus]], ends[at[LogStatus]], Ok)) return;
            if (at[Direction] >= 0 && !Equal(b, offsets[at[Direction]], ends[at[Direction]], Ingress)) return;
            if (at[Start] >= 0)
            {
                long start = Number(b, offsets[at[Start]], ends[at[Start]]);
                if (start >= 0 && !_evidence.InWindow(start)) return;
            }
            // Only records that pass the cheap checks become strings: the interface is found from its bytes, and the
            // protocol, port and family are checked against its rules first.
            var target = _evidence.Find(b, offsets[at[InterfaceId]], ends[at[InterfaceId]]);
            if (target == null) return;
            int protocol = (int)Number(b, offsets[at[Protocol]], ends[at[Protocol]]);
            int port = (int)Number(b, offsets[at[DstPort]], ends[at[DstPort]]);
            int srcFrom = offsets[at[SrcAddr]], srcTo = ends[at[SrcAddr]];
            bool v6 = Array.IndexOf(b, (byte)':', srcFrom, srcTo - srcFrom) >= 0;
            if (!target.AdmitsAny(protocol, port, v6)) return;
            // Without a flow-direction field, a record is inbound when it arrives at one of the interface's addresses.
            if (at[Direction] < 0 && target.HasAddresses
                && !target.IsOwnAddress(Encoding.ASCII.GetString(b, offsets[at[DstAddr]], ends[at[DstAddr]] - offsets[at[DstAddr]]))) return;
            long packets = at[Packets] >= 0 ? Math.Max(0, Number(b, offsets[at[Packets]], ends[at[Packets]])) : 0;
            _evidence.Add(target, Source(b, srcFrom, srcTo, name), protocol, port, packets, v6);
        }

        private int _fields;

        // Source addresses seen by this reader, by a hash of their bytes: a source that comes back is not made again.
        // Grows with the distinct sources, as the evidence does; never with the log.
        private readonly Dictionary<int, string[]> _sources = new Dictionary<int, string[]>();

        private string Source(byte[] b, int from, int to, string name)
        {
            int key = FlowEvidence.Hash(b, from, to);
            if (_sources.TryGetValue(key, out var known))
            {
                foreach (var s in known)
                {
                    if (s.Length != to - from) continue;
                    int i = 0;
                    while (i < s.Length && s[i] == b[from + i]) i++;
                    if (i == s.Length) return s;
                }
            }
            var made = Encoding.ASCII.GetString(b, from, to - from);
            // Checked once per distinct source: an address written another way than AWS writes it (010.1.2.3) did not
            // come from a flow log, and is never reinterpreted.
            if (!IpAddressText.TryParse(made, out _))
                throw new FlowLogFormatException($"'{name}': record {Records} has the srcaddr '{made}', which is not an address as AWS writes it (IPv4 as four decimal octets without leading zeros, IPv6 in RFC 4291 text).");
            _sources[key] = known == null ? new[] { made } : AppendTo(known, made);
            return made;
        }

        private static string[] AppendTo(string[] items, string item)
        {
            var grown = new string[items.Length + 1];
            Array.Copy(items, grown, items.Length);
            grown[items.Length] = item;
            return grown;
        }

        /// <summary>Reads the header: which field holds what, as slot -> field index.</summary>
        private int[] Header(string line, string name)
        {
            var fields = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            var unknown = new List<string>();
            var slots = new int[Slots];
            for (int s = 0; s < Slots; s++) slots[s] = -1;
            var seen = new HashSet<string>();
            _fields = fields.Length;
            for (int i = 0; i < fields.Length; i++)
            {
                var f = fields[i].Trim().TrimStart('$').Trim('{', '}');
                if (!KnownFields.Contains(f)) unknown.Add(fields[i]);
                seen.Add(f);
                int slot = f switch
                {
                    "interface-id" => InterfaceId, "srcaddr" => SrcAddr, "dstaddr" => DstAddr, "dstport" => DstPort, "protocol" => Protocol,
                    "packets" => Packets, "start" => Start, "action" => Action, "log-status" => LogStatus, "flow-direction" => Direction,
                    _ => -1,
                };
                if (slot >= 0) slots[slot] = i;
            }
            if (unknown.Count > 0)
                throw new FlowLogFormatException($"'{name}': the header names fields that are not VPC flow log fields: {string.Join(", ", unknown)}. The first line must be the flow log's header.");
            foreach (var need in new[] { "interface-id", "srcaddr", "dstaddr", "dstport", "protocol", "action" })
                if (!seen.Contains(need))
                    throw new FlowLogFormatException($"'{name}': the flow log has no '{need}' field, which evidence needs (interface-id, srcaddr, dstaddr, dstport, protocol, action). Add it to the flow log's format.");
            return slots;
        }

        private static bool Equal(byte[] b, int from, int to, byte[] word)
        {
            if (to - from != word.Length) return false;
            for (int i = 0; i < word.Length; i++) if (b[from + i] != word[i]) return false;
            return true;
        }

        /// <summary>A whole number, or -1 for '-' (a missing value).</summary>
        private static long Number(byte[] b, int from, int to)
        {
            if (to - from == 1 && b[from] == (byte)'-') return -1;
            long n = 0;
            for (int i = from; i < to; i++)
            {
                int d = b[i] - '0';
                if (d < 0 || d > 9) return -1;
                n = n * 10 + d;
            }
            return n;
        }
    }
}
