using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Turns a scope's change requests (an account and a region) into per-group plans: the live rules of every group
    /// the requests name are read in batches first, then each request is planned against them. A scope
    /// whose account cannot be reached or whose groups cannot be read fails its own requests with the error; the
    /// other scopes go on.
    /// </summary>
    public static class ChangePlanning
    {
        /// <summary>One scope's requests; <paramref name="api"/> may throw <see cref="AccountUnavailableException"/>.</summary>
        /// <param name="checkAccount">Called when a group is missing: throws when the scope's account is not the one the session is in.</param>
        public static List<GroupPlan> PlanScope(Scope scope, Func<IEc2Api> api, IReadOnlyList<ChangeRequest> requests, PlanOptions options, Action<string>? verbose,
            Action<string?>? checkAccount = null)
        {
            try
            {
                var ec2 = api();
                // A restore opens rules: it acts only in an account it knows it is in (one sts:GetCallerIdentity a
                // session), never in another that a line names, unless a role reaches that account.
                if (checkAccount != null && options.Kind == PlanKind.Restore) checkAccount(scope.Account);
                var live = LiveState.Read(ec2, requests.Select(r => r.GroupId), verbose);
                // A group that is not there may be a group of another account: say so rather than call it deleted.
                if (checkAccount != null && live.Values.Any(g => !g.Exists)) checkAccount(scope.Account);
                var quota = new QuotaCheck(options.RuleQuota, PrefixListsCounted(ec2, requests, live, options, verbose));
                return options.Kind == PlanKind.Revoke
                    ? RevokePlanner.Plan(requests, live, options.Replacements, options.RunId, PrefixListEntries(ec2, requests, verbose), quota)
                    : RestorePlanner.Plan(requests, live, options.KeepReplacements, options.RunId, quota);
            }
            catch (AccountUnavailableException e)
            {
                return Failed(options, requests, e.Failure, "", e.InnerException ?? e);
            }
            catch (AwsServiceException e)
            {
                var info = AwsErrors.Explain(e, $"{scope}");
                return Failed(options, requests, info, "The rules of this group could not be read, so nothing was changed. ", e);
            }
        }

        /// <summary>
        /// The entries, as EC2 holds them now, of the prefix lists that rules narrowed from their own evidence refer to:
        /// what such a narrowing must stay within (a record's OpenEntry is only a hint). No call when there are none.
        /// </summary>
        private static Dictionary<string, IReadOnlyList<Cidr>> PrefixListEntries(IEc2Api ec2, IReadOnlyList<ChangeRequest> requests, Action<string>? verbose)
        {
            var entries = new Dictionary<string, IReadOnlyList<Cidr>>(StringComparer.OrdinalIgnoreCase);
            foreach (var id in requests.Where(r => r.Replacements != null && r.Identity.Source.Kind == SourceKind.PrefixList)
                         .Select(r => r.Identity.Source.Value).Distinct(StringComparer.OrdinalIgnoreCase))
                entries[id] = Paging.All(token =>
                {
                    verbose?.Invoke($"{ec2.Region}: GetManagedPrefixListEntries {id}");
                    return ec2.GetManagedPrefixListEntries(id, token);
                }).Select(e => Cidr.TryParse(e, out var c) ? (Cidr?)c : null).Where(c => c != null).Select(c => c!.Value).ToList();
            return entries;
        }

        /// <summary>
        /// The prefix lists the groups to be changed refer to now, with their MaxEntries: what their rules count as
        /// against a group's quota. Only where something may be granted (a restore, or a narrowing); no call when no
        /// such group refers to a list.
        /// </summary>
        private static Dictionary<string, PrefixListInfo> PrefixListsCounted(IEc2Api ec2, IReadOnlyList<ChangeRequest> requests,
            IReadOnlyDictionary<string, LiveGroup> live, PlanOptions options, Action<string>? verbose)
        {
            var lists = new Dictionary<string, PrefixListInfo>(StringComparer.OrdinalIgnoreCase);
            bool grants = options.Kind == PlanKind.Restore || !options.Replacements.IsEmpty || requests.Any(r => r.Replacements != null);
            if (!grants) return lists;
            var ids = requests.Select(r => r.GroupId).Distinct(StringComparer.OrdinalIgnoreCase)
                .SelectMany(g => live.TryGetValue(g, out var group) ? group.Ingress : Array.Empty<SecurityGroupRuleInfo>())
                .Select(r => r.PrefixListId).Where(id => !string.IsNullOrEmpty(id)).Select(id => id!)
                .Concat(options.Kind == PlanKind.Restore ? requests.Select(r => r.Identity.Source.PrefixListId).Where(id => id != null).Select(id => id!) : Enumerable.Empty<string>())
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            foreach (var chunk in Paging.Chunk(ids))
            {
                verbose?.Invoke($"{ec2.Region}: DescribeManagedPrefixLists for {chunk.Count} list(s), to count them against the groups' rule quota");
                foreach (var list in ec2.DescribeManagedPrefixLists(chunk)) lists[list.PrefixListId] = list;
            }
            return lists;
        }

        private static List<GroupPlan> Failed(PlanOptions options, IReadOnlyList<ChangeRequest> requests, FailureInfo info, string lead, Exception error) =>
            PerGroup(options.Kind, requests, new Dictionary<string, LiveGroup>(), options.RunId,
                (item, _) => item.Decide(ChangeStatus.Failed, lead + info.Message, info.ErrorId, error, info.Kind));

        /// <summary>One plan per group, one item per request in input order; <paramref name="decide"/> plans each item against its live group.</summary>
        internal static List<GroupPlan> PerGroup(PlanKind kind, IReadOnlyList<ChangeRequest> requests, IReadOnlyDictionary<string, LiveGroup> live,
            string runId, Func<PlanItem, LiveGroup, PlanItem> decide)
        {
            var plans = new List<GroupPlan>();
            foreach (var group in requests.GroupBy(r => (r.Scope, GroupId: r.GroupId.ToLowerInvariant())))
            {
                var liveGroup = live.TryGetValue(group.Key.GroupId, out var g) ? g : LiveGroup.Missing(group.Key.GroupId);
                var first = group.First();
                var items = group.Select(request => decide(new PlanItem(request), liveGroup)).ToList();
                plans.Add(new GroupPlan(kind, first.Account, first.Region, first.GroupId, liveGroup, runId, items));
            }
            return plans;
        }
    }
}
