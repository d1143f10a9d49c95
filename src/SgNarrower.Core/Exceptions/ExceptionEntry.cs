using SgNarrower.Rules;

namespace SgNarrower.Exceptions
{
    /// <summary>
    /// One entry of an exceptions file: which open rules may stay open (the scope: account, region, group, rule id,
    /// protocol and ports, source, each given or "*" for any), who owns that decision, why, under which ticket, and
    /// until when. Every field is required: none is defaulted.
    /// </summary>
    public sealed record ExceptionEntry
    {
        /// <summary>Where the entry stands in its file (1 for the first), and the file: what a message names it by.</summary>
        public int Number { get; init; }
        public string File { get; init; } = "";

        /// <summary>null for "*" (any).</summary>
        public string? AccountId { get; init; }
        public string? Region { get; init; }
        public string? GroupId { get; init; }
        public string? SecurityGroupRuleId { get; init; }
        /// <summary>The protocol as EC2 stores it (tcp, udp, icmp, icmpv6, -1, a number: <see cref="Protocols.Canonical"/>); null for any.</summary>
        public string? IpProtocol { get; init; }
        /// <summary>The ports a rule must lie within (for ICMP the type and code); null for any.</summary>
        public (int From, int To)? Ports { get; init; }
        /// <summary>The rule's source: a CIDR block, a prefix list or a group; null for any.</summary>
        public RuleSource? Source { get; init; }

        public string Owner { get; init; } = "";
        public string Reason { get; init; } = "";
        public string Ticket { get; init; } = "";
        /// <summary>When the exception ends: from then on its rules are back in scope.</summary>
        public DateTimeOffset Ends { get; init; }

        /// <summary>Whether the entry names this rule: every field it gives holds for the rule (ports: the rule's lie within the entry's).</summary>
        public bool Covers(OpenIngressRule rule)
        {
            if (AccountId != null && !string.Equals(AccountId, rule.OwnerId, StringComparison.Ordinal)) return false;
            if (Region != null && !string.Equals(Region, rule.Region, StringComparison.Ordinal)) return false;
            if (GroupId != null && !string.Equals(GroupId, rule.GroupId, StringComparison.OrdinalIgnoreCase)) return false;
            if (SecurityGroupRuleId != null && !string.Equals(SecurityGroupRuleId, rule.SecurityGroupRuleId, StringComparison.OrdinalIgnoreCase)) return false;
            if (IpProtocol == null && Ports == null && Source == null) return true;
            if (rule.IdentityOrNull() is not RuleIdentity identity) return false;
            if (IpProtocol != null && IpProtocol != identity.Protocol) return false;
            if (Ports is (int from, int to))
            {
                // TCP and UDP ports: the rule's range lies within the entry's. ICMP type and code: the same, or the
                // entry's -1 (every type).
                bool ported = identity.Kind == ProtocolKind.Tcp || identity.Kind == ProtocolKind.Udp;
                bool within = ported ? identity.FromPort >= from && identity.ToPort <= to
                    : from == -1 || (identity.FromPort == from && (to == -1 || identity.ToPort == to));
                if (!within) return false;
            }
            if (Source is RuleSource source && !source.Equals(identity.Source)) return false;
            return true;
        }

        /// <summary>What the entry names, in words: "account 111122223333, eu-west-1, sg-0web, any rule, tcp 443, from 0.0.0.0/0".</summary>
        public string ScopeText => string.Join(", ", new[]
        {
            AccountId == null ? "any account" : "account " + AccountId,
            Region ?? "any region",
            GroupId ?? "any group",
            SecurityGroupRuleId ?? "any rule",
            (IpProtocol == null ? "any protocol" : IpProtocol == "-1" ? "all traffic" : IpProtocol) + (Ports is (int f, int t) ? " " + (f == t ? f.ToString(CultureInfo.InvariantCulture) : $"{f}-{t}") : ""),
            Source == null ? "from any source" : "from " + Source.Value.Value,
        });

        /// <summary>The entry in a few words, for notes and messages: "exception #3 in exceptions.json (CHG-1234, owner alice@example.com)".</summary>
        public string Name => $"exception #{Number} in {System.IO.Path.GetFileName(File)} ({Ticket}, owner {Owner})";
    }
}
