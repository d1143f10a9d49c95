using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Revokes and narrows one group, in named steps (<see cref="Run"/>): grant what replaces the open rules, edit in
    /// place what stays of its own type, revoke the other open rules, then take back whatever was granted or tagged for
    /// a rule that was not narrowed, so that a Failed rule has nothing changed for it. Grants come first, so an open
    /// rule is removed only once everything that replaces it exists.
    /// </summary>
    internal sealed class RevokeExecution(VerifiedCalls calls)
    {
        private readonly VerifiedCalls _calls = calls;

        /// <summary>A rule narrowing grants in a group, the open rules it replaces, and the runs and items they belong to.</summary>
        private sealed class Replacement
        {
            public Replacement(RuleIdentity identity) { Identity = identity; }
            public RuleIdentity Identity { get; }
            public List<string> Replaces { get; } = new List<string>();
            public List<string> RunIds { get; } = new List<string>();
            public List<PlanItem> Items { get; } = new List<PlanItem>();
        }

        /// <summary>A replacement that was in the group already, and the run ids its tags named before this run added its own.</summary>
        private sealed record Share(SecurityGroupRuleInfo Rule, IReadOnlyList<string> OwnersBefore, Dictionary<string, string> Written, Replacement Replacement);

        /// <summary>One group's revoke as it goes: each item's outcome, and what this run granted and tagged, to take back what a failed item needed.</summary>
        private sealed class RevokeRun
        {
            public RevokeRun(GroupPlan plan)
            {
                Plan = plan;
                Results = plan.Items.ToDictionary(i => i, _ => new ItemOutcome());
            }
            public GroupPlan Plan { get; }
            public Dictionary<PlanItem, ItemOutcome> Results { get; }
            /// <summary>The live id of every replacement there is now, granted by this run or found.</summary>
            public Dictionary<RuleIdentity, string> GrantedIds { get; } = new Dictionary<RuleIdentity, string>();
            /// <summary>Replacements this run created: only these are ever revoked again.</summary>
            public HashSet<string> CreatedByUs { get; } = new HashSet<string>(StringComparer.Ordinal);
            public List<Share> Shares { get; } = new List<Share>();
            /// <summary>The open rules this run marked for an edit in place, with their narrowed-tag run ids from before.</summary>
            public List<(SecurityGroupRuleInfo Rule, IReadOnlyList<string> Before, Dictionary<string, string> Written)> Marks { get; } =
                new List<(SecurityGroupRuleInfo, IReadOnlyList<string>, Dictionary<string, string>)>();
            public ItemOutcome this[PlanItem item] => Results[item];

            public IEnumerable<string> NewIds(PlanItem item, IEnumerable<RuleSource> sources) =>
                sources.Select(s => GrantedIds.TryGetValue(item.Request.Identity.WithSource(s), out var id) ? id : null).Where(id => id != null).Select(id => id!);
        }

        /// <summary>
        /// Revokes and narrows one group, in named steps: grant what replaces the open rules, edit in place what stays of
        /// its own type, revoke the other open rules, then take back everything granted or tagged for a rule that did
        /// not get all it was promised, so that a Failed rule has nothing changed for it.
        /// </summary>
        public Dictionary<PlanItem, ItemOutcome> Run(GroupPlan plan)
        {
            var run = new RevokeRun(plan);
            var pending = plan.Pending.ToList();
            var failedReplacements = GrantReplacements(run, pending);
            var revoking = FailWhereReplacementsMissing(run, pending, failedReplacements);
            var editing = revoking.Where(i => i.InPlace).ToList();
            revoking = revoking.Where(i => !i.InPlace).ToList();
            NarrowInPlace(run, editing);
            revoking = FailWhereEditMissing(run, revoking, editing);
            RevokeOpenRules(run, revoking);
            TakeBackForUnchanged(run, pending);
            return run.Results;
        }

        /// <summary>
        /// Step 1: everything that replaces an open rule exists before the open rule goes. A replacement that an edit in
        /// place of this group produces is not granted. One AuthorizeSecurityGroupIngress per set of owning runs, and a
        /// replacement that is there already gets this run's id in its tags (so that restoring either run leaves the
        /// other's access). Returns the replacements that could not be made, and why.
        /// </summary>
        private Dictionary<RuleIdentity, (FailureInfo Info, Exception? Error)> GrantReplacements(RevokeRun run, List<PlanItem> pending)
        {
            var plan = run.Plan;
            var edits = new HashSet<RuleIdentity>(pending.Where(i => i.InPlace).Select(i => i.Request.Identity.WithSource(i.Replacements[0])));
            var replacements = new Dictionary<RuleIdentity, Replacement>();
            foreach (var item in pending)
                foreach (var source in StillToGrant(item))
                {
                    var identity = item.Request.Identity.WithSource(source);
                    if (edits.Contains(identity)) continue;
                    if (!replacements.TryGetValue(identity, out var replacement)) replacements[identity] = replacement = new Replacement(identity);
                    replacement.Replaces.Add(ReplacementMark.Replaced(item.Request.Identity.Source, item.LiveRule?.SecurityGroupRuleId));
                    replacement.RunIds.Add(RunIdOf(item, plan));
                    replacement.Items.Add(item);
                }
            var failed = new Dictionary<RuleIdentity, (FailureInfo Info, Exception? Error)>();
            var toCreate = new List<Replacement>();
            foreach (var replacement in replacements.Values)
            {
                var existing = plan.Live.ByIdentity(replacement.Identity);
                if (existing == null) { toCreate.Add(replacement); continue; }
                run.GrantedIds[replacement.Identity] = existing.SecurityGroupRuleId;
                // A replacement another run added (or an open rule another run narrowed into it): this run shares it.
                var owners = RuleTags.RunIds(existing.Tags);
                bool anotherRuns = owners.Count > 0 || RuleTags.RunIds(existing.Tags, RuleTags.Narrowed).Count > 0;
                if (!anotherRuns || replacement.RunIds.All(owners.Contains)) continue;
                var written = RuleTags.Write(RuleTags.Replacement, owners.Concat(replacement.RunIds), existing.Tags);
                try
                {
                    _calls.Tag(new[] { existing.SecurityGroupRuleId }, written, "a replacement this run shares");
                    run.Shares.Add(new Share(existing, owners, written, replacement));
                }
                catch (AwsServiceException e)
                {
                    failed[replacement.Identity] = (_calls.Explain(e, plan), e);
                }
            }
            foreach (var batch in toCreate.GroupBy(n => RuleTags.SetKey(n.RunIds)))
            {
                var grants = batch.Select(n => new RuleGrant(n.Identity, ReplacementMark.Description(n.Replaces))).ToList();
                var outcome = _calls.Grant(plan, grants, RuleTags.Write(RuleTags.Replacement, batch.First().RunIds), "replacement rule(s)");
                foreach (var kv in outcome.Ids) run.GrantedIds[kv.Key] = kv.Value;
                run.CreatedByUs.UnionWith(outcome.Created);
                foreach (var g in grants.Where(g => !outcome.Ids.ContainsKey(g.Identity)))
                    failed[g.Identity] = (outcome.Failure!, outcome.Exception);
            }
            return failed;
        }

        /// <summary>Step 1b: an open rule whose replacements are not all there stays: its item fails. Returns the items to go on with.</summary>
        private static List<PlanItem> FailWhereReplacementsMissing(RevokeRun run, List<PlanItem> pending, Dictionary<RuleIdentity, (FailureInfo Info, Exception? Error)> failed)
        {
            var going = new List<PlanItem>();
            foreach (var item in pending)
            {
                var missing = StillToGrant(item).Select(s => item.Request.Identity.WithSource(s)).Where(failed.ContainsKey).ToList();
                if (missing.Count == 0) { going.Add(item); continue; }
                var (info, error) = failed[missing[0]];
                run[item].Fail(info, $"The replacement could not be granted, so the open rule was left in place. {info.Message}", error);
            }
            return going;
        }

        /// <summary>
        /// Step 2: narrowing in place. The open rules are marked for their record's restore (sgnarrower:narrowed names
        /// the record's run), then each is edited into its first replacement, of its own type, in one atomic call: it keeps
        /// its id, so nothing is open and nothing is locked out in between.
        /// </summary>
        private void NarrowInPlace(RevokeRun run, List<PlanItem> editing)
        {
            if (editing.Count == 0) return;
            var plan = run.Plan;
            var (edited, failure, error) = EditInPlace(run, editing);
            foreach (var item in editing)
            {
                var id = item.LiveRule!.SecurityGroupRuleId;
                if (edited.Contains(id))
                {
                    run[item].Status = ChangeStatus.Narrowed;
                    run[item].NewRuleIds.Add(id);
                    run[item].NewRuleIds.AddRange(run.NewIds(item, StillToGrant(item)));
                }
                else run[item].Fail(failure!, "The open rule is still in place. " + failure!.Message, error);
            }
        }

        /// <summary>Step 2b: rules whose narrowing relied on a replacement an edit of this group was to make, which it did not, stay.</summary>
        private static List<PlanItem> FailWhereEditMissing(RevokeRun run, List<PlanItem> revoking, List<PlanItem> editing)
        {
            var edits = new HashSet<RuleIdentity>(editing.Select(i => i.Request.Identity.WithSource(i.Replacements[0])));
            var made = new HashSet<RuleIdentity>(editing.Where(i => run[i].Status == ChangeStatus.Narrowed).Select(i => i.Request.Identity.WithSource(i.Replacements[0])));
            var going = new List<PlanItem>();
            foreach (var item in revoking)
            {
                bool reliesOnFailedEdit = item.Replacements.Select(s => item.Request.Identity.WithSource(s)).Any(id => edits.Contains(id) && !made.Contains(id));
                if (!reliesOnFailedEdit) { going.Add(item); continue; }
                run[item].Fail(new FailureInfo("ReplacementNotMade", FailureKind.ServiceError, "the rule it relied on was not made"),
                    $"{item.PromptText()} was left in place: the rule it was to be narrowed to could not be made (see the error of the rule edited into it).");
            }
            return going;
        }

        /// <summary>Step 3: the other open rules go, by their live ids, in one verified call.</summary>
        private void RevokeOpenRules(RevokeRun run, List<PlanItem> revoking)
        {
            var plan = run.Plan;
            var ids = revoking.Select(i => i.LiveRule!.SecurityGroupRuleId).Distinct(StringComparer.Ordinal).ToList();
            var revoke = ids.Count == 0 ? VerifiedCalls.Revoked.Nothing : _calls.Revoke(plan, ids, "open rule(s)");
            foreach (var item in revoking)
            {
                var r = run[item];
                var id = item.LiveRule!.SecurityGroupRuleId;
                if (revoke.Ids.Contains(id))
                {
                    r.Status = item.Replacements.Count > 0 ? ChangeStatus.Narrowed : ChangeStatus.Revoked;
                    r.NewRuleIds.AddRange(run.NewIds(item, item.Replacements));
                }
                else if (revoke.RemovedElsewhere.Contains(id))
                {
                    r.Status = ChangeStatus.AlreadyAbsent;
                    r.Error = $"Rule {id} was removed by someone else after this run read {plan.GroupId}: EC2 answered this run's revoke with {revoke.ElsewhereCode}, so this run changed nothing there.";
                }
                else if (revoke.GroupGone)
                {
                    r.Status = ChangeStatus.AlreadyAbsent;
                    r.Error = $"Security group {plan.GroupId} was deleted in {plan.Region} during the run, and its rules with it.";
                }
                else r.Fail(revoke.Failure!, (item.Replacements.Count > 0 ? "The open rule is still in place. " : "") + revoke.Failure!.Message, revoke.Exception);
            }
        }

        /// <summary>
        /// Step 4: all or nothing per rule. For every rule that was not narrowed (it failed, or someone else removed it
        /// meanwhile), what this run granted for it and no narrowed rule needs is revoked again and verified, and the
        /// tags this run added are set back. Where that cannot be done the rule is Incomplete, never Failed: it says which
        /// rules are left.
        /// </summary>
        private void TakeBackForUnchanged(RevokeRun run, List<PlanItem> pending)
        {
            var plan = run.Plan;
            bool Unchanged(PlanItem i) => run[i].Status != ChangeStatus.Narrowed && run[i].Status != ChangeStatus.Revoked;
            var notNarrowed = pending.Where(i => i.Replacements.Count > 0 && Unchanged(i)).ToList();
            if (notNarrowed.Count == 0) return;
            var stillNeeded = new HashSet<string>(pending.Where(i => !Unchanged(i)).SelectMany(i => run[i].NewRuleIds), StringComparer.Ordinal);
            var left = new Dictionary<PlanItem, List<string>>();
            void Left(PlanItem item, string what)
            {
                if (!left.TryGetValue(item, out var list)) left[item] = list = new List<string>();
                list.Add(what);
            }

            // Grants this run created only for such rules.
            var undo = notNarrowed.SelectMany(i => run.NewIds(i, StillToGrant(i)))
                .Where(id => run.CreatedByUs.Contains(id) && !stillNeeded.Contains(id)).Distinct(StringComparer.Ordinal).ToList();
            var back = undo.Count == 0 ? VerifiedCalls.Revoked.Nothing : _calls.Revoke(plan, undo, "replacement rule(s) of rules that stay as they were");
            var notBack = new HashSet<string>(back.GroupGone ? Enumerable.Empty<string>() : undo.Where(u => !back.Ids.Contains(u)), StringComparer.Ordinal);
            foreach (var item in notNarrowed)
                foreach (var id in run.NewIds(item, StillToGrant(item)).Where(notBack.Contains))
                    Left(item, $"replacement rule {id}, granted for it, could not be revoked again ({back.Failure?.Message})");

            // This run's id, added to replacements that were there already, goes again where no narrowed rule of the run needs it.
            foreach (var share in run.Shares.Where(s => s.Replacement.Items.Any(notNarrowed.Contains)))
            {
                var keep = share.OwnersBefore.Concat(share.Replacement.Items.Where(i => !Unchanged(i)).Select(i => RunIdOf(i, plan))).ToList();
                if (RuleTags.SetKey(keep) == RuleTags.SetKey(RuleTags.RunIds(share.Written))) continue;
                try { _calls.Tag(new[] { share.Rule.SecurityGroupRuleId }, RuleTags.Write(RuleTags.Replacement, keep, share.Written), "this run's share taken back"); }
                catch (AwsServiceException e)
                {
                    foreach (var item in share.Replacement.Items.Where(notNarrowed.Contains))
                        Left(item, $"replacement rule {share.Rule.SecurityGroupRuleId} still names this run in its {RuleTags.Replacement} tags ({_calls.Explain(e, plan).Message})");
                }
            }

            // The narrowed mark on open rules whose edit did not happen.
            foreach (var mark in run.Marks)
            {
                var items = notNarrowed.Where(i => i.InPlace && i.LiveRule!.SecurityGroupRuleId == mark.Rule.SecurityGroupRuleId).ToList();
                if (items.Count == 0) continue;
                try { _calls.Tag(new[] { mark.Rule.SecurityGroupRuleId }, RuleTags.Write(RuleTags.Narrowed, mark.Before, mark.Written), "the mark of an edit that did not happen taken back"); }
                catch (AwsServiceException e)
                {
                    foreach (var item in items) Left(item, $"its {RuleTags.Narrowed} tag still names this run ({_calls.Explain(e, plan).Message})");
                }
            }

            foreach (var item in notNarrowed)
            {
                var r = run[item];
                if (left.TryGetValue(item, out var what))
                {
                    r.Status = ChangeStatus.Incomplete;
                    r.ErrorId = "ChangeNotTakenBack";
                    r.Kind = FailureKind.ServiceError;
                    r.Error = (r.Error ?? "The rule was not narrowed.") + $" What this run changed for it could not all be taken back: {string.Join("; ", what)}. Remove or retag them by hand (Get-OpenIngressRule and the group's rules show them).";
                }
                else if (undo.Count > 0 && run.NewIds(item, StillToGrant(item)).Any(undo.Contains))
                    r.Error += " The replacement rules granted for it were removed again: the group is as it was.";
            }
        }

        internal static string RunIdOf(PlanItem item, GroupPlan plan) => item.Request.RecordRunId ?? plan.RunId;

        /// <summary>The replacement sources granted as new rules: all of them, or all but the first where the open rule is edited into it.</summary>
        private static IEnumerable<RuleSource> StillToGrant(PlanItem item) => item.InPlace ? item.Replacements.Skip(1) : item.Replacements;

        /// <summary>Marks the open rules (sgnarrower:narrowed adds their record's run), then edits each into its first replacement.</summary>
        private (HashSet<string> Edited, FailureInfo? Failure, Exception? Error) EditInPlace(RevokeRun run, List<PlanItem> items)
        {
            var plan = run.Plan;
            var targets = items.GroupBy(i => i.LiveRule!.SecurityGroupRuleId, StringComparer.Ordinal).Select(g => g.First()).ToList();
            try
            {
                // One CreateTags for all the rules that get the same tags (as a rule comes, unmarked): few calls, whatever the group's size.
                var marks = targets.Select(i => (Rule: i.LiveRule!, Before: RuleTags.RunIds(i.LiveRule!.Tags, RuleTags.Narrowed), RunId: RunIdOf(i, plan)))
                    .Where(m => !m.Before.Contains(m.RunId))
                    .Select(m => (m.Rule, m.Before, Written: RuleTags.Write(RuleTags.Narrowed, m.Before.Concat(new[] { m.RunId }), m.Rule.Tags)))
                    .GroupBy(m => string.Join("\n", m.Written.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value)), StringComparer.Ordinal);
                // Each mark noted once written, so that a failure part-way takes back exactly those written.
                foreach (var same in marks)
                    foreach (var chunk in same.Select((m, i) => (m, i)).GroupBy(x => x.i / VerifiedCalls.MaxTaggedPerCall, x => x.m))
                    {
                        _calls.Tag(chunk.Select(m => m.Rule.SecurityGroupRuleId).ToList(), same.First().Written, $"marked for the restore of {plan.GroupId}'s record");
                        foreach (var m in chunk) run.Marks.Add((m.Rule, m.Before, m.Written));
                    }
            }
            catch (AwsServiceException e)
            {
                var info = _calls.Explain(e, plan);
                return (new HashSet<string>(StringComparer.Ordinal), new FailureInfo(info.ErrorId, info.Kind, "It could not be marked for its restore, so it was not changed. " + info.Message), e);
            }
            var changes = targets.Select(i => new KeyValuePair<string, RuleGrant>(i.LiveRule!.SecurityGroupRuleId,
                new RuleGrant(i.Request.Identity.WithSource(i.Replacements[0]), ReplacementMark.Description(new[] { ReplacementMark.Replaced(i.Request.Identity.Source, i.LiveRule.SecurityGroupRuleId) })))).ToList();
            var outcome = _calls.Modify(plan, changes, "open rule(s) narrowed in place");
            return (outcome.Ids, outcome.Failure, outcome.Exception);
        }
    }
}
