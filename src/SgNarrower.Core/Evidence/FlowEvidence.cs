using SgNarrower.Exposure;
using SgNarrower.Rules;

namespace SgNarrower.Evidence
{
    /// <summary>
    /// What flow logs say about open rules: for each rule, the sources whose accepted traffic arrived at an interface
    /// that carries the rule's group, on the rule's protocol, within its ports (ICMP: any), from its address family.
    /// An interface with several groups counts its traffic for every group whose rule would admit it (never lose a real
    /// client). Memory grows with distinct (rule, source) pairs, not with the logs.
    /// </summary>
    public sealed class FlowEvidence
    {
        internal sealed class Counter
        {
            public Counter(OpenIngressRule rule, RuleIdentity identity)
            {
                Rule = rule;
                Identity = identity;
                Ipv6 = rule.OpenInIpv6();
                _kind = identity.Kind;
                _number = int.TryParse(identity.Protocol, out int n) ? n : -2;
            }
            // Classified once: the checks below run for every record.
            private readonly ProtocolKind _kind;
            private readonly int _number;

            /// <summary>Whether the rule would admit this traffic: its protocol (number; -1 all) and ports (ICMP: any). The family is the caller's check.</summary>
            public bool Admits(int protocol, int port)
            {
                switch (_kind)
                {
                    case ProtocolKind.All: return true;
                    case ProtocolKind.Tcp: return protocol == 6 && port >= Identity.FromPort && port <= Identity.ToPort;
                    case ProtocolKind.Udp: return protocol == 17 && port >= Identity.FromPort && port <= Identity.ToPort;
                    case ProtocolKind.Icmp: return protocol == 1;
                    case ProtocolKind.Icmpv6: return protocol == 58;
                    default: return _number == protocol;
                }
            }
            public OpenIngressRule Rule { get; }
            public RuleIdentity Identity { get; }
            public bool Ipv6 { get; }
            public readonly Dictionary<string, long[]> Sources = new Dictionary<string, long[]>(StringComparer.Ordinal);
            public long Records;
        }

        /// <summary>A watched network interface: the rules of the groups it carries, and its own addresses.</summary>
        public sealed class WatchedInterface
        {
            internal WatchedInterface(string id) { Id = id; IdBytes = Encoding.ASCII.GetBytes(id); }
            public string Id { get; }
            internal byte[] IdBytes { get; }
            internal readonly List<Counter> Counters = new List<Counter>();
            internal readonly HashSet<string> Addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

            /// <summary>Whether what arrives here must be checked against the interface's addresses to know it is inbound.</summary>
            public bool HasAddresses => Addresses.Count > 0;
            public bool IsOwnAddress(string address) => Addresses.Contains(address);

            /// <summary>Whether any rule here would admit this traffic (checked before any string is made).</summary>
            public bool AdmitsAny(int protocol, int port, bool ipv6)
            {
                foreach (var c in Counters) if (c.Ipv6 == ipv6 && c.Admits(protocol, port)) return true;
                return false;
            }
        }

        private readonly Dictionary<string, WatchedInterface> _byInterface = new Dictionary<string, WatchedInterface>(StringComparer.Ordinal);
        // The same targets by a hash of the id's bytes, so that a record's interface is found without making a string.
        private readonly Dictionary<int, WatchedInterface[]> _byHash = new Dictionary<int, WatchedInterface[]>();
        private readonly List<Counter> _counters = new List<Counter>();
        private readonly long _since, _until;
        private readonly object _gate = new object();

        public FlowEvidence(IEnumerable<(OpenIngressRule Rule, RuleIdentity Identity)> rules, ExposureMap interfaces, DateTimeOffset since, DateTimeOffset until)
        {
            _since = since.ToUnixTimeSeconds();
            _until = until.ToUnixTimeSeconds();
            Since = since;
            Until = until;
            foreach (var (rule, identity) in rules)
            {
                var counter = new Counter(rule, identity);
                _counters.Add(counter);
                foreach (var ni in interfaces.InterfacesOf(rule.GroupId))
                {
                    if (!_byInterface.TryGetValue(ni.NetworkInterfaceId, out var target)) _byInterface[ni.NetworkInterfaceId] = target = new WatchedInterface(ni.NetworkInterfaceId);
                    if (!target.Counters.Contains(counter)) target.Counters.Add(counter);
                    target.Addresses.UnionWith(ni.PrivateIpAddresses);
                    target.Addresses.UnionWith(ni.Ipv6Addresses);
                }
            }
            foreach (var target in _byInterface.Values)
            {
                int h = Hash(target.IdBytes, 0, target.IdBytes.Length);
                _byHash[h] = _byHash.TryGetValue(h, out var same) ? same.Concat(new[] { target }).ToArray() : new[] { target };
            }
        }

        public DateTimeOffset Since { get; }
        public DateTimeOffset Until { get; }
        public IReadOnlyCollection<string> InterfaceIds => _byInterface.Keys;

        public bool InWindow(long start) => start >= _since && start <= _until;

        /// <summary>The watched interface whose id is these bytes, or null.</summary>
        public WatchedInterface? Find(byte[] bytes, int from, int to)
        {
            if (!_byHash.TryGetValue(Hash(bytes, from, to), out var candidates)) return null;
            foreach (var t in candidates)
            {
                var id = t.IdBytes;
                if (id.Length != to - from) continue;
                int i = 0;
                while (i < id.Length && id[i] == bytes[from + i]) i++;
                if (i == id.Length) return t;
            }
            return null;
        }

