namespace SgNarrower.Rules
{
    /// <summary>
    /// The sources an open rule is narrowed to (-ReplaceWith). Narrowing never widens: a CIDR replaces only rules
    /// whose source contains it (so IPv4 replaces 0.0.0.0/0, IPv6 replaces ::/0), a security group only rules open
    /// to the world. Sources that are themselves broad are refused.
    /// </summary>
    public sealed class ReplacementSet
    {
        /// <summary>No IPv4 replacement broader than this prefix length.</summary>
        public const int MinIpv4PrefixLength = 8;
        /// <summary>No IPv6 replacement broader than this prefix length.</summary>
        public const int MinIpv6PrefixLength = 32;

        private ReplacementSet(IReadOnlyList<RuleSource> sources) { Sources = sources; }

        public static ReplacementSet None { get; } = new ReplacementSet(Array.Empty<RuleSource>());

        public IReadOnlyList<RuleSource> Sources { get; }
        public bool IsEmpty => Sources.Count == 0;

        /// <summary>Checks every value; throws FormatException naming the first bad one and why.</summary>
        public static ReplacementSet Parse(IEnumerable<string>? values)
        {
            var sources = new List<RuleSource>();
            foreach (var raw in values ?? Enumerable.Empty<string>())
            {
                InputText.Check(raw, "-ReplaceWith");
                var text = (raw ?? "").Trim();
                if (text.Length == 0) throw new FormatException("-ReplaceWith has an empty value.");
                RuleSource source;
                if (text.StartsWith("sg-", StringComparison.OrdinalIgnoreCase))
                {
                    if (!Ec2Names.GroupId.IsMatch(text.ToLowerInvariant())) throw new FormatException($"-ReplaceWith '{text}' is not a security group id (sg- followed by letters and digits).");
                    source = RuleSource.SecurityGroup(text);
                }
                else
                {
                    if (!Cidr.TryParse(text, out var cidr))
                        throw new FormatException($"-ReplaceWith '{text}' is neither a CIDR block nor a security group id (sg-...): IPv4 is read only as four decimal octets without leading zeros (like 203.0.113.0/24), IPv6 in RFC 4291 text (like 2001:db8::/48), and nothing else is reinterpreted.");
                    if (!Cidr.IsNetworkAddress(text))
                        throw new FormatException($"-ReplaceWith '{text}' has host bits set; EC2 takes the network address. Did you mean {cidr}?");
                    int min = cidr.IsIpv6 ? MinIpv6PrefixLength : MinIpv4PrefixLength;
                    if (cidr.PrefixLength < min)
                        throw new FormatException($"-ReplaceWith '{text}' is itself too broad to narrow anything: replacements are /{min} or narrower for {(cidr.IsIpv6 ? "IPv6" : "IPv4")}.");
                    source = RuleSource.FromCidr(cidr);
                }
                if (!sources.Contains(source)) sources.Add(source);
            }
            return new ReplacementSet(sources);
        }

        /// <summary>The replacements that grant nothing the open source did not already allow.</summary>
        public IReadOnlyList<RuleSource> For(RuleSource openSource) =>
            Sources.Where(s => s.IsCidr ? s.IsWithin(openSource) : openSource.IsWorld).ToList();

        /// <summary>
        /// For a prefix-list rule narrowed to its own measured sources: the replacements that lie within an entry the
        /// list holds (the rule allows those addresses, so nothing beyond them is granted).
        /// </summary>
        public IReadOnlyList<RuleSource> WithinEntries(IReadOnlyList<Cidr> entries) =>
            Sources.Where(s => s.IsCidr && entries.Any(e => s.IsWithin(RuleSource.FromCidr(e)))).ToList();

        /// <summary>What to say when none applies: how to narrow this rule instead.</summary>
        public static string NoneApplies(RuleSource openSource)
        {
            if (openSource.Kind == SourceKind.PrefixList)
                return $"the rule refers to prefix list {openSource}, which other groups may share: narrow the list itself (aws ec2 modify-managed-prefix-list), or revoke the reference without -ReplaceWith.";
            if (openSource.IsWorld)
                return openSource.Kind == SourceKind.Ipv6Cidr
                    ? "-ReplaceWith has no IPv6 source for this ::/0 rule, and an IPv4 one would grant access it never gave. Add an IPv6 CIDR (like 2001:db8::/48) or a security group id to -ReplaceWith, or revoke it without -ReplaceWith."
                    : "-ReplaceWith has no IPv4 source for this 0.0.0.0/0 rule, and an IPv6 one would grant access it never gave. Add an IPv4 CIDR (like 203.0.113.0/24) or a security group id to -ReplaceWith, or revoke it without -ReplaceWith.";
            return $"-ReplaceWith has no CIDR inside {openSource}, and anything else would grant access this rule never gave. Add a CIDR within {openSource} to -ReplaceWith, or revoke it without -ReplaceWith.";
        }

        public override string ToString() => string.Join(", ", Sources);
    }
}
