using System;
using System.Collections.Generic;
using System.Linq;
using SgNarrower.Services;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Turns change requests into per-group plans, region by region: the live rules of every group a region's
    /// requests name are read in batches first, then each request is planned against them. A region whose groups
    /// cannot be read fails its own requests with the error; the other regions go on.
    /// </summary>
    public static class ChangePlanning
    {
        public static List<GroupPlan> PlanRevoke(Func<string, IEc2Api> apiFor, IReadOnlyList<ChangeRequest> requests,
            ReplacementSet replacements, string runId, Action<string>? verbose) =>
            Plan(PlanKind.Revoke, apiFor, requests, runId, verbose, (rs, live) => RevokePlanner.Plan(rs, live, replacements, runId));

        public static List<GroupPlan> PlanRestore(Func<string, IEc2Api> apiFor, IReadOnlyList<ChangeRequest> requests,
            bool keepReplacements, string runId, Action<string>? verbose) =>
            Plan(PlanKind.Restore, apiFor, requests, runId, verbose, (rs, live) => RestorePlanner.Plan(rs, live, keepReplacements, runId));

        /// <summary>One plan per group, one item per request in input order; <paramref name="decide"/> plans each item against its live group.</summary>
        internal static List<GroupPlan> PerGroup(PlanKind kind, IReadOnlyList<ChangeRequest> requests, IReadOnlyDictionary<string, LiveGroup> live,
            string runId, Action<PlanItem, LiveGroup> decide)
        {
            var plans = new List<GroupPlan>();
            foreach (var group in requests.GroupBy(r => r.GroupId, StringComparer.OrdinalIgnoreCase))
            {
                var liveGroup = live.TryGetValue(group.Key, out var g) ? g : LiveGroup.Missing(group.Key);
                var plan = new GroupPlan(kind, group.First().Region, group.Key, liveGroup, runId);
                foreach (var request in group)
                {
                    var item = new PlanItem(request);
                    plan.Items.Add(item);
                    decide(item, liveGroup);
                }
                plans.Add(plan);
            }
            return plans;
        }

        private static List<GroupPlan> Plan(PlanKind kind, Func<string, IEc2Api> apiFor, IReadOnlyList<ChangeRequest> requests, string runId,
            Action<string>? verbose, Func<IReadOnlyList<ChangeRequest>, IReadOnlyDictionary<string, LiveGroup>, List<GroupPlan>> plan)
        {
            var plans = new List<GroupPlan>();
            foreach (var region in requests.GroupBy(r => r.Region, StringComparer.Ordinal))
            {
                var inRegion = region.ToList();
                try
                {
                    var live = LiveState.Read(apiFor(region.Key), inRegion.Select(r => r.GroupId), verbose);
                    plans.AddRange(plan(inRegion, live));
                }
                catch (AwsServiceException e)
                {
                    var info = AwsErrors.Describe(e, "region " + region.Key);
                    foreach (var group in inRegion.GroupBy(r => r.GroupId, StringComparer.OrdinalIgnoreCase))
                    {
                        var failed = new GroupPlan(kind, region.Key, group.Key, LiveGroup.Missing(group.Key), runId);
                        foreach (var request in group)
                        {
                            var item = new PlanItem(request);
                            item.Decide(ChangeStatus.Failed, $"The rules of {group.Key} could not be read, so nothing was changed. {info.Message}", info.ErrorId, e);
                            failed.Items.Add(item);
                        }
                        plans.Add(failed);
                    }
                }
            }
            return plans;
        }
    }
}
