namespace SgNarrower.Rules
{
    /// <summary>A set of TCP/UDP port numbers given as single ports and ranges ("22", "1024-2048").</summary>
    public sealed class PortSet
    {
        private readonly List<(int From, int To)> _ranges;

        private PortSet(List<(int From, int To)> ranges) { _ranges = Merge(ranges); }

        public static PortSet Empty { get; } = new PortSet(new List<(int, int)>());

        public bool IsEmpty => _ranges.Count == 0;

        public static PortSet Of(IEnumerable<int> ports) => new PortSet(ports.Select(p => (Check(p), p)).ToList());

        /// <summary>Parses items such as "22", "80,443" and "1024-2048".</summary>
        public static PortSet Parse(IEnumerable<string> items)
        {
            var ranges = new List<(int, int)>();
            foreach (var item in items)
            {
                foreach (var part in (item ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    var p = part.Trim();
                    var dash = p.IndexOf('-', 1);
                    if (dash > 0)
                    {
                        int from = ParsePort(p.Substring(0, dash), item!), to = ParsePort(p.Substring(dash + 1), item!);
                        if (from > to) throw new FormatException($"Port range '{p}' runs backwards; write the lower port first.");
                        ranges.Add((from, to));
                    }
                    else
                    {
                        int port = ParsePort(p, item!);
                        ranges.Add((port, port));
                    }
                }
            }
            return new PortSet(ranges);
        }

        public PortSet Union(PortSet other) => new PortSet(_ranges.Concat(other._ranges).ToList());

        /// <summary>True where any port of from..to is in the set.</summary>
        public bool Intersects(int from, int to) => _ranges.Any(r => r.From <= to && from <= r.To);

        /// <summary>True where every port of from..to is in the set.</summary>
        public bool Covers(int from, int to) => _ranges.Any(r => r.From <= from && to <= r.To);

        public override string ToString() =>
            string.Join(",", _ranges.Select(r => r.From == r.To ? r.From.ToString(CultureInfo.InvariantCulture) : $"{r.From}-{r.To}"));

        private static int ParsePort(string text, string item)
        {
            if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
                throw new FormatException($"'{item}' is not a port or port range (0-65535, like 22 or 1024-2048).");
            return port;
        }

        private static int Check(int port) =>
            port < 0 || port > 65535 ? throw new FormatException($"{port} is not a port number (0-65535).") : port;

        private static List<(int From, int To)> Merge(List<(int From, int To)> ranges)
        {
            var merged = new List<(int From, int To)>();
            foreach (var r in ranges.OrderBy(r => r.From))
            {
                if (merged.Count > 0 && r.From <= merged[merged.Count - 1].To + 1)
                {
                    var last = merged[merged.Count - 1];
                    merged[merged.Count - 1] = (last.From, Math.Max(last.To, r.To));
                }
                else merged.Add(r);
            }
            return merged;
        }
    }
}
