using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Refuses, before any call, the items of a group plan whose grants would take the group past its rule quota. A
    /// group's grants all go out before anything of it is revoked, so what counts is the group as it is now plus every
    /// new rule; items are taken in input order, and the first that does not fit is refused, with the group, its count
    /// and the quota named. An edit in place into a source of the rule's own type adds nothing.
    /// </summary>
    public sealed class QuotaCheck(int limit, IReadOnlyDictionary<string, PrefixListInfo> prefixLists)
    {
        public static QuotaCheck Default { get; } = new QuotaCheck(RuleQuota.Default, new Dictionary<string, PrefixListInfo>());

        public int Limit { get; } = limit;

        /// <summary>The plan with every pending item whose new rules (<paramref name="newRules"/>) do not fit decided Failed, and whether any was.</summary>
        internal (GroupPlan Plan, bool Refused) Apply(GroupPlan plan, Func<PlanItem, IEnumerable<RuleIdentity>> newRules)
        {
            var quota = RuleQuota.Of(plan.Live, Limit, prefixLists);
            var counted = new HashSet<RuleIdentity>();
            bool refused = false;
            var checkedPlan = plan.WithPending(item =>
            {
                var adds = newRules(item).Where(id => plan.Live.ByIdentity(id) == null && !counted.Contains(id)).Distinct().ToList();
                if (adds.Count == 0) return item;
                if (quota.TryTake(adds.Select(a => a.Source).ToList(), prefixLists) is string why)
                {
                    refused = true;
                    return item.Decide(ChangeStatus.Failed,
                        $"{item.PromptText()} was left as it is, and nothing was granted for it: {why} " +
                        $"(security group {plan.GroupId} in {plan.Region}; inbound rules count per address family, a group reference or AWS-managed prefix list in both, a customer-managed prefix list as its MaxEntries). " +
                        (plan.Kind == PlanKind.Revoke ? "Narrow to fewer sources, or revoke it without -ReplaceWith. " : "Remove rules from the group first. ") +
                        $"If the account's quota (Service Quotas L-0EA8095F) is raised above {Limit}, say so with -RuleQuota.",
                        "RuleQuotaExceeded", kind: FailureKind.InvalidArgument);
                }
                counted.UnionWith(adds);
                return item;
            });
            return (checkedPlan, refused);
        }
    }
}
