using System;
using System.Collections.Generic;
using System.Linq;

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

        public static List<GroupPlan> Plan(IReadOnlyList<ChangeRequest> requests, IReadOnlyDictionary<string, LiveGroup> live,
            bool keepReplacements, string runId) =>
            ChangePlanning.PerGroup(PlanKind.Restore, requests, live, runId, (item, liveGroup) =>
            {
                var request = item.Request;
                if (!WasRemoved(request.RecordedStatus))
                {
                    item.Decide(ChangeStatus.Skipped, $"The record says {request.RecordedStatus}: SgNarrower did not remove this rule, so it does not put it back.");
                    return;
                }
                if (!liveGroup.Exists)
                {
                    item.Decide(ChangeStatus.Failed,
                        $"Security group {request.GroupId} does not exist in {request.Region}, so {request.Identity} cannot be put back into it. Nothing was granted.",
                        "SecurityGroupNotFound");
                    return;
                }
                item.Target = liveGroup.ByIdentity(request.Identity);
                if (!keepReplacements && request.RecordRunId != null)
                    item.ReplacementsToRemove = liveGroup.Ingress.Where(r => IsReplacementFor(r, request)).ToList();
                if (item.Target != null && item.ReplacementsToRemove.Count == 0)
                    item.Decide(ChangeStatus.AlreadyPresent, null);
            });

        private static bool IsReplacementFor(SecurityGroupRuleInfo live, ChangeRequest request)
        {
            if (live.Identity is not RuleIdentity id || !RuleTags.IsReplacementOf(live.Tags, request.RecordRunId!)) return false;
            if (!id.SamePermission(request.Identity)) return false;
            return id.Source.IsCidr ? id.Source.IsWithin(request.Identity.Source) : request.Identity.Source.IsWorld;
        }
    }
}
