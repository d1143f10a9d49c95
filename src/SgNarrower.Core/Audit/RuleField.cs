namespace SgNarrower.Audit
{
    /// <summary>
    /// One field of a rule as SgNarrower hands it around: its name (the property name, the record's column and JSON
    /// member), how it is read from input and put into a rule, the value a rule of ours gives for it, and how a record
    /// writes it.
    /// </summary>
    /// <param name="Own">The value one of our own rule objects holds, as the rule reader takes it; null for fields that are not the rule's.</param>
    /// <param name="Written">The value as a record writes it (a string, a number, a list, a map); null for a field records do not hold.</param>
    /// <param name="WrittenWhen">Whether a JSON Lines record has the member for this entry (a CSV record always has the column); null: always.</param>
    /// <param name="Plain">A CSV cell never escaped against spreadsheet formulas: validated numbers and protocol names ("-1" is a number, not a formula).</param>
    public sealed record RuleField(string Name, Func<OpenIngressRule, object?>? Own, Func<AuditEntry, AuditRunInfo, object?>? Written,
        Func<AuditEntry, AuditRunInfo, bool>? WrittenWhen, bool Plain)
    {
        public bool InRecord => Written != null;

        /// <summary>Reads the field from a loose value (checked and typed), or null where it is missing; a bad value is a FormatException.</summary>
        internal Func<object?, object?> Read { get; init; } = _ => null;

        /// <summary>Puts a value read into a rule (rule fields); null for the fields of a change result.</summary>
        internal Func<OpenIngressRule, object, OpenIngressRule>? Put { get; init; }

        /// <summary>For the fields of a change result: the value a result of ours holds (its rule's fields come from <see cref="Own"/>).</summary>
        internal Func<IngressRuleChange, object?>? Result { get; init; }

        /// <summary>Puts a value read into the entry (the fields of a change result: status, error, note, what was granted).</summary>
        internal Func<AuditEntry, object, AuditEntry>? PutInEntry { get; init; }

        /// <summary>Read only where this other field has a value (evidence with a recommendation, attachments with an exposure).</summary>
        internal string? ReadWith { get; init; }

        /// <summary>A rule without it is refused.</summary>
        internal bool Required { get; init; }

        /// <summary>Another name input may give it under (a record's own RunId is its rules' AuditRunId).</summary>
        internal string? Alias { get; init; }
    }
}
