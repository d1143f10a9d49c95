using SgNarrower.Rules;

namespace SgNarrower.Audit
{
    /// <summary>One rule to record (checked complete), with the status of a change where the input was a change result.</summary>
    public sealed record AuditEntry(OpenIngressRule Rule, RuleIdentity Identity, ChangeStatus? Status = null, string? Error = null)
    {
        /// <summary>For a change result: what a person should know beyond its status.</summary>
        public string? Note { get; init; }
        /// <summary>For a change result: the sources granted in the open rule's place.</summary>
        public IReadOnlyList<string>? ReplacedWith { get; init; }
        /// <summary>The rule's own replacement sources (from Measure-OpenIngressRule), checked; null when it names none.</summary>
        public ReplacementSet? Replacements { get; init; }
    }
}
