using SgNarrower.Rules;

namespace SgNarrower.Audit
{
    /// <summary>
    /// Builds a rule from loosely typed properties: our own objects, Import-Csv rows (all strings, empty for none),
    /// ConvertFrom-Json objects, Import-Clixml objects and audit records. Every field is read as the one table of a
    /// rule's fields (<see cref="RuleFields"/>) says; then what takes more than one field is checked: one source, and a
    /// protocol with the ports it needs. Input is complete or refused: a missing or out-of-range field is a
    /// FormatException that says which, never a default. The getter returns a property's value or null.
    /// </summary>
    public static class RuleInput
    {
        public static AuditEntry Read(Func<string, object?> get) => Read(get, own: null);

        /// <summary>Checks one of our own rule objects the same way (a hand-made one may be incomplete), and keeps it as it is, its ports as EC2 writes them.</summary>
        public static AuditEntry FromRule(OpenIngressRule rule) => Read(name => RuleFields.OwnValue(rule, name), rule);

        /// <summary>One of our own change results: its rule kept as it is (nothing the result does not show is lost), with what the change did.</summary>
        public static AuditEntry FromChange(IngressRuleChange change) => Read(name => RuleFields.ResultValue(change, name), change.OpenRule);

        private static AuditEntry Read(Func<string, object?> get, OpenIngressRule? own)
        {
            var values = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var field in RuleFields.All)
            {
                if (field.ReadWith != null && !values.ContainsKey(field.ReadWith)) continue;
                object? value;
                try { value = field.Read(get(field.Name)) ?? (field.Alias != null ? field.Read(get(field.Alias)) : null); }
                catch (NotPlainTextException e) { throw new FormatException(e.For(field.Name)); }
                if (value != null) values[field.Name] = value;
                else if (field.Required) throw new FormatException($"it has no {field.Name}");
            }
            object? Value(string name) => values.TryGetValue(name, out var v) ? v : null;

            var identity = RuleIdentity.Parse((string?)Value("IpProtocol"), (int?)Value("FromPort"), (int?)Value("ToPort"), Source(Value));
            var replaceWith = (List<string>?)Value("ReplaceWith");
            var replacements = replaceWith != null && replaceWith.Count > 0 ? ReplacementSet.Parse(replaceWith) : null;
            // Our own rule is kept as it is, but for text that reading changed (a hand-made rule's padded region or id):
            // what was checked is what is acted on.
            var rule = own ?? new OpenIngressRule();
            foreach (var field in RuleFields.All)
                if (field.Put != null && values.TryGetValue(field.Name, out var v) && (own == null || field.Own?.Invoke(own) is string text && !text.Equals(v)))
                    rule = field.Put(rule, v);
            // As EC2 reports them: -1 where the protocol carries none.
            if (rule.FromPort != identity.FromPort || rule.ToPort != identity.ToPort) rule = rule with { FromPort = identity.FromPort, ToPort = identity.ToPort };
            var entry = new AuditEntry(rule, identity) { Replacements = replacements };
            foreach (var field in RuleFields.All)
                if (field.PutInEntry != null && values.TryGetValue(field.Name, out var v)) entry = field.PutInEntry(entry, v);
            return entry;
        }

        /// <summary>The rule's one source: a CIDR block of either family, or a prefix list.</summary>
        private static RuleSource Source(Func<string, object?> value)
        {
            var v4 = (string?)value("CidrIpv4");
            var v6 = (string?)value("CidrIpv6");
            var pl = (string?)value("PrefixListId");
            if ((v4 != null ? 1 : 0) + (v6 != null ? 1 : 0) + (pl != null ? 1 : 0) > 1) throw new FormatException("it has more than one of CidrIpv4, CidrIpv6 and PrefixListId; a rule has one source");
            if (pl != null) return RuleSource.PrefixList(pl);
            if (Cidr.TryParse(v4 ?? v6, out var cidr)) return RuleSource.FromCidr(cidr);
            throw new FormatException("it has no source: neither CidrIpv4, CidrIpv6 nor PrefixListId");
        }
    }
}
