using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Plans revokes and narrowing against the live groups. A recorded rule id is only a hint: it is used when the live
    /// rule with that id has the recorded identity; otherwise the identity is looked up among the live rules (a new id
    /// is fine); otherwise the rule is AlreadyAbsent. A live rule whose identity differs from the input is never touched.
    /// </summary>
    public static class RevokePlanner
    {
        /// <param name="prefixLists">The live entries of the prefix lists that rules narrowed from evidence refer to.</param>
        /// <param name="quota">The groups' rule quota; a narrowing that cannot fit is refused before anything is granted.</param>
        public static List<GroupPlan> Plan(IReadOnlyList<ChangeRequest> requests, IReadOnlyDictionary<string, LiveGroup> live,
            ReplacementSet replacements, string runId, IReadOnlyDictionary<string, IReadOnlyList<Cidr>>? prefixLists = null, QuotaCheck? quota = null)
        {
            return Decide(requests, live, replacements, runId, prefixLists ?? new Dictionary<string, IReadOnlyList<Cidr>>()).Select(plan =>
            {
                var (checkedPlan, refused) = (quota ?? QuotaCheck.Default).Apply(ChooseInPlace(plan), NewRules);
                // A refused item may have been the one whose edit another relied on: choose again among those left.
                return refused ? ChooseInPlace(checkedPlan) : checkedPlan;
            }).ToList();
        }

        /// <summary>The rules narrowing an item grants as new rules: all its replacements, but the one its open rule is edited into.</summary>
        internal static IEnumerable<RuleIdentity> NewRules(PlanItem item) =>
            (item.InPlace ? item.Replacements.Skip(1) : item.Replacements).Select(s => item.Request.Identity.WithSource(s));

        /// <summary>
        /// EC2 edits a rule in place (ModifySecurityGroupRules: one atomic step, the rule keeps its id) only into a source
        /// of its own type: an IPv4 block stays an IPv4 block, IPv6 stays IPv6, a prefix list a prefix list and a group
        /// reference a group reference (API Reference, SecurityGroupRuleRequest). So an open rule is edited into its
        /// first replacement of its own type that is not in the group yet (and that no other rule of the group turns
        /// into); that replacement goes first. Otherwise every replacement is granted and the open rule revoked.
        /// </summary>
        private static GroupPlan ChooseInPlace(GroupPlan plan)
        {
            var claimed = new HashSet<RuleIdentity>();
            var byTarget = new Dictionary<string, RuleSource?>(StringComparer.Ordinal);
            return plan.WithPending(item =>
            {
                if (item.Replacements.Count == 0) return item;
                var id = item.LiveRule!.SecurityGroupRuleId;
                if (!byTarget.TryGetValue(id, out var target))
                {
                    var kind = item.Request.Identity.Source.Kind;
                    target = item.Replacements.Where(s => s.Kind == kind)
                        .Select(s => (RuleSource?)s)
                        .FirstOrDefault(s => plan.Live.ByIdentity(item.Request.Identity.WithSource(s!.Value)) == null && !claimed.Contains(item.Request.Identity.WithSource(s.Value)));
                    if (target != null) claimed.Add(item.Request.Identity.WithSource(target.Value));
                    byTarget[id] = target;
                }
                return item.EditedInPlaceInto(target);
            });
        }

        private static List<GroupPlan> Decide(IReadOnlyList<ChangeRequest> requests, IReadOnlyDictionary<string, LiveGroup> live,
            ReplacementSet replacements, string runId, IReadOnlyDictionary<string, IReadOnlyList<Cidr>> prefixLists) =>
            ChangePlanning.PerGroup(PlanKind.Revoke, requests, live, runId, (item, liveGroup) =>
            {
                var request = item.Request;
                if (!liveGroup.Exists) return GroupMissing(item);
                var hinted = liveGroup.ById(request.Rule.SecurityGroupRuleId);
                var target = hinted != null && request.Identity.Equals(hinted.Identity) ? hinted : liveGroup.ByIdentity(request.Identity);
                if (target == null) return item.Decide(ChangeStatus.AlreadyAbsent, NotThere(request, hinted));
                item = item.Against(target);
                // An exception that has not ended keeps the rule open, whatever else was asked.
                if (request.Rule.KeptOpenAt(DateTimeOffset.UtcNow))
                    return item.Decide(ChangeStatus.Excepted, request.Rule.ExceptionNote ?? $"Kept open under an exception owned by {request.Rule.ExceptionOwner} until {request.Rule.ExceptionEnds:u}.");
                // Evidence decides per rule: Keep leaves it, Revoke closes it, Narrow narrows it to its own sources.
                switch (request.Rule.Recommendation)
                {
                    case Recommendation.Keep:
                        return item.Decide(ChangeStatus.Skipped, $"Kept, as the evidence recommends: {request.Rule.RecommendationReason}");
                    case Recommendation.Revoke:
                        return item;
                }
                var set = request.Replacements ?? replacements;
                if (set.IsEmpty) return item;
                // A prefix-list rule is narrowed in its own group to the cover of its own measured sources, each block
                // within an entry the list holds now (what the rule allows); the shared list is never touched.
                // -ReplaceWith alone does not narrow one.
                bool fromList = request.Replacements != null && request.Identity.Source.Kind == SourceKind.PrefixList;
                var sources = fromList
                    ? set.WithinEntries(prefixLists.TryGetValue(request.Identity.Source.Value, out var entries) ? entries : Array.Empty<Cidr>())
                    : set.For(request.Identity.Source);
                if (sources.Count == 0 && fromList)
                    return item.Decide(ChangeStatus.Failed,
                        $"{item.PromptText()} was left in place: prefix list {request.Identity.Source} holds no entry now that covers {set}, so narrowing to it would grant more than the rule allows. Measure it again.",
                        "ReplacementOutsideList", kind: FailureKind.InvalidArgument);
                if (sources.Count == 0)
                    return item.Decide(ChangeStatus.Failed, $"{item.PromptText()} was left in place: {ReplacementSet.NoneApplies(request.Identity.Source)}", "NoReplacementForFamily", kind: FailureKind.InvalidArgument);
                return item.Narrowing(sources);
            });

        internal static PlanItem GroupMissing(PlanItem item)
        {
            var r = item.Request;
            var account = r.Rule.OwnerId != null ? $" (the rule names account {r.Rule.OwnerId}; SgNarrower works in the account of its credentials)" : "";
            if (r.RegionFromRule)
                return item.Decide(ChangeStatus.AlreadyAbsent, $"Security group {r.GroupId} does not exist in {r.Region}{account}: it was deleted, so its rules are gone.");
            return item.Decide(ChangeStatus.Failed,
                    $"Security group {r.GroupId} does not exist in {r.Region}, the region given by -Region or the default chain{account}. " +
                    "Nothing was changed. Give the region the group lives in (a Region property on the rule, or -Region).", "SecurityGroupNotFound", kind: FailureKind.NotFound);
        }

        private static string NotThere(ChangeRequest r, SecurityGroupRuleInfo? hinted)
        {
            var what = $"{r.GroupId} in {r.Region} has no rule {r.Identity}";
            if (hinted != null && hinted.Identity is RuleIdentity now)
                return $"{what}: rule {hinted.SecurityGroupRuleId} now allows {now}, so it was left as it is.";
            return what + ".";
        }
    }
}
