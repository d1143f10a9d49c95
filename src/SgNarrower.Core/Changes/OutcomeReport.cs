using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>Turns each item's outcome into the change result users see, and one error per distinct failure.</summary>
    internal static class OutcomeReport
    {
        public static GroupOutcome Of(GroupPlan plan, Dictionary<PlanItem, ItemOutcome> results, PlanKind kind)
        {
            var outcome = new GroupOutcome();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in plan.Items)
            {
                var r = results[item];
                var status = item.Decided ?? r.Status ?? ChangeStatus.Failed;
                var error = item.Decided != null ? item.Reason : r.Error;
                var errorId = item.Decided != null ? item.ErrorId : r.ErrorId;
                var rule = kind == PlanKind.Revoke ? item.CurrentRule with { AuditRunId = RevokeExecution.RunIdOf(item, plan) } : RestoredRule(item, r);
                if (item.AuditUri != null) rule = rule with { AuditUri = item.AuditUri };
                var change = new IngressRuleChange(rule, kind.ToString(), status)
                {
                    Error = error,
                    ErrorId = errorId,
                    ReplacedWith = item.Replacements.Select(s => s.Value).ToList(),
                    NewRuleIds = r.NewRuleIds.ToList(),
                };
                if (rule.PrefixListId != null && (status == ChangeStatus.Revoked || status == ChangeStatus.Narrowed))
                    change = change with { Note = $"The group no longer refers to prefix list {rule.PrefixListId}; the list itself, and its entries, are unchanged (other groups may use it)." };
                outcome.Changes.Add(change);
                // One error per distinct failure: a group-wide failure is reported once, with the first rule it hit.
                var exception = item.Decided != null ? item.DecisionError : r.Exception;
                if (errorId != null && (status == ChangeStatus.Failed || status == ChangeStatus.Incomplete || r.ErrorId == "ReplacementNotRemoved") && reported.Add(errorId + "|" + error))
                    outcome.Errors.Add(new ChangeError(errorId, (item.Decided != null ? item.DecidedKind : r.Kind) ?? FailureKind.ServiceError, error ?? errorId, change, exception));
            }
            return outcome;
        }

        private static OpenIngressRule RestoredRule(PlanItem item, ItemOutcome r)
        {
            var rule = item.Request.Rule;
            if (r.NewRuleIds.Count > 0) return rule with { SecurityGroupRuleId = r.NewRuleIds[0] };
            if (item.LiveRule != null) return rule with { SecurityGroupRuleId = item.LiveRule.SecurityGroupRuleId };
            return rule;
        }
    }
}
