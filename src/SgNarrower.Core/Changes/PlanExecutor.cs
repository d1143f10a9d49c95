using System;
using System.Collections.Generic;
using System.Linq;
using SgNarrower.Services;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Runs a group's plan through EC2 and reports what really happened. Statuses come from what EC2 says it did
    /// (the revoked rule ids, the rules it created); where a reply was lost or is ambiguous (a retried call that gets
    /// NotFound or Duplicate, an error of any kind), one more describe of the group decides: a planned rule that was
    /// there before this run's call and is gone after it was revoked; a grant that is there is granted. Grants come
    /// first, so an open rule is removed only once everything that replaces it exists.
    /// </summary>
    public sealed class PlanExecutor
    {
        /// <summary>Calls per step at most: the first, and retries of what a describe shows is still to do.</summary>
        public const int MaxRounds = 3;
        public const int MaxDescriptionLength = 255;

        private readonly IEc2Api _api;
        private readonly Action<string>? _verbose;

        public PlanExecutor(IEc2Api api, Action<string>? verbose = null)
        {
            _api = api;
            _verbose = verbose;
        }

        public GroupOutcome Execute(GroupPlan plan) => plan.Kind == PlanKind.Revoke ? Revoke(plan) : Restore(plan);

        // ------------------------------------------------------------------ revoke and narrow

        private sealed class ItemResult
        {
            public ChangeStatus? Status;
            public string? Error;
            public string? ErrorId;
            public Exception? Exception;
            public List<string> NewRuleIds = new List<string>();
        }

        private sealed class Need
        {
            public Need(RuleIdentity identity) { Identity = identity; }
            public RuleIdentity Identity { get; }
            public List<string> Replaces { get; } = new List<string>();
            public List<string> RunIds { get; } = new List<string>();
            public string? Description;
        }

        private GroupOutcome Revoke(GroupPlan plan)
        {
            var results = plan.Items.ToDictionary(i => i, _ => new ItemResult());
            var pending = plan.Pending.ToList();
            var live = plan.Live;
            var createdByUs = new HashSet<string>(StringComparer.Ordinal);
            var grantedIds = new Dictionary<RuleIdentity, string>();

            // 1. Everything that replaces an open rule exists before the open rule goes.
            var needs = new Dictionary<RuleIdentity, Need>();
            foreach (var item in pending)
                foreach (var source in item.Replacements)
                {
                    var identity = item.Request.Identity.WithSource(source);
                    if (!needs.TryGetValue(identity, out var need)) needs[identity] = need = new Need(identity);
                    need.Replaces.Add(item.Request.Identity.Source + (item.Target != null ? $" ({item.Target.SecurityGroupRuleId})" : ""));
                    need.RunIds.Add(RunIdOf(item, plan));
                }
            var failedNeeds = new Dictionary<RuleIdentity, (FailureInfo Info, Exception? Error)>();
            if (needs.Count > 0)
            {
                var toCreate = new List<Need>();
                var toShare = new List<(SecurityGroupRuleInfo Rule, string Value, Need Need)>();
                foreach (var need in needs.Values)
                {
                    need.Description = Truncate("SgNarrower: replaces " + string.Join(", ", need.Replaces.Distinct()));
                    var existing = live.ByIdentity(need.Identity);
                    if (existing == null) { toCreate.Add(need); continue; }
                    grantedIds[need.Identity] = existing.SecurityGroupRuleId;
                    // A replacement another run added: this run shares it, so that restoring either leaves the other's access.
                    var owners = RuleTags.RunIds(existing.Tags);
                    if (owners.Count > 0 && need.RunIds.Any(r => !owners.Contains(r)))
                        toShare.Add((existing, RuleTags.Join(owners.Concat(need.RunIds)), need));
                }
                foreach (var batch in toCreate.GroupBy(n => RuleTags.Join(n.RunIds)))
                {
                    var grants = batch.Select(n => new RuleGrant(n.Identity, n.Description)).ToList();
                    var outcome = GrantVerified(plan, grants, new Dictionary<string, string> { [RuleTags.Replacement] = batch.Key }, "replacement rule(s)");
                    foreach (var kv in outcome.Granted) grantedIds[kv.Key] = kv.Value;
                    createdByUs.UnionWith(outcome.Created);
                    foreach (var g in grants.Where(g => !outcome.Granted.ContainsKey(g.Identity)))
                        failedNeeds[g.Identity] = (outcome.Failure!, outcome.Exception);
                }
                foreach (var share in toShare)
                {
                    try
                    {
                        _verbose?.Invoke($"{_api.Region}: CreateTags {share.Rule.SecurityGroupRuleId}: {RuleTags.Replacement}={share.Value}");
                        _api.TagRules(new[] { share.Rule.SecurityGroupRuleId }, new Dictionary<string, string> { [RuleTags.Replacement] = share.Value });
                    }
                    catch (AwsServiceException e)
                    {
                        failedNeeds[share.Need.Identity] = (Describe(e, plan), e);
                    }
                }
            }

            var revoking = new List<PlanItem>();
            foreach (var item in pending)
            {
                var failed = item.Replacements.Select(s => item.Request.Identity.WithSource(s)).Where(failedNeeds.ContainsKey).ToList();
                if (failed.Count == 0) { revoking.Add(item); continue; }
                var (info, error) = failedNeeds[failed[0]];
                var r = results[item];
                r.Status = ChangeStatus.Failed;
                r.ErrorId = info.ErrorId;
                r.Error = $"The replacement could not be granted, so the open rule was left in place. {info.Message}";
                r.Exception = error;
            }

            // 2. The open rules, by their live ids, in one call.
            var ids = revoking.Select(i => i.Target!.SecurityGroupRuleId).Distinct(StringComparer.Ordinal).ToList();
            var revoke = ids.Count == 0 ? RevokeOutcome.Nothing : RevokeVerified(plan, ids, "open rule(s)");
            foreach (var item in revoking)
            {
                var r = results[item];
                var id = item.Target!.SecurityGroupRuleId;
                if (revoke.Revoked.Contains(id))
                {
                    r.Status = item.Replacements.Count > 0 ? ChangeStatus.Narrowed : ChangeStatus.Revoked;
                    r.NewRuleIds.AddRange(item.Replacements.Select(s => grantedIds.TryGetValue(item.Request.Identity.WithSource(s), out var nid) ? nid : null)
                        .Where(x => x != null).Select(x => x!));
                }
                else if (revoke.GroupGone)
                {
                    r.Status = ChangeStatus.AlreadyAbsent;
                    r.Error = $"Security group {plan.GroupId} was deleted in {plan.Region} during the run, and its rules with it.";
                }
                else
                {
                    r.Status = ChangeStatus.Failed;
                    r.ErrorId = revoke.Failure!.ErrorId;
                    r.Exception = revoke.Exception;
                    r.Error = (item.Replacements.Count > 0 ? "The open rule is still in place. " : "") + revoke.Failure.Message;
                }
            }

            // 3. Replacements this run created for rules that then could not be revoked are taken back: the group is as it was.
            var stillNeeded = new HashSet<string>(revoking.Where(i => results[i].Status == ChangeStatus.Narrowed).SelectMany(i => results[i].NewRuleIds), StringComparer.Ordinal);
            var undo = revoking.Where(i => results[i].Status == ChangeStatus.Failed)
                .SelectMany(i => i.Replacements.Select(s => grantedIds.TryGetValue(i.Request.Identity.WithSource(s), out var nid) ? nid : null))
                .Where(x => x != null && createdByUs.Contains(x) && !stillNeeded.Contains(x)).Select(x => x!).Distinct().ToList();
            if (undo.Count > 0)
            {
                var back = RevokeVerified(plan, undo, "replacement rule(s) of rules that stay open");
                var note = back.Revoked.Count == undo.Count
                    ? " The replacement rules granted for it were removed again."
                    : $" The replacement rules {string.Join(", ", undo.Where(u => !back.Revoked.Contains(u)))} granted for it could not be removed again; remove them by hand.";
                foreach (var item in revoking.Where(i => results[i].Status == ChangeStatus.Failed)) results[item].Error += note;
            }

            return Report(plan, results, "Revoke");
        }

        private static string RunIdOf(PlanItem item, GroupPlan plan) => item.Request.RecordRunId ?? plan.RunId;

        // ------------------------------------------------------------------ restore

        private GroupOutcome Restore(GroupPlan plan)
        {
            var results = plan.Items.ToDictionary(i => i, _ => new ItemResult());
            var pending = plan.Pending.ToList();

            var toGrant = new Dictionary<RuleIdentity, RuleGrant>();
            foreach (var item in pending.Where(i => i.Target == null))
                if (!toGrant.ContainsKey(item.Request.Identity)) toGrant[item.Request.Identity] = new RuleGrant(item.Request.Identity, item.Request.Rule.Description);
            var grant = toGrant.Count == 0 ? GrantOutcome.Nothing
                : GrantVerified(plan, toGrant.Values.ToList(), new Dictionary<string, string> { [RuleTags.Restored] = plan.RunId }, "rule(s) from the record");

            foreach (var item in pending)
            {
                var r = results[item];
                if (item.Target != null) r.Status = ChangeStatus.AlreadyPresent;
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
                var remaining = RuleTags.RunIds(s.Rule.Tags).Where(id => !s.RunIds.Contains(id)).ToList();
                if (remaining.Count == 0) { revokeIds.Add(s.Rule.SecurityGroupRuleId); continue; }
                try
                {
                    _verbose?.Invoke($"{_api.Region}: CreateTags {s.Rule.SecurityGroupRuleId}: {RuleTags.Replacement}={RuleTags.Join(remaining)} (still another run's replacement)");
                    _api.TagRules(new[] { s.Rule.SecurityGroupRuleId }, new Dictionary<string, string> { [RuleTags.Replacement] = RuleTags.Join(remaining) });
                }
                catch (AwsServiceException e)
                {
                    AddReplacementNote(results, s.Items, $"The replacement {s.Rule.SecurityGroupRuleId} keeps this run in its {RuleTags.Replacement} tag: {Describe(e, plan).Message}");
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
            return Report(plan, results, "Restore");
        }

        private static void AddReplacementNote(Dictionary<PlanItem, ItemResult> results, IEnumerable<PlanItem> items, string note)
        {
            foreach (var item in items.Distinct())
            {
                var r = results[item];
                r.Error = r.Error == null ? note : r.Error + " " + note;
                r.ErrorId ??= "ReplacementNotRemoved";
            }
        }

        // ------------------------------------------------------------------ verified calls

        private sealed class GrantOutcome
        {
            public static readonly GrantOutcome Nothing = new GrantOutcome();
            public Dictionary<RuleIdentity, string> Granted { get; } = new Dictionary<RuleIdentity, string>();
            public HashSet<string> Created { get; } = new HashSet<string>(StringComparer.Ordinal);
            public FailureInfo? Failure;
            public Exception? Exception;
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
                    if (tags.All(t => there.Tags != null && there.Tags.TryGetValue(t.Key, out var v) && v == t.Value)) outcome.Created.Add(there.SecurityGroupRuleId);
                }
                missing = missing.Where(g => !outcome.Granted.ContainsKey(g.Identity)).ToList();
                if (missing.Count > 0 && error != null && !IsDuplicate(error))
                {
                    outcome.Failure = Describe(error, plan);
                    outcome.Exception = error;
                    return outcome;
                }
            }
            if (missing.Count > 0)
                outcome.Failure = new FailureInfo("ChangeNotVerified", FailureKind.ServiceError,
                    $"{missing.Count} rule(s) of {plan.GroupId} in {plan.Region} were still missing after {MaxRounds} AuthorizeSecurityGroupIngress calls; another change to the group may be under way. Run again.");
            return outcome;
        }

        private sealed class RevokeOutcome
        {
            public static readonly RevokeOutcome Nothing = new RevokeOutcome();
            public HashSet<string> Revoked { get; } = new HashSet<string>(StringComparer.Ordinal);
            public bool GroupGone;
            public FailureInfo? Failure;
            public Exception? Exception;
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
                outcome.Revoked.UnionWith(pending.Where(id => now.ById(id) == null));
                pending = pending.Where(id => now.ById(id) != null).ToList();
                if (pending.Count > 0 && error != null && !IsRuleNotFound(error))
                {
                    outcome.Failure = Describe(error, plan);
                    outcome.Exception = error;
                    return outcome;
                }
            }
            if (pending.Count > 0)
                outcome.Failure = new FailureInfo("ChangeNotVerified", FailureKind.ServiceError,
                    $"{pending.Count} rule(s) of {plan.GroupId} in {plan.Region} were still there after {MaxRounds} RevokeSecurityGroupIngress calls; another change to the group may be under way. Run again.");
            return outcome;
        }

        // ------------------------------------------------------------------ shared

        private GroupOutcome Report(GroupPlan plan, Dictionary<PlanItem, ItemResult> results, string action)
        {
            var outcome = new GroupOutcome();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in plan.Items)
            {
                var r = results[item];
                var status = item.Decided ?? r.Status ?? ChangeStatus.Failed;
                var error = item.Decided != null ? item.Reason : r.Error;
                var errorId = item.Decided != null ? item.ErrorId : r.ErrorId;
                var rule = action == "Revoke" ? item.CurrentRule with { AuditRunId = RunIdOf(item, plan) } : RestoredRule(item, r);
                var change = new IngressRuleChange(rule, action, status)
                {
                    Error = error,
                    ErrorId = errorId,
                    ReplacedWith = item.Replacements.Select(s => s.Value).ToList(),
                    NewRuleIds = r.NewRuleIds.ToList(),
                };
                if (item.AuditUri != null) change = change with { AuditUri = item.AuditUri };
                outcome.Changes.Add(change);
                // One error per distinct failure: a group-wide failure is reported once, with the first rule it hit.
                var exception = item.Decided != null ? item.DecisionError : r.Exception;
                if (errorId != null && (status == ChangeStatus.Failed || r.ErrorId == "ReplacementNotRemoved") && reported.Add(errorId + "|" + error))
                    outcome.Errors.Add(new ChangeError(errorId, KindOf(errorId, exception), error ?? errorId, change, exception));
            }
            return outcome;
        }

        private static OpenIngressRule RestoredRule(PlanItem item, ItemResult r)
        {
            var rule = item.Request.Rule;
            if (r.NewRuleIds.Count > 0) return rule with { SecurityGroupRuleId = r.NewRuleIds[0] };
            if (item.Target != null) return rule with { SecurityGroupRuleId = item.Target.SecurityGroupRuleId };
            return rule;
        }

        private static FailureKind KindOf(string errorId, Exception? e) =>
            e is AwsServiceException a ? AwsErrors.Describe(a, "").Kind
            : errorId == "SecurityGroupNotFound" ? FailureKind.NotFound
            : errorId == "NoReplacementForFamily" ? FailureKind.InvalidArgument
            : FailureKind.ServiceError;

        private FailureInfo Describe(AwsServiceException e, GroupPlan plan) => AwsErrors.Describe(e, $"security group {plan.GroupId} in {plan.Region}");

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
            var d = Describe(describeError, plan);
            var call = callError == null ? "" : $" The change call had failed too ({callError.ErrorCode}).";
            return new FailureInfo(d.ErrorId, d.Kind,
                $"What happened to {plan.GroupId} in {plan.Region} could not be checked, so it is reported as failed: the rule may or may not have changed; run Get-OpenIngressRule to see.{call} {d.Message}");
        }

        private static string Truncate(string text) => text.Length > MaxDescriptionLength ? text.Substring(0, MaxDescriptionLength) : text;

        private static bool IsGroupNotFound(AwsServiceException e) => e.ErrorCode == "InvalidGroup.NotFound" || e.ErrorCode == "InvalidGroupId.NotFound";
        private static bool IsRuleNotFound(AwsServiceException e) => e.ErrorCode == "InvalidPermission.NotFound" || e.ErrorCode == "InvalidSecurityGroupRuleId.NotFound";
        private static bool IsDuplicate(AwsServiceException e) => e.ErrorCode == "InvalidPermission.Duplicate";
    }
}
