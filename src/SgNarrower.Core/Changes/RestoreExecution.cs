using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Puts one group's recorded rules back: grants what is missing (one call), edits back what narrowing edited in
    /// place (same id, same type), then removes the replacements this record's narrowing added, once the rules they
    /// replaced are back; a replacement another run shares keeps that run's tag.
    /// </summary>
    internal sealed class RestoreExecution(VerifiedCalls calls)
    {
        private readonly VerifiedCalls _calls = calls;

        public Dictionary<PlanItem, ItemOutcome> Run(GroupPlan plan)
        {
            var results = plan.Items.ToDictionary(i => i, _ => new ItemOutcome());
            var pending = plan.Pending.ToList();

            var toGrant = new Dictionary<RuleIdentity, RuleGrant>();
            foreach (var item in pending.Where(i => i.LiveRule == null && i.ModifyBack == null))
                if (!toGrant.ContainsKey(item.Request.Identity)) toGrant[item.Request.Identity] = new RuleGrant(item.Request.Identity, item.Request.Rule.Description);
            var grant = toGrant.Count == 0 ? VerifiedCalls.Granted.Nothing
                : _calls.Grant(plan, toGrant.Values.ToList(), RuleTags.Write(RuleTags.Restored, new[] { plan.RunId }), "rule(s) from the record");

            // Rules narrowing edited in place are edited back: the same rule, its id kept, as recorded.
            var backs = pending.Where(i => i.LiveRule == null && i.ModifyBack != null).GroupBy(i => i.ModifyBack!.SecurityGroupRuleId, StringComparer.Ordinal).Select(g => g.First()).ToList();
            var modified = backs.Count == 0 ? new VerifiedCalls.Modified()
                : _calls.Modify(plan, backs.Select(i => new KeyValuePair<string, RuleGrant>(i.ModifyBack!.SecurityGroupRuleId, new RuleGrant(i.Request.Identity, i.Request.Rule.Description))).ToList(),
                    "rule(s) narrowed in place, back as recorded");
            if (modified.Ids.Count > 0)
            {
                // The mark goes with the narrowing (its value emptied: CreateTags cannot remove a tag).
                var emptied = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var b in backs.Where(b => modified.Ids.Contains(b.ModifyBack!.SecurityGroupRuleId)))
                    foreach (var t in RuleTags.Write(RuleTags.Narrowed, Array.Empty<string>(), b.ModifyBack!.Tags)) emptied[t.Key] = t.Value;
                try { _calls.Tag(modified.Ids.ToList(), emptied, "the narrowing is undone"); }
                catch (AwsServiceException e) { _calls.Say($"the {RuleTags.Narrowed} tag stays on {string.Join(", ", modified.Ids)}: {e.Message}"); }
            }

            foreach (var item in pending)
            {
                var r = results[item];
                if (item.LiveRule != null) r.Status = ChangeStatus.AlreadyPresent;
                else if (item.ModifyBack != null)
                {
                    var id = item.ModifyBack.SecurityGroupRuleId;
                    if (modified.Ids.Contains(id)) { r.Status = ChangeStatus.Restored; r.NewRuleIds.Add(id); }
                    else
                    {
                        var failure = modified.Failure ?? new FailureInfo("ChangeNotVerified", FailureKind.ServiceError, $"Rule {id} could not be edited back.");
                        r.Fail(failure, failure.Message, modified.Exception);
                    }
                }
                else if (grant.Ids.TryGetValue(item.Request.Identity, out var id))
                {
                    r.Status = grant.Created.Contains(id) ? ChangeStatus.Restored : ChangeStatus.AlreadyPresent;
                    r.NewRuleIds.Add(id);
                }
                else
                {
                    r.Fail(grant.Failure!, grant.Failure!.Message, grant.Exception);
                }
            }

            // Replacements go only once the rule they replaced is back; a replacement another run shares keeps that run's tag.
            var strip = new Dictionary<string, (SecurityGroupRuleInfo Rule, HashSet<string> RunIds, List<PlanItem> Items)>(StringComparer.Ordinal);
            foreach (var item in pending)
            {
                bool back = results[item].Status == ChangeStatus.Restored || results[item].Status == ChangeStatus.AlreadyPresent;
                foreach (var rule in item.ReplacementsToRemove)
                {
                    if (!strip.TryGetValue(rule.SecurityGroupRuleId, out var entry))
                        strip[rule.SecurityGroupRuleId] = entry = (rule, new HashSet<string>(StringComparer.Ordinal), new List<PlanItem>());
                    entry.Items.Add(item);
                    if (back) entry.RunIds.Add(item.Request.RecordRunId!);
                }
            }
            var removable = strip.Values.Where(s => s.Items.All(i => results[i].Status == ChangeStatus.Restored || results[i].Status == ChangeStatus.AlreadyPresent)).ToList();
            var revokeIds = new List<string>();
            foreach (var s in removable)
            {
                // Another run that shares the rule (as a replacement, or as its open rule narrowed in place) keeps it.
                var remaining = RuleTags.RunIds(s.Rule.Tags).Where(id => !s.RunIds.Contains(id)).ToList();
                var narrowedBy = RuleTags.RunIds(s.Rule.Tags, RuleTags.Narrowed).Where(id => !s.RunIds.Contains(id)).ToList();
                if (remaining.Count == 0 && narrowedBy.Count == 0) { revokeIds.Add(s.Rule.SecurityGroupRuleId); continue; }
                var tags = RuleTags.Write(RuleTags.Replacement, remaining, s.Rule.Tags);
                if (s.RunIds.Any(id => RuleTags.IsNarrowedBy(s.Rule.Tags, id)))
                    foreach (var t in RuleTags.Write(RuleTags.Narrowed, narrowedBy, s.Rule.Tags)) tags[t.Key] = t.Value;
                try
                {
                    _calls.Tag(new[] { s.Rule.SecurityGroupRuleId }, tags, "still another run's replacement");
                }
                catch (AwsServiceException e)
                {
                    AddReplacementNote(results, s.Items, $"The replacement {s.Rule.SecurityGroupRuleId} keeps this run in its {RuleTags.Replacement} tag: {_calls.Explain(e, plan).Message}");
                }
            }
            if (revokeIds.Count > 0)
            {
                var removed = _calls.Revoke(plan, revokeIds, "replacement rule(s) that narrowing added");
                var left = revokeIds.Where(id => !removed.Ids.Contains(id)).ToList();
                if (left.Count > 0 && !removed.GroupGone)
                    AddReplacementNote(results, removable.Where(s => left.Contains(s.Rule.SecurityGroupRuleId)).SelectMany(s => s.Items),
                        $"The rule is back, but the replacement rule(s) {string.Join(", ", left)} that narrowing added are still there: {removed.Failure?.Message}");
            }
            return results;
        }

        private static void AddReplacementNote(Dictionary<PlanItem, ItemOutcome> results, IEnumerable<PlanItem> items, string note)
        {
            foreach (var item in items.Distinct())
            {
                var r = results[item];
                r.Error = r.Error == null ? note : r.Error + " " + note;
                r.ErrorId ??= "ReplacementNotRemoved";
                r.Kind ??= FailureKind.ServiceError;
            }
        }
    }
}
