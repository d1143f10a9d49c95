using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>One rule handed in to be changed: checked for completeness, with its identity and its region settled.</summary>
    /// <param name="Rule">The rule as handed in, its Region set.</param>
    /// <param name="RegionFromRule">True when the region is the rule's own; false when it came from -Region or the default chain.</param>
    /// <param name="RecordedStatus">The status a result or record line says the rule had; null for a plain rule.</param>
    public sealed record ChangeRequest(OpenIngressRule Rule, RuleIdentity Identity, bool RegionFromRule, ChangeStatus? RecordedStatus = null)
    {
        /// <summary>The rule's own replacement sources (evidence); null: the command's -ReplaceWith.</summary>
        public ReplacementSet? Replacements { get; init; }

        public string Region => Rule.Region!;
        /// <summary>The account the rule lives in (its OwnerId); null for the caller's own.</summary>
        public string? Account => Rule.OwnerId;
        public Concurrency.Scope Scope => new Concurrency.Scope(Account, Region);
        public string GroupId => Rule.GroupId;
        /// <summary>The run id replacements of this rule are tagged with: that of the record that holds the rule.</summary>
        public string? RecordRunId => Rule.AuditRunId;
    }
}
