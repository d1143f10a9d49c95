using System;

namespace SgNarrower.Audit
{
    /// <summary>
    /// One field of a rule as SgNarrower hands it around: its name (the property name, the record's column and JSON
    /// member), the value a rule of ours gives for it, and how a record writes it.
    /// </summary>
    public sealed class RuleField
    {
        internal RuleField(string name, Func<OpenIngressRule, object?>? own, Func<AuditEntry, AuditRunInfo, object?>? written, Func<AuditEntry, AuditRunInfo, bool>? writtenWhen, bool plain)
        {
            Name = name;
            Own = own;
            Written = written;
            WrittenWhen = writtenWhen;
            Plain = plain;
        }

        public string Name { get; }

        /// <summary>The value one of our own rule objects holds, as the rule reader takes it; null for fields that are not the rule's.</summary>
        public Func<OpenIngressRule, object?>? Own { get; }

        /// <summary>The value as a record writes it (a string, a number, a list, a map); null for a field records do not hold.</summary>
        public Func<AuditEntry, AuditRunInfo, object?>? Written { get; }

        /// <summary>Whether a JSON Lines record has the member for this entry (a CSV record always has the column); null: always.</summary>
        public Func<AuditEntry, AuditRunInfo, bool>? WrittenWhen { get; }

        /// <summary>A CSV cell never escaped against spreadsheet formulas: validated numbers and protocol names ("-1" is a number, not a formula).</summary>
        public bool Plain { get; }

        public bool InRecord => Written != null;
    }
}
