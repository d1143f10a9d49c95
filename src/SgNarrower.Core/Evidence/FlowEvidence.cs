using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using SgNarrower.Changes;

namespace SgNarrower.Evidence
{
    public enum Recommendation
    {
        /// <summary>No accepted traffic in the window, or nothing carries the group: close it.</summary>
        Revoke,
        /// <summary>Every observed source is covered by a few blocks within the limits: narrow to them.</summary>
        Narrow,
        /// <summary>Widely used: covering it would need a broader block than allowed; it serves the internet.</summary>
        Keep,
    }

    /// <summary>A source that reached a rule, with how often.</summary>
    public sealed class ObservedSource
    {
        public ObservedSource(string address, long flows, long packets) { Address = address; Flows = flows; Packets = packets; }
        public string Address { get; }
        public long Flows { get; }
        public long Packets { get; }
        public override string ToString() => $"{Address} ({Flows} flow(s))";
    }

    /// <summary>
    /// What flow logs say about open rules: for each rule, the sources whose accepted traffic arrived at an interface
    /// that carries the rule's group, on the rule's protocol, within its ports (ICMP: any), from its address family.
    /// An interface with several groups counts its traffic for every group whose rule would admit it (never lose a real
    /// client). Memory grows with distinct (rule, source) pairs, not with the logs.
    /// </summary>
    public sealed class FlowEvidence
    {
        private sealed class Counter
        {
            public Counter(OpenIngressRule rule, RuleIdentity identity) { Rule = rule; Identity = identity; }
            public OpenIngressRule Rule { get; }
            public RuleIdentity Identity { get; }
            public readonly Dictionary<string, long[]> Sources = new Dictionary<string, long[]>(StringComparer.Ordinal);
            public long Records;
        }

        private readonly Dictionary<string, List<Counter>> _byInterface = new Dictionary<string, List<Counter>>(StringComparer.Ordinal);
        private readonly Dictionary<string, HashSet<string>> _addresses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
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
                    if (!_byInterface.TryGetValue(ni.NetworkInterfaceId, out var list)) _byInterface[ni.NetworkInterfaceId] = list = new List<Counter>();
                    if (!list.Contains(counter)) list.Add(counter);
                    if (!_addresses.TryGetValue(ni.NetworkInterfaceId, out var set)) _addresses[ni.NetworkInterfaceId] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    set.UnionWith(ni.PrivateIpAddresses);
                    set.UnionWith(ni.Ipv6Addresses);
                }
            }
        }

        public DateTimeOffset Since { get; }
        public DateTimeOffset Until { get; }
        public IReadOnlyCollection<string> InterfaceIds => _byInterface.Keys;

        public bool InWindow(long start) => start >= _since && start <= _until;
        public bool Watches(string interfaceId) => _byInterface.ContainsKey(interfaceId);

        /// <summary>One accepted record at a watched interface; thread-safe (files are read at once).</summary>
        public void Add(string interfaceId, string src, string dst, int protocol, int port, long packets, bool knownDirection)
        {
            if (!_byInterface.TryGetValue(interfaceId, out var counters)) return;
            // Without a flow-direction field, a record is inbound when it arrives at one of the interface's addresses.
            if (!knownDirection && _addresses.TryGetValue(interfaceId, out var mine) && mine.Count > 0 && !mine.Contains(dst)) return;
            bool v6 = src.IndexOf(':') >= 0;
            lock (_gate)
            {
                foreach (var c in counters)
                {
                    if (!Admits(c.Identity, protocol, port, v6)) continue;
                    c.Records++;
                    if (!c.Sources.TryGetValue(src, out var n)) c.Sources[src] = n = new long[2];
                    n[0]++;
                    n[1] += packets;
                }
            }
        }

        /// <summary>Whether the rule would admit this traffic: its protocol (number; -1 all), its ports (ICMP: any), its family.</summary>
        public static bool Admits(RuleIdentity rule, int protocol, int port, bool ipv6)
        {
            if (rule.Source.Kind == SourceKind.Ipv6Cidr != ipv6) return false;
            switch (rule.Kind)
            {
                case ProtocolKind.All: return true;
                case ProtocolKind.Tcp: return protocol == 6 && port >= rule.FromPort && port <= rule.ToPort;
                case ProtocolKind.Udp: return protocol == 17 && port >= rule.FromPort && port <= rule.ToPort;
                case ProtocolKind.Icmp: return protocol == 1;
                case ProtocolKind.Icmpv6: return protocol == 58;
                default: return int.TryParse(rule.Protocol, out int n) && n == protocol;
            }
        }

        /// <summary>Each rule with its evidence and what to do with it.</summary>
        public IEnumerable<OpenIngressRule> Results(ExposureMap exposure, int maxCidr, int topSources = 20)
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
                    bool v6 = c.Identity.Source.Kind == SourceKind.Ipv6Cidr;
                    var addresses = sources.Select(s => IPAddress.TryParse(s.Address, out var a) ? a : null).Where(a => a != null).Select(a => a!).ToList();
                    var cover = CidrCover.Cover(addresses, maxCidr, v6 ? ReplacementSet.MinIpv6PrefixLength : ReplacementSet.MinIpv4PrefixLength);
                    if (cover == null)
                    {
                        recommendation = Recommendation.Keep;
                        reason = $"{sources.Count} source(s) used the rule; covering them with {maxCidr} block(s) would need one broader than /{(v6 ? ReplacementSet.MinIpv6PrefixLength : ReplacementSet.MinIpv4PrefixLength)}: it serves the internet.";
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
                    ObservedSources = sources.Take(topSources).ToList(),
                    ObservedSourceCount = sources.Count,
                    FlowRecordCount = c.Records,
                    EvidenceSince = Since,
                    EvidenceUntil = Until,
                    Exposure = exposure.For(c.Rule.GroupId, c.Identity.Source.Kind == SourceKind.Ipv6Cidr),
                };
            }
        }
    }
}
