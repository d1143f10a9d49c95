using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>One rule handed in to be changed: checked for completeness, with its identity and its region settled.</summary>
    public sealed class ChangeRequest
    {
        public ChangeRequest(OpenIngressRule rule, RuleIdentity identity, bool regionFromRule, ChangeStatus? recordedStatus = null)
        {
            Rule = rule;
            Identity = identity;
            RegionFromRule = regionFromRule;
            RecordedStatus = recordedStatus;
        }

        /// <summary>The rule as handed in, its Region set.</summary>
        public OpenIngressRule Rule { get; }
        public RuleIdentity Identity { get; }
        /// <summary>True when the region is the rule's own; false when it came from -Region or the default chain.</summary>
        public bool RegionFromRule { get; }
        /// <summary>The status a result or record line says the rule had; null for a plain rule.</summary>
        public ChangeStatus? RecordedStatus { get; }

        /// <summary>The rule's own replacement sources (evidence); null: the command's -ReplaceWith.</summary>
        public ReplacementSet? Replacements { get; set; }

        public string Region => Rule.Region!;
        /// <summary>The account the rule lives in (its OwnerId); null for the caller's own.</summary>
        public string? Account => Rule.OwnerId;
        public Concurrency.Scope Scope => new Concurrency.Scope(Account, Region);
        public string GroupId => Rule.GroupId;
        /// <summary>The run id replacements of this rule are tagged with: that of the record that holds the rule.</summary>
        public string? RecordRunId => Rule.AuditRunId;
    }
}
