using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Plans a restore against the live groups: grant what is recorded and missing, report what is there. Lines whose
    /// status says SgNarrower did not remove the rule are skipped. Replacements are removed only where their tag names
    /// the restored rule's record, on the same protocol and ports, in a family the restored rule covers.
    /// </summary>
    public static class RestorePlanner
    {
        /// <summary>Statuses that say SgNarrower removed the rule; a line with any other status is not put back.</summary>
        public static bool WasRemoved(ChangeStatus? status) =>
            status == null || status == ChangeStatus.Revoked || status == ChangeStatus.Narrowed ||
            status == ChangeStatus.Restored || status == ChangeStatus.AlreadyPresent;

        /// <summary>Why a line is not put back (Skipped), where its status says SgNarrower did not remove the rule; else null.</summary>
        public static string? NotPutBack(ChangeStatus? status) =>
            WasRemoved(status) ? null : $"The record says {status}: SgNarrower did not remove this rule, so it does not put it back.";

        /// <summary>
        /// A record line whose status says SgNarrower did not remove the rule: its result (Skipped, and why), known
        /// without a look at EC2; null for a line to put back.
        /// </summary>
        public static IngressRuleChange? NotRemoved(OpenIngressRule rule, ChangeStatus? status) =>
            NotPutBack(status) is string why ? new IngressRuleChange(rule, "Restore", ChangeStatus.Skipped) { Error = why } : null;

        public static List<GroupPlan> Plan(IReadOnlyList<ChangeRequest> requests, IReadOnlyDictionary<string, LiveGroup> live,
            bool keepReplacements, string runId, QuotaCheck? quota = null)
        {
            return Decide(requests, live, keepReplacements, runId)
                .Select(plan => (quota ?? QuotaCheck.Default).Apply(plan, item => item.LiveRule == null && item.ModifyBack == null ? new[] { item.Request.Identity } : Array.Empty<RuleIdentity>()).Plan)
                .ToList();
        }

        private static List<GroupPlan> Decide(IReadOnlyList<ChangeRequest> requests, IReadOnlyDictionary<string, LiveGroup> live,
            bool keepReplacements, string runId) =>
            ChangePlanning.PerGroup(PlanKind.Restore, requests, live, runId, (item, liveGroup) =>
            {
                var request = item.Request;
                if (NotPutBack(request.RecordedStatus) is string why) return item.Decide(ChangeStatus.Skipped, why);
                if (!liveGroup.Exists)
                    return item.Decide(ChangeStatus.Failed,
                        $"Security group {request.GroupId} does not exist in {request.Region}, so {request.Identity} cannot be put back into it. Nothing was granted.",
                        "SecurityGroupNotFound", kind: FailureKind.NotFound);
                item = item.Against(liveGroup.ByIdentity(request.Identity));
                if (item.LiveRule == null && Ec2Names.DescriptionProblem(request.Rule.Description) is string bad)
                    // EC2 would refuse it; SgNarrower never writes such a description, and EC2 never reports one.
                    return item.Decide(ChangeStatus.Failed,
                        $"The record's description of {request.Identity} in {request.GroupId} cannot be put back as recorded: {bad}. Nothing was granted; EC2 reports no such description, so the line did not come from it as it is.",
                        "DescriptionNotAccepted", kind: FailureKind.InvalidData);
                var narrowed = request.RecordRunId == null ? new List<SecurityGroupRuleInfo>() : NarrowedInPlace(liveGroup, request);
                // The rule narrowing edited in place is edited back (same id); if the rule is back already, it is an extra.
                // Not when another run's narrowing shares it: then the rule is granted anew, and the shared one stays theirs.
                // An edit back is of the same rule type only (EC2 never changes a rule's type in place).
                if (item.LiveRule == null && narrowed.Count > 0 && RuleTags.RunIds(narrowed[0].Tags).All(id => id == request.RecordRunId)
                    && narrowed[0].Identity?.Source.Kind == request.Identity.Source.Kind)
                {
                    item = item.EditingBack(narrowed[0]);
                    narrowed.RemoveAt(0);
                }
                if (!keepReplacements && request.RecordRunId != null)
                    item = item.Removing(liveGroup.Ingress.Where(r => IsReplacementFor(r, request)).Concat(narrowed).ToList());
                return item.LiveRule != null && item.ReplacementsToRemove.Count == 0 ? item.Decide(ChangeStatus.AlreadyPresent, null) : item;
            });

        /// <summary>Rules this record's narrowing edited in place from this rule: its recorded id first, then any other it marked.</summary>
        private static List<SecurityGroupRuleInfo> NarrowedInPlace(LiveGroup live, ChangeRequest request) =>
            live.Ingress.Where(r => RuleTags.IsNarrowedBy(r.Tags, request.RecordRunId!) && r.Identity is RuleIdentity id && id.SamePermission(request.Identity)
                                    && CouldReplace(id.Source, request)
                                    && (r.SecurityGroupRuleId == request.Rule.SecurityGroupRuleId || ReplacementMark.Replaces(r.Description, request.Identity.Source)))
                .OrderBy(r => r.SecurityGroupRuleId == request.Rule.SecurityGroupRuleId ? 0 : 1)
                .ToList();

        private static bool IsReplacementFor(SecurityGroupRuleInfo live, ChangeRequest request)
        {
            if (live.Identity is not RuleIdentity id || !RuleTags.IsReplacementOf(live.Tags, request.RecordRunId!)) return false;
            return id.SamePermission(request.Identity) && CouldReplace(id.Source, request);
        }

        /// <summary>
        /// Whether narrowing the recorded rule could have put this source there: a block within its source (for a
        /// prefix-list rule, within the list entry that opened it), or anything in place of a rule open to the world.
        /// </summary>
        private static bool CouldReplace(RuleSource replacement, ChangeRequest request)
        {
            var open = request.Identity.Source;
            if (open.Kind == SourceKind.PrefixList)
                return replacement.IsCidr && Cidr.TryParse(request.Rule.OpenEntry, out var entry) && replacement.IsWithin(RuleSource.FromCidr(entry));
            return replacement.IsCidr ? replacement.IsWithin(open) : open.IsWorld;
        }
    }
}
