namespace SgNarrower.Rules
{
    /// <summary>Where an ingress rule lets traffic come from: a CIDR (normalised), a security group, or a prefix list.</summary>
    public readonly struct RuleSource : IEquatable<RuleSource>
    {
        private RuleSource(SourceKind kind, string value, Cidr? cidr)
        {
            Kind = kind;
            Value = value;
            CidrBlock = cidr;
        }

        public SourceKind Kind { get; }
        /// <summary>The canonical text: a CIDR as its network address, or the lower-case id.</summary>
        public string Value { get; }
        /// <summary>The CIDR, for CIDR sources.</summary>
        public Cidr? CidrBlock { get; }

        public bool IsCidr => Kind == SourceKind.Ipv4Cidr || Kind == SourceKind.Ipv6Cidr;
        /// <summary>True for 0.0.0.0/0 and ::/0.</summary>
        public bool IsWorld => CidrBlock is Cidr c && c.IsWorld;

        public static RuleSource FromCidr(Cidr cidr) =>
            new RuleSource(cidr.IsIpv6 ? SourceKind.Ipv6Cidr : SourceKind.Ipv4Cidr, cidr.ToString(), cidr);

        public static RuleSource SecurityGroup(string groupId) => new RuleSource(SourceKind.SecurityGroup, groupId.Trim().ToLowerInvariant(), null);

        public static RuleSource PrefixList(string prefixListId) => new RuleSource(SourceKind.PrefixList, prefixListId.Trim().ToLowerInvariant(), null);

        /// <summary>The source of a rule as EC2 or a record gives it: one of the four fields is set; null when none is.</summary>
        public static RuleSource? From(string? cidrIpv4, string? cidrIpv6, string? referencedGroupId, string? prefixListId)
        {
            var cidr = cidrIpv4 ?? cidrIpv6;
            if (!string.IsNullOrWhiteSpace(cidr) && Cidr.TryParse(cidr, out var c)) return FromCidr(c);
            if (!string.IsNullOrWhiteSpace(referencedGroupId)) return SecurityGroup(referencedGroupId!);
            if (!string.IsNullOrWhiteSpace(prefixListId)) return PrefixList(prefixListId!);
            return null;
        }

        /// <summary>True when traffic this source admits is also admitted by <paramref name="other"/> (a CIDR inside a CIDR, or the same source).</summary>
        public bool IsWithin(RuleSource other)
        {
            if (Equals(other)) return true;
            return CidrBlock is Cidr inner && other.CidrBlock is Cidr outer && outer.Contains(inner);
        }

        public string? CidrIpv4 => Kind == SourceKind.Ipv4Cidr ? Value : null;
        public string? CidrIpv6 => Kind == SourceKind.Ipv6Cidr ? Value : null;
        public string? ReferencedGroupId => Kind == SourceKind.SecurityGroup ? Value : null;
        public string? PrefixListId => Kind == SourceKind.PrefixList ? Value : null;

        public bool Equals(RuleSource other) => Kind == other.Kind && string.Equals(Value, other.Value, StringComparison.Ordinal);
        public override bool Equals(object? obj) => obj is RuleSource s && Equals(s);
        public override int GetHashCode() => ((int)Kind * 397) ^ (Value ?? "").GetHashCode();
        public override string ToString() => Value ?? "";
    }
}
