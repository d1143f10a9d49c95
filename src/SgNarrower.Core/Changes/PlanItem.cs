using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// What to do with one input rule, decided against the group as it is now. A value: a planner, a confirmation or a
    /// record makes a new item from an old one (<see cref="Against"/>, <see cref="Decide"/>, <see cref="Recorded"/>...),
    /// so nothing handed from one thread to another changes after it is handed over. Each item is its own (reference
    /// identity): two requests for the same rule are two items.
    /// </summary>
    public sealed class PlanItem
    {
        internal PlanItem(ChangeRequest request) { Request = request; }

        private PlanItem(PlanItem from)
        {
            Request = from.Request;
            LiveRule = from.LiveRule;
            Replacements = from.Replacements;
            InPlace = from.InPlace;
            ModifyBack = from.ModifyBack;
            ReplacementsToRemove = from.ReplacementsToRemove;
            Decided = from.Decided;
            Reason = from.Reason;
            ErrorId = from.ErrorId;
            DecisionError = from.DecisionError;
            DecidedKind = from.DecidedKind;
            AuditUri = from.AuditUri;
        }

        public ChangeRequest Request { get; }
        /// <summary>Revoke: the live rule to remove (it has the recorded identity). Restore: the live rule that is there already.</summary>
        public SecurityGroupRuleInfo? LiveRule { get; private init; }
        /// <summary>Narrowing: the sources to grant in its place, each within the open rule's source.</summary>
        public IReadOnlyList<RuleSource> Replacements { get; private init; } = new List<RuleSource>();
        /// <summary>Narrowing: the open rule is edited in place into its first replacement (ModifySecurityGroupRules), keeping its id.</summary>
        public bool InPlace { get; private init; }
        /// <summary>Restore: the rule narrowing edited in place, to be edited back into the recorded rule (it keeps its id).</summary>
        public SecurityGroupRuleInfo? ModifyBack { get; private init; }
        /// <summary>Restore: replacement rules that narrowing added for this rule's run, to remove once the rule is back.</summary>
        public IReadOnlyList<SecurityGroupRuleInfo> ReplacementsToRemove { get; private init; } = new List<SecurityGroupRuleInfo>();

        /// <summary>Set when the outcome is known without a change: AlreadyAbsent, AlreadyPresent, Failed, Skipped.</summary>
        public ChangeStatus? Decided { get; private init; }
        public string? Reason { get; private init; }
        public string? ErrorId { get; private init; }

        /// <summary>Where the rule is recorded as it is now, when the change wrote it there (Revoke's journal).</summary>
        public string? AuditUri { get; private init; }

        /// <summary>This item, recorded at <paramref name="auditUri"/> before its change.</summary>
        internal PlanItem Recorded(string auditUri) => new PlanItem(this) { AuditUri = auditUri };

        /// <summary>This item, planned against the live rule that matches it (revoke: the rule to remove; restore: the rule there already).</summary>
        internal PlanItem Against(SecurityGroupRuleInfo? live) => new PlanItem(this) { LiveRule = live };

        /// <summary>This item, narrowed to <paramref name="sources"/> (not in place until <see cref="EditedInPlaceInto"/> says so).</summary>
        internal PlanItem Narrowing(IReadOnlyList<RuleSource> sources) => new PlanItem(this) { Replacements = sources, InPlace = false };

        /// <summary>This item's open rule edited in place into <paramref name="target"/>, which then goes first; null: none, every replacement is granted.</summary>
        internal PlanItem EditedInPlaceInto(RuleSource? target) => target is RuleSource t && Replacements.Contains(t)
            ? new PlanItem(this) { InPlace = true, Replacements = new[] { t }.Concat(Replacements.Where(s => !s.Equals(t))).ToList() }
            : new PlanItem(this) { InPlace = false };

        /// <summary>This restore item, edited back from the rule narrowing edited in place.</summary>
        internal PlanItem EditingBack(SecurityGroupRuleInfo narrowed) => new PlanItem(this) { ModifyBack = narrowed };

        /// <summary>This restore item, with the replacement rules to remove once it is back.</summary>
        internal PlanItem Removing(IReadOnlyList<SecurityGroupRuleInfo> replacements) => new PlanItem(this) { ReplacementsToRemove = replacements };

        /// <summary>
        /// A change to record before it is made: the rule names no record, or its description changed since it was
        /// recorded (that record would restore the old one).
        /// </summary>
        public bool NeedsRecord => Request.Rule.AuditUri == null || (LiveRule != null && LiveRule.Description != Request.Rule.Description);

        /// <summary>True while the item still asks for a change.</summary>
        public bool NeedsChange => Decided == null;

        /// <summary>The AWS error behind a decided failure, if one was.</summary>
        public System.Exception? DecisionError { get; private init; }

        /// <summary>What kind of failure a decided failure is, as the decision said it.</summary>
        public FailureKind? DecidedKind { get; private init; }

        /// <summary>This item, with its outcome known without a change.</summary>
        internal PlanItem Decide(ChangeStatus status, string? reason, string? errorId = null, System.Exception? error = null, FailureKind? kind = null) => new PlanItem(this)
        {
            Decided = status,
            Reason = reason,
            ErrorId = errorId,
            DecisionError = error,
            DecidedKind = kind ?? (error is AwsServiceException e ? AwsErrors.Explain(e, "").Kind : errorId != null ? FailureKind.ServiceError : null),
        };

        /// <summary>Not changed: -WhatIf or a declined prompt.</summary>
        internal PlanItem Skip(string? reason = null) => Decide(ChangeStatus.Skipped, reason);

        /// <summary>The rule as it is now, where a live rule matched; else as handed in.</summary>
        public OpenIngressRule CurrentRule => LiveRule == null ? Request.Rule : Request.Rule with
        {
            SecurityGroupRuleId = LiveRule.SecurityGroupRuleId,
            Description = LiveRule.Description,
            Tags = new Dictionary<string, string>(LiveRule.Tags ?? new Dictionary<string, string>()),
        };

        /// <summary>What a prompt and -WhatIf name: the rule in words a person checks, with the live id.</summary>
        public string PromptText()
        {
            var rule = Request.Rule;
            var id = LiveRule?.SecurityGroupRuleId ?? rule.SecurityGroupRuleId;
            return $"{rule.Region} {rule.GroupId}: {Request.Identity}" + (id != null ? $" ({id})" : "");
        }
    }
}
