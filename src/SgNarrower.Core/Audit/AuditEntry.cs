using System.Collections.Generic;
using SgNarrower.Rules;

namespace SgNarrower.Audit
{
    /// <summary>One rule to record (checked complete), with the status of a change where the input was a change result.</summary>
    public sealed class AuditEntry
    {
        public AuditEntry(OpenIngressRule rule, RuleIdentity identity, ChangeStatus? status = null, string? error = null)
        {
            Rule = rule;
            Identity = identity;
            Status = status;
            Error = error;
        }
        public OpenIngressRule Rule { get; }
        public RuleIdentity Identity { get; }
        public ChangeStatus? Status { get; }
        public string? Error { get; }
        /// <summary>For a change result: what a person should know beyond its status.</summary>
        public string? Note { get; init; }
        /// <summary>For a change result: the sources granted in the open rule's place.</summary>
        public IReadOnlyList<string>? ReplacedWith { get; init; }
        /// <summary>The rule's own replacement sources (from Measure-OpenIngressRule), checked; null when it names none.</summary>
        public ReplacementSet? Replacements { get; set; }
    }
}