        /// <summary>FNV-1a over bytes: how interface ids (and the reader's sources) are found without making strings.</summary>
        internal static int Hash(byte[] bytes, int from, int to)
        {
            unchecked
            {
                uint h = 2166136261;
                for (int i = from; i < to; i++) h = (h ^ bytes[i]) * 16777619;
                return (int)h;
            }
        }

        /// <summary>One accepted inbound record at a watched interface; thread-safe (files are read at once).</summary>
        public void Add(WatchedInterface target, string src, int protocol, int port, long packets, bool ipv6) => Add(target, src, protocol, port, 1, packets, ipv6);

        /// <summary><paramref name="flows"/> accepted inbound records alike (an aggregate's row); thread-safe.</summary>
        public void Add(WatchedInterface target, string src, int protocol, int port, long flows, long packets, bool ipv6)
        {
            lock (_gate)
            {
                foreach (var c in target.Counters)
                {
                    if (c.Ipv6 != ipv6 || !c.Admits(protocol, port)) continue;
                    c.Records += flows;
                    if (!c.Sources.TryGetValue(src, out var n)) c.Sources[src] = n = new long[2];
                    n[0] += flows;
                    n[1] += packets;
                }
            }
        }

        /// <summary>The watched interface with this id, or null.</summary>
        public WatchedInterface? Find(string interfaceId) => _byInterface.TryGetValue(interfaceId, out var t) ? t : null;

        /// <summary>Each rule with its evidence and what to do with it.</summary>
        /// <summary>
        /// Sources listed per rule, most flows first: every distinct one up to this many, so that anyone can check that
        /// the proposed cover holds them all; past it, the rule says how many were left out.
        /// </summary>
        public const int MaxObservedSources = 10000;

        private static bool WithinOpenEntry(IReadOnlyList<Cidr> cover, string? openEntry) =>
            Cidr.TryParse(openEntry, out var entry) && cover.All(entry.Contains);

        public IEnumerable<OpenIngressRule> Results(ExposureMap exposure, int maxCidr)
        {
            foreach (var c in _counters)
            {
                var sources = c.Sources.OrderByDescending(kv => kv.Value[0]).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => new ObservedSource(kv.Key, kv.Value[0], kv.Value[1])).ToList();
                Recommendation recommendation;
                IReadOnlyList<string> replaceWith = Array.Empty<string>();
                string reason;
                if (exposure.InterfacesOf(c.Rule.GroupId).Count == 0)
                {
                    recommendation = Recommendation.Revoke;
                    reason = "Nothing carries the group, so nothing can use the rule.";
                }
                else if (sources.Count == 0)
                {
                    recommendation = Recommendation.Revoke;
                    reason = $"No accepted traffic used the rule between {Since:u} and {Until:u}.";
                }
                else
                {
                    bool v6 = c.Ipv6;
                    var addresses = sources.Select(s => IpAddressText.TryParse(s.Address, out var a) ? a : null).Where(a => a != null).Select(a => a!).ToList();
                    var cover = CidrCover.Cover(addresses, maxCidr, v6 ? ReplacementSet.MinIpv6PrefixLength : ReplacementSet.MinIpv4PrefixLength);
                    if (cover == null)
                    {
                        recommendation = Recommendation.Keep;
                        reason = $"{sources.Count} source(s) used the rule; covering them with {maxCidr} block(s) would need one broader than /{(v6 ? ReplacementSet.MinIpv6PrefixLength : ReplacementSet.MinIpv4PrefixLength)}: it serves the internet.";
                    }
                    else if (c.Rule.PrefixListId != null && !WithinOpenEntry(cover, c.Rule.OpenEntry))
                    {
                        recommendation = Recommendation.Keep;
                        reason = $"{sources.Count} source(s) used the rule, which refers to prefix list {c.Rule.PrefixListId}; {string.Join(", ", cover)} would cover them, but not within the list's entry {c.Rule.OpenEntry ?? "(not known)"} that opens the rule, so narrowing could grant more than it allowed.";
                    }
                    else if (c.Rule.PrefixListId != null)
                    {
                        // The group's own reference is narrowed to its own clients; the list, shared with other groups
                        // whose clients this run has not measured, is left as it is.
                        recommendation = Recommendation.Narrow;
                        replaceWith = cover.Select(b => b.ToString()).ToList();
                        reason = $"{sources.Count} source(s) used the rule; {string.Join(", ", replaceWith)} cover(s) every one of them. The group's reference to prefix list {c.Rule.PrefixListId} is replaced by them; the list itself, which other groups may share, is left as it is.";
                    }
                    else
                    {
                        recommendation = Recommendation.Narrow;
                        replaceWith = cover.Select(b => b.ToString()).ToList();
                        reason = $"{sources.Count} source(s) used the rule; {string.Join(", ", replaceWith)} cover(s) every one of them.";
                    }
                }
                yield return c.Rule with
                {
                    Recommendation = recommendation,
                    RecommendationReason = reason,
                    ReplaceWith = replaceWith,
                    ObservedSources = sources.Take(MaxObservedSources).ToList(),
                    ObservedSourceCount = sources.Count,
                    ObservedSourcesLeftOut = Math.Max(0, sources.Count - MaxObservedSources),
                    FlowRecordCount = c.Records,
                    EvidenceSince = Since,
                    EvidenceUntil = Until,
                    Exposure = exposure.For(c.Rule.GroupId, c.Ipv6),
                };
            }
        }
    }
}
