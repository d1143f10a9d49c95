using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>What to do with one input rule, decided against the group as it is now.</summary>
    public sealed class PlanItem
    {
        internal PlanItem(ChangeRequest request) { Request = request; }

        public ChangeRequest Request { get; }
        /// <summary>Revoke: the live rule to remove (it has the recorded identity). Restore: the live rule that is there already.</summary>
        public SecurityGroupRuleInfo? LiveRule { get; internal set; }
        /// <summary>Narrowing: the sources to grant in its place, each within the open rule's source.</summary>
        public IReadOnlyList<RuleSource> Replacements { get; internal set; } = new List<RuleSource>();
        /// <summary>Narrowing: the open rule is edited in place into its first replacement (ModifySecurityGroupRules), keeping its id.</summary>
        public bool InPlace { get; internal set; }
        /// <summary>Restore: the rule narrowing edited in place, to be edited back into the recorded rule (it keeps its id).</summary>
        public SecurityGroupRuleInfo? ModifyBack { get; internal set; }
        /// <summary>Restore: replacement rules that narrowing added for this rule's run, to remove once the rule is back.</summary>
        public IReadOnlyList<SecurityGroupRuleInfo> ReplacementsToRemove { get; internal set; } = new List<SecurityGroupRuleInfo>();

        /// <summary>Set when the outcome is known without a change: AlreadyAbsent, AlreadyPresent, Failed, Skipped.</summary>
        public ChangeStatus? Decided { get; private set; }
        public string? Reason { get; private set; }
        public string? ErrorId { get; private set; }

        /// <summary>Where the rule is recorded as it is now, when the change wrote it there (Revoke's journal).</summary>
        public string? AuditUri { get; private set; }

        internal void Recorded(string auditUri) => AuditUri = auditUri;

        /// <summary>
        /// A change to record before it is made: the rule names no record, or its description changed since it was
        /// recorded (that record would restore the old one).
        /// </summary>
        public bool NeedsRecord => Request.Rule.AuditUri == null || (LiveRule != null && LiveRule.Description != Request.Rule.Description);

        /// <summary>True while the item still asks for a change.</summary>
        public bool NeedsChange => Decided == null;

        /// <summary>The AWS error behind a decided failure, if one was.</summary>
        public System.Exception? DecisionError { get; private set; }

        /// <summary>What kind of failure a decided failure is, as the decision said it.</summary>
        public FailureKind? DecidedKind { get; private set; }

        internal void Decide(ChangeStatus status, string? reason, string? errorId = null, System.Exception? error = null, FailureKind? kind = null)
        {
            Decided = status;
            Reason = reason;
            ErrorId = errorId;
            DecisionError = error;
            DecidedKind = kind ?? (error is AwsServiceException e ? AwsErrors.Explain(e, "").Kind : errorId != null ? FailureKind.ServiceError : null);
        }

        /// <summary>Not changed: -WhatIf or a declined prompt.</summary>
        internal void Skip(string? reason = null) => Decide(ChangeStatus.Skipped, reason);

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
