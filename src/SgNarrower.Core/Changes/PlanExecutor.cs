using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Runs a group's plan through EC2 and reports what really happened. Statuses come from what EC2 says it did
    /// (the revoked rule ids, the rules it created). A call EC2 answered with an error changed nothing: one more
    /// describe shows what someone else changed meanwhile (a planned rule gone is AlreadyAbsent, removed elsewhere),
    /// and what is still to do is tried again. Only where a reply never came (a dropped connection, a timeout, a 5xx,
    /// or an error answering a retry of such a call) does the describe decide what this run did. Grants come first,
    /// so an open rule is removed only once everything that replaces it exists.
    /// </summary>
    public sealed class PlanExecutor
    {
        /// <summary>CreateTags takes at most 1000 resource ids a call (API Reference, CreateTags).</summary>
        public const int MaxTaggedPerCall = 1000;

        /// <summary>Calls per step at most: the first, and retries of what a describe shows is still to do.</summary>
        public const int MaxRounds = 3;

        private readonly IEc2Api _api;
        private readonly Action<string>? _verbose;

        public PlanExecutor(IEc2Api api, Action<string>? verbose = null)
        {
            _api = api;
            _verbose = verbose;
        }

        public GroupOutcome Execute(GroupPlan plan) => plan.Kind == PlanKind.Revoke ? Revoke(plan) : Restore(plan);

        // ------------------------------------------------------------------ revoke and narrow

        /// <summary>What happened to one planned item while its group was changed.</summary>
        private sealed class ItemOutcome
        {
            public ChangeStatus? Status;
            public string? Error;
            public string? ErrorId;
            public Exception? Exception;
            public List<string> NewRuleIds = new List<string>();

            public void Fail(string? errorId, string error, Exception? exception = null)
            {
                Status = ChangeStatus.Failed;
                ErrorId = errorId;
                Error = error;
                Exception = exception;
            }
        }

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
        private GroupOutcome Revoke(GroupPlan plan)
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
            return Report(plan, run.Results, PlanKind.Revoke);
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
                    _verbose?.Invoke($"{_api.Region}: CreateTags {existing.SecurityGroupRuleId}: {RuleTags.Replacement} += {string.Join(" ", replacement.RunIds.Distinct())}");
                    _api.TagRules(new[] { existing.SecurityGroupRuleId }, written);
                    run.Shares.Add(new Share(existing, owners, written, replacement));
                }
                catch (AwsServiceException e)
                {
                    failed[replacement.Identity] = (Explain(e, plan), e);
                }
            }
            foreach (var batch in toCreate.GroupBy(n => RuleTags.SetKey(n.RunIds)))
            {
                var grants = batch.Select(n => new RuleGrant(n.Identity, ReplacementMark.Description(n.Replaces))).ToList();
                var outcome = GrantVerified(plan, grants, RuleTags.Write(RuleTags.Replacement, batch.First().RunIds), "replacement rule(s)");
                foreach (var kv in outcome.Granted) run.GrantedIds[kv.Key] = kv.Value;
                run.CreatedByUs.UnionWith(outcome.Created);
                foreach (var g in grants.Where(g => !outcome.Granted.ContainsKey(g.Identity)))
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
                run[item].Fail(info.ErrorId, $"The replacement could not be granted, so the open rule was left in place. {info.Message}", error);
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
                else run[item].Fail(failure!.ErrorId, "The open rule is still in place. " + failure.Message, error);
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
                run[item].Fail("ReplacementNotMade",
                    $"{item.PromptText()} was left in place: the rule it was to be narrowed to could not be made (see the error of the rule edited into it).");
            }
            return going;
        }

        /// <summary>Step 3: the other open rules go, by their live ids, in one verified call.</summary>
        private void RevokeOpenRules(RevokeRun run, List<PlanItem> revoking)
        {
            var plan = run.Plan;
            var ids = revoking.Select(i => i.LiveRule!.SecurityGroupRuleId).Distinct(StringComparer.Ordinal).ToList();
            var revoke = ids.Count == 0 ? RevokeOutcome.Nothing : RevokeVerified(plan, ids, "open rule(s)");
            foreach (var item in revoking)
            {
                var r = run[item];
                var id = item.LiveRule!.SecurityGroupRuleId;
                if (revoke.Revoked.Contains(id))
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
                else r.Fail(revoke.Failure!.ErrorId, (item.Replacements.Count > 0 ? "The open rule is still in place. " : "") + revoke.Failure.Message, revoke.Exception);
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
            var back = undo.Count == 0 ? RevokeOutcome.Nothing : RevokeVerified(plan, undo, "replacement rule(s) of rules that stay as they were");
            var notBack = new HashSet<string>(back.GroupGone ? Enumerable.Empty<string>() : undo.Where(u => !back.Revoked.Contains(u)), StringComparer.Ordinal);
            foreach (var item in notNarrowed)
                foreach (var id in run.NewIds(item, StillToGrant(item)).Where(notBack.Contains))
                    Left(item, $"replacement rule {id}, granted for it, could not be revoked again ({back.Failure?.Message})");

            // This run's id, added to replacements that were there already, goes again where no narrowed rule of the run needs it.
            foreach (var share in run.Shares.Where(s => s.Replacement.Items.Any(notNarrowed.Contains)))
            {
                var keep = share.OwnersBefore.Concat(share.Replacement.Items.Where(i => !Unchanged(i)).Select(i => RunIdOf(i, plan))).ToList();
                if (RuleTags.SetKey(keep) == RuleTags.SetKey(RuleTags.RunIds(share.Written))) continue;
                try { _api.TagRules(new[] { share.Rule.SecurityGroupRuleId }, RuleTags.Write(RuleTags.Replacement, keep, share.Written)); }
                catch (AwsServiceException e)
                {
                    foreach (var item in share.Replacement.Items.Where(notNarrowed.Contains))
                        Left(item, $"replacement rule {share.Rule.SecurityGroupRuleId} still names this run in its {RuleTags.Replacement} tags ({Explain(e, plan).Message})");
                }
            }

            // The narrowed mark on open rules whose edit did not happen.
            foreach (var mark in run.Marks)
            {
                var items = notNarrowed.Where(i => i.InPlace && i.LiveRule!.SecurityGroupRuleId == mark.Rule.SecurityGroupRuleId).ToList();
                if (items.Count == 0) continue;
                try { _api.TagRules(new[] { mark.Rule.SecurityGroupRuleId }, RuleTags.Write(RuleTags.Narrowed, mark.Before, mark.Written)); }
                catch (AwsServiceException e)
                {
                    foreach (var item in items) Left(item, $"its {RuleTags.Narrowed} tag still names this run ({Explain(e, plan).Message})");
                }
            }

            foreach (var item in notNarrowed)
            {
                var r = run[item];
                if (left.TryGetValue(item, out var what))
                {
                    r.Status = ChangeStatus.Incomplete;
                    r.ErrorId = "ChangeNotTakenBack";
                    r.Error = (r.Error ?? "The rule was not narrowed.") + $" What this run changed for it could not all be taken back: {string.Join("; ", what)}. Remove or retag them by hand (Get-OpenIngressRule and the group's rules show them).";
                }
                else if (undo.Count > 0 && run.NewIds(item, StillToGrant(item)).Any(undo.Contains))
                    r.Error += " The replacement rules granted for it were removed again: the group is as it was.";
            }
        }

        private static string RunIdOf(PlanItem item, GroupPlan plan) => item.Request.RecordRunId ?? plan.RunId;

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
                foreach (var same in marks)
                    foreach (var chunk in Paging.Chunk(same.Select(m => m.Rule.SecurityGroupRuleId).ToList(), MaxTaggedPerCall))
                    {
                        var written = same.First().Written;
                        _verbose?.Invoke($"{_api.Region}: CreateTags {chunk.Count} rule(s) of {plan.GroupId}: {string.Join(", ", written.Select(t => t.Key + "=" + t.Value))}");
                        _api.TagRules(chunk, written);
                        foreach (var m in same.Where(m => chunk.Contains(m.Rule.SecurityGroupRuleId))) run.Marks.Add((m.Rule, m.Before, m.Written));
                    }
            }
            catch (AwsServiceException e)
            {
                var info = Explain(e, plan);
                return (new HashSet<string>(StringComparer.Ordinal), new FailureInfo(info.ErrorId, info.Kind, "It could not be marked for its restore, so it was not changed. " + info.Message), e);
            }
            var changes = targets.Select(i => new KeyValuePair<string, RuleGrant>(i.LiveRule!.SecurityGroupRuleId,
                new RuleGrant(i.Request.Identity.WithSource(i.Replacements[0]), ReplacementMark.Description(new[] { ReplacementMark.Replaced(i.Request.Identity.Source, i.LiveRule.SecurityGroupRuleId) })))).ToList();
            var outcome = ModifyVerified(plan, changes, "open rule(s) narrowed in place");
            return (outcome.Changed, outcome.Failure, outcome.Exception);
        }

        /// <summary>What one verified call did, and why it did not do all it was asked, where it did not.</summary>
        private abstract class CallOutcome
        {
            public FailureInfo? Failure;
            public Exception? Exception;
        }

        private sealed class ModifyOutcome : CallOutcome
        {
            public HashSet<string> Changed { get; } = new HashSet<string>(StringComparer.Ordinal);
        }

        /// <summary>The call's own error is why the outcome falls short.</summary>
        private T FailedBy<T>(T outcome, AwsServiceException error, GroupPlan plan) where T : CallOutcome
        {
            outcome.Failure = Explain(error, plan);
            outcome.Exception = error;
            return outcome;
        }

        /// <summary>Rules still not as asked after every round of calls.</summary>
        private static FailureInfo NotVerified(int count, GroupPlan plan, string state, string action) =>
            new FailureInfo("ChangeNotVerified", FailureKind.ServiceError,
                $"{count} rule(s) of {plan.GroupId} in {plan.Region} were still {state} after {MaxRounds} {action} calls; another change to the group may be under way. Run again.");

        /// <summary>Edits rules in place in one call; after anything but a clear reply, a rule that allows what it should now is changed.</summary>
        private ModifyOutcome ModifyVerified(GroupPlan plan, List<KeyValuePair<string, RuleGrant>> changes, string what)
        {
            var outcome = new ModifyOutcome();
            AwsServiceException? callError = null;
            try
            {
                _verbose?.Invoke($"{_api.Region}: ModifySecurityGroupRules {plan.GroupId}: {changes.Count} {what}");
                _api.ModifyIngress(plan.GroupId, changes);
                foreach (var c in changes) outcome.Changed.Add(c.Key);
                return outcome;
            }
            catch (AwsServiceException e) { callError = e; }
            if (!callError.OutcomeUnknown)
            {
                // EC2 answered with an error: the call changed nothing (it is atomic), whatever the rules look like now.
                return FailedBy(outcome, callError, plan);
            }
            var now = ReadNow(plan, callError, out outcome.Failure, out outcome.Exception);
            if (now == null) return outcome;
            foreach (var c in changes)
                if (now.ById(c.Key) is SecurityGroupRuleInfo rule && rule.Identity is RuleIdentity id && id.Equals(c.Value.Identity)
                    && string.Equals(rule.Description ?? "", c.Value.Description ?? "", StringComparison.Ordinal)) outcome.Changed.Add(c.Key);
            return outcome.Changed.Count < changes.Count ? FailedBy(outcome, callError, plan) : outcome;
        }

        // ------------------------------------------------------------------ restore

        private GroupOutcome Restore(GroupPlan plan)
        {
            var results = plan.Items.ToDictionary(i => i, _ => new ItemOutcome());
            var pending = plan.Pending.ToList();

            var toGrant = new Dictionary<RuleIdentity, RuleGrant>();
            foreach (var item in pending.Where(i => i.LiveRule == null && i.ModifyBack == null))
                if (!toGrant.ContainsKey(item.Request.Identity)) toGrant[item.Request.Identity] = new RuleGrant(item.Request.Identity, item.Request.Rule.Description);
            var grant = toGrant.Count == 0 ? GrantOutcome.Nothing
                : GrantVerified(plan, toGrant.Values.ToList(), RuleTags.Write(RuleTags.Restored, new[] { plan.RunId }), "rule(s) from the record");

            // Rules narrowing edited in place are edited back: the same rule, its id kept, as recorded.
            var backs = pending.Where(i => i.LiveRule == null && i.ModifyBack != null).GroupBy(i => i.ModifyBack!.SecurityGroupRuleId, StringComparer.Ordinal).Select(g => g.First()).ToList();
            var modified = backs.Count == 0 ? new ModifyOutcome()
                : ModifyVerified(plan, backs.Select(i => new KeyValuePair<string, RuleGrant>(i.ModifyBack!.SecurityGroupRuleId, new RuleGrant(i.Request.Identity, i.Request.Rule.Description))).ToList(),
                    "rule(s) narrowed in place, back as recorded");
            if (modified.Changed.Count > 0)
            {
                // The mark goes with the narrowing (its value emptied: CreateTags cannot remove a tag).
                var emptied = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var b in backs.Where(b => modified.Changed.Contains(b.ModifyBack!.SecurityGroupRuleId)))
                    foreach (var t in RuleTags.Write(RuleTags.Narrowed, Array.Empty<string>(), b.ModifyBack!.Tags)) emptied[t.Key] = t.Value;
                try { foreach (var chunk in Paging.Chunk(modified.Changed.ToList(), MaxTaggedPerCall)) _api.TagRules(chunk, emptied); }
                catch (AwsServiceException e) { _verbose?.Invoke($"{_api.Region}: the {RuleTags.Narrowed} tag stays on {string.Join(", ", modified.Changed)}: {e.Message}"); }
            }

            foreach (var item in pending)
            {
                var r = results[item];
                if (item.LiveRule != null) r.Status = ChangeStatus.AlreadyPresent;
                else if (item.ModifyBack != null)
                {
                    var id = item.ModifyBack.SecurityGroupRuleId;
                    if (modified.Changed.Contains(id)) { r.Status = ChangeStatus.Restored; r.NewRuleIds.Add(id); }
                    else
                    {
                        r.Status = ChangeStatus.Failed;
                        r.ErrorId = modified.Failure?.ErrorId ?? "ChangeNotVerified";
                        r.Error = modified.Failure?.Message ?? $"Rule {id} could not be edited back.";
                        r.Exception = modified.Exception;
                    }
                }
                else if (grant.Granted.TryGetValue(item.Request.Identity, out var id))
                {
                    r.Status = grant.Created.Contains(id) ? ChangeStatus.Restored : ChangeStatus.AlreadyPresent;
                    r.NewRuleIds.Add(id);
                }
                else
                {
                    r.Status = ChangeStatus.Failed;
                    r.ErrorId = grant.Failure!.ErrorId;
                    r.Error = grant.Failure.Message;
                    r.Exception = grant.Exception;
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
                    _verbose?.Invoke($"{_api.Region}: CreateTags {s.Rule.SecurityGroupRuleId}: {RuleTags.Replacement}={string.Join(" ", remaining)} (still another run's replacement)");
                    _api.TagRules(new[] { s.Rule.SecurityGroupRuleId }, tags);
                }
                catch (AwsServiceException e)
                {
                    AddReplacementNote(results, s.Items, $"The replacement {s.Rule.SecurityGroupRuleId} keeps this run in its {RuleTags.Replacement} tag: {Explain(e, plan).Message}");
                }
            }
            if (revokeIds.Count > 0)
            {
                var removed = RevokeVerified(plan, revokeIds, "replacement rule(s) that narrowing added");
                var left = revokeIds.Where(id => !removed.Revoked.Contains(id)).ToList();
                if (left.Count > 0 && !removed.GroupGone)
                    AddReplacementNote(results, removable.Where(s => left.Contains(s.Rule.SecurityGroupRuleId)).SelectMany(s => s.Items),
                        $"The rule is back, but the replacement rule(s) {string.Join(", ", left)} that narrowing added are still there: {removed.Failure?.Message}");
            }
            return Report(plan, results, PlanKind.Restore);
        }

        private static void AddReplacementNote(Dictionary<PlanItem, ItemOutcome> results, IEnumerable<PlanItem> items, string note)
        {
            foreach (var item in items.Distinct())
            {
                var r = results[item];
                r.Error = r.Error == null ? note : r.Error + " " + note;
                r.ErrorId ??= "ReplacementNotRemoved";
            }
        }

        // ------------------------------------------------------------------ verified calls

        private sealed class GrantOutcome : CallOutcome
        {
            public static readonly GrantOutcome Nothing = new GrantOutcome();
            public Dictionary<RuleIdentity, string> Granted { get; } = new Dictionary<RuleIdentity, string>();
            public HashSet<string> Created { get; } = new HashSet<string>(StringComparer.Ordinal);
        }

        /// <summary>Grants in one call; whatever the reply, what is there afterwards is granted, and what is missing is tried again.</summary>
        private GrantOutcome GrantVerified(GroupPlan plan, List<RuleGrant> grants, Dictionary<string, string> tags, string what)
        {
            var outcome = new GrantOutcome();
            var missing = grants;
            for (int round = 1; round <= MaxRounds && missing.Count > 0; round++)
            {
                AwsServiceException? error = null;
                try
                {
                    _verbose?.Invoke($"{_api.Region}: AuthorizeSecurityGroupIngress {plan.GroupId}: {missing.Count} {what}");
                    foreach (var created in _api.AuthorizeIngress(plan.GroupId, missing, tags))
                        if (created.Identity is RuleIdentity id && missing.Any(g => g.Identity.Equals(id)))
                        {
                            outcome.Granted[id] = created.SecurityGroupRuleId;
                            outcome.Created.Add(created.SecurityGroupRuleId);
                        }
                    missing = missing.Where(g => !outcome.Granted.ContainsKey(g.Identity)).ToList();
                    if (missing.Count == 0) break;
                }
                catch (AwsServiceException e) when (IsGroupNotFound(e))
                {
                    outcome.Failure = new FailureInfo("SecurityGroupNotFound", FailureKind.NotFound, $"Security group {plan.GroupId} no longer exists in {plan.Region}.");
                    outcome.Exception = e;
                    return outcome;
                }
                catch (AwsServiceException e) { error = e; }

                // The reply was lost, ambiguous or an error: the group as it is now says what was granted.
                var now = ReadNow(plan, error, out outcome.Failure, out outcome.Exception);
                if (now == null) return outcome;
                foreach (var g in missing)
                {
                    var there = now.ByIdentity(g.Identity);
                    if (there == null) continue;
                    outcome.Granted[g.Identity] = there.SecurityGroupRuleId;
                    // A call EC2 answered with an error created nothing: such a rule was granted by someone else. After a
                    // reply (authorize is atomic: it made them all) or one that never came, a rule with this call's tags is this call's.
                    bool ours = error == null || error.OutcomeUnknown;
                    if (ours && tags.All(t => there.Tags != null && there.Tags.TryGetValue(t.Key, out var v) && v == t.Value)) outcome.Created.Add(there.SecurityGroupRuleId);
                }
                missing = missing.Where(g => !outcome.Granted.ContainsKey(g.Identity)).ToList();
                if (missing.Count > 0 && error != null && !IsDuplicate(error)) return FailedBy(outcome, error, plan);
            }
            if (missing.Count > 0) outcome.Failure = NotVerified(missing.Count, plan, "missing", "AuthorizeSecurityGroupIngress");
            return outcome;
        }

        private sealed class RevokeOutcome : CallOutcome
        {
            public static readonly RevokeOutcome Nothing = new RevokeOutcome();
            public HashSet<string> Revoked { get; } = new HashSet<string>(StringComparer.Ordinal);
            /// <summary>Planned rules that were gone when EC2 answered this run's call with an error: another change removed them.</summary>
            public HashSet<string> RemovedElsewhere { get; } = new HashSet<string>(StringComparer.Ordinal);
            public string? ElsewhereCode;
            public bool GroupGone;
        }

        /// <summary>Revokes by id in one call; after anything but a clear reply, a rule planned from the live group and gone now was revoked.</summary>
        private RevokeOutcome RevokeVerified(GroupPlan plan, List<string> ids, string what)
        {
            var outcome = new RevokeOutcome();
            var pending = ids;
            for (int round = 1; round <= MaxRounds && pending.Count > 0; round++)
            {
                AwsServiceException? error = null;
                try
                {
                    _verbose?.Invoke($"{_api.Region}: RevokeSecurityGroupIngress {plan.GroupId}: {pending.Count} {what}");
                    var revoked = _api.RevokeIngress(plan.GroupId, pending);
                    outcome.Revoked.UnionWith(revoked.Where(pending.Contains));
                    pending = pending.Where(id => !outcome.Revoked.Contains(id)).ToList();
                    if (pending.Count == 0) break;
                }
                catch (AwsServiceException e) when (IsGroupNotFound(e))
                {
                    outcome.GroupGone = true;
                    return outcome;
                }
                catch (AwsServiceException e) { error = e; }

                var now = ReadNow(plan, error, out outcome.Failure, out outcome.Exception);
                if (now == null) return outcome;
                if (!now.Exists)
                {
                    outcome.GroupGone = true;
                    return outcome;
                }
                // A call EC2 answered with an error changed nothing: a planned rule gone by now was removed by someone
                // else after this run read it. Only after a reply that never came may its absence be this call's doing.
                var gone = pending.Where(id => now.ById(id) == null);
                if (error != null && !error.OutcomeUnknown)
                {
                    outcome.RemovedElsewhere.UnionWith(gone);
                    outcome.ElsewhereCode = error.ErrorCode;
                }
                else outcome.Revoked.UnionWith(gone);
                pending = pending.Where(id => now.ById(id) != null).ToList();
                if (pending.Count > 0 && error != null && !IsRuleNotFound(error)) return FailedBy(outcome, error, plan);
            }
            if (pending.Count > 0) outcome.Failure = NotVerified(pending.Count, plan, "there", "RevokeSecurityGroupIngress");
            return outcome;
        }

        // ------------------------------------------------------------------ shared

        private GroupOutcome Report(GroupPlan plan, Dictionary<PlanItem, ItemOutcome> results, PlanKind kind)
        {
            var outcome = new GroupOutcome();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in plan.Items)
            {
                var r = results[item];
                var status = item.Decided ?? r.Status ?? ChangeStatus.Failed;
                var error = item.Decided != null ? item.Reason : r.Error;
                var errorId = item.Decided != null ? item.ErrorId : r.ErrorId;
                var rule = kind == PlanKind.Revoke ? item.CurrentRule with { AuditRunId = RunIdOf(item, plan) } : RestoredRule(item, r);
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
                    outcome.Errors.Add(new ChangeError(errorId, KindOf(errorId, exception), error ?? errorId, change, exception));
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

        private static FailureKind KindOf(string errorId, Exception? e) =>
            e is AwsServiceException a ? AwsErrors.Explain(a, "").Kind
            : errorId == "SecurityGroupNotFound" ? FailureKind.NotFound
            : errorId == "NoReplacementForFamily" || errorId == "ReplacementOutsideList" ? FailureKind.InvalidArgument
            : FailureKind.ServiceError;

        private FailureInfo Explain(AwsServiceException e, GroupPlan plan) => AwsErrors.Explain(e, $"security group {plan.GroupId} in {plan.Region}");

        /// <summary>The group as it is now, after a call whose reply proves nothing; null (and why) when it cannot be read.</summary>
        private LiveGroup? ReadNow(GroupPlan plan, AwsServiceException? callError, out FailureInfo? failure, out Exception? exception)
        {
            failure = null;
            exception = null;
            try { return LiveState.ReadOne(_api, plan.GroupId, _verbose); }
            catch (AwsServiceException e)
            {
                failure = Unverified(e, plan, callError);
                exception = callError ?? e;
                return null;
            }
        }

        private FailureInfo Unverified(AwsServiceException describeError, GroupPlan plan, AwsServiceException? callError)
        {
            var d = Explain(describeError, plan);
            var call = callError == null ? "" : $" The change call had failed too ({callError.ErrorCode}).";
            return new FailureInfo(d.ErrorId, d.Kind,
                $"What happened to {plan.GroupId} in {plan.Region} could not be checked, so it is reported as failed: the rule may or may not have changed; run Get-OpenIngressRule to see.{call} {d.Message}");
        }

        private static bool IsGroupNotFound(AwsServiceException e) => e.ErrorCode == "InvalidGroup.NotFound" || e.ErrorCode == "InvalidGroupId.NotFound";
        private static bool IsRuleNotFound(AwsServiceException e) => e.ErrorCode == "InvalidPermission.NotFound" || e.ErrorCode == "InvalidSecurityGroupRuleId.NotFound";
        private static bool IsDuplicate(AwsServiceException e) => e.ErrorCode == "InvalidPermission.Duplicate";
    }
}
