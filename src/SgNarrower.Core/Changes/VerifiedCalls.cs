using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// EC2's mutating calls for one group, each checked against what EC2 holds afterwards. Statuses come from what EC2
    /// says it did (the revoked rule ids, the rules it created). A call EC2 answered with an error changed nothing: one
    /// more describe shows what someone else changed meanwhile, and what is still to do is tried again. Only where a
    /// reply never came (a dropped connection, a timeout, a 5xx, or an error answering a retry of such a call) does the
    /// describe decide what this run did.
    /// </summary>
    internal sealed class VerifiedCalls(IEc2Api api, Action<string>? verbose)
    {
        /// <summary>CreateTags takes at most 1000 resource ids a call (API Reference, CreateTags).</summary>
        public const int MaxTaggedPerCall = 1000;

        /// <summary>Calls per step at most: the first, and retries of what a describe shows is still to do.</summary>
        public const int MaxRounds = 3;

        public IEc2Api Api { get; } = api;

        public void Say(string text) => verbose?.Invoke($"{Api.Region}: {text}");

        /// <summary>What one verified call did, and why it did not do all it was asked, where it did not.</summary>
        public abstract class Outcome
        {
            public FailureInfo? Failure;
            public Exception? Exception;
            /// <summary>The group was not there (deleted meanwhile).</summary>
            public bool GroupGone;
        }

        public sealed class Granted : Outcome
        {
            public static readonly Granted Nothing = new Granted();
            /// <summary>Every rule asked for that is there now, by identity: this call's or someone else's.</summary>
            public Dictionary<RuleIdentity, string> Ids { get; } = new Dictionary<RuleIdentity, string>();
            /// <summary>The rules this call created.</summary>
            public HashSet<string> Created { get; } = new HashSet<string>(StringComparer.Ordinal);
        }

        public sealed class Revoked : Outcome
        {
            public static readonly Revoked Nothing = new Revoked();
            public HashSet<string> Ids { get; } = new HashSet<string>(StringComparer.Ordinal);
            /// <summary>Planned rules that were gone when EC2 answered this run's call with an error: another change removed them.</summary>
            public HashSet<string> RemovedElsewhere { get; } = new HashSet<string>(StringComparer.Ordinal);
            public string? ElsewhereCode;
        }

        public sealed class Modified : Outcome
        {
            public HashSet<string> Ids { get; } = new HashSet<string>(StringComparer.Ordinal);
        }

        /// <summary>Grants in one call; whatever the reply, what is there afterwards is granted, and what is missing is tried again.</summary>
        public Granted Grant(GroupPlan plan, List<RuleGrant> grants, IReadOnlyDictionary<string, string> tags, string what)
        {
            var outcome = new Granted();
            var missing = grants;
            return Rounds(plan, outcome, "missing", "AuthorizeSecurityGroupIngress", () => missing.Count,
                call: () =>
                {
                    Say($"AuthorizeSecurityGroupIngress {plan.GroupId}: {missing.Count} {what}");
                    foreach (var created in Api.AuthorizeIngress(plan.GroupId, missing, tags))
                        if (created.Identity is RuleIdentity id && missing.Any(g => g.Identity.Equals(id)))
                        {
                            outcome.Ids[id] = created.SecurityGroupRuleId;
                            outcome.Created.Add(created.SecurityGroupRuleId);
                        }
                    missing = missing.Where(g => !outcome.Ids.ContainsKey(g.Identity)).ToList();
                },
                settle: (now, error) =>
                {
                    foreach (var g in missing)
                    {
                        var there = now.ByIdentity(g.Identity);
                        if (there == null) continue;
                        outcome.Ids[g.Identity] = there.SecurityGroupRuleId;
                        // A call EC2 answered with an error created nothing: such a rule was granted by someone else. After a
                        // reply (authorize is atomic: it made them all) or one that never came, a rule with this call's tags is this call's.
                        bool ours = error == null || error.OutcomeUnknown;
                        if (ours && tags.All(t => there.Tags != null && there.Tags.TryGetValue(t.Key, out var v) && v == t.Value)) outcome.Created.Add(there.SecurityGroupRuleId);
                    }
                    missing = missing.Where(g => !outcome.Ids.ContainsKey(g.Identity)).ToList();
                },
                expected: IsDuplicate);
        }

        /// <summary>Revokes by id in one call; after anything but a clear reply, a rule planned from the live group and gone now was revoked.</summary>
        public Revoked Revoke(GroupPlan plan, List<string> ids, string what)
        {
            var outcome = new Revoked();
            var pending = ids;
            return Rounds(plan, outcome, "there", "RevokeSecurityGroupIngress", () => pending.Count,
                call: () =>
                {
                    Say($"RevokeSecurityGroupIngress {plan.GroupId}: {pending.Count} {what}");
                    outcome.Ids.UnionWith(Api.RevokeIngress(plan.GroupId, pending).Where(pending.Contains));
                    pending = pending.Where(id => !outcome.Ids.Contains(id)).ToList();
                },
                settle: (now, error) =>
                {
                    // A call EC2 answered with an error changed nothing: a planned rule gone by now was removed by someone
                    // else after this run read it. Only after a reply that never came may its absence be this call's doing.
                    var gone = pending.Where(id => now.ById(id) == null);
                    if (error != null && !error.OutcomeUnknown)
                    {
                        outcome.RemovedElsewhere.UnionWith(gone);
                        outcome.ElsewhereCode = error.ErrorCode;
                    }
                    else outcome.Ids.UnionWith(gone);
                    pending = pending.Where(id => now.ById(id) != null).ToList();
                },
                expected: IsRuleNotFound);
        }

        /// <summary>Edits rules in place in one call; after anything but a clear reply, a rule that allows what it should now is changed.</summary>
        public Modified Modify(GroupPlan plan, List<KeyValuePair<string, RuleGrant>> changes, string what)
        {
            var outcome = new Modified();
            AwsServiceException? callError = null;
            try
            {
                Say($"ModifySecurityGroupRules {plan.GroupId}: {changes.Count} {what}");
                Api.ModifyIngress(plan.GroupId, changes);
                foreach (var c in changes) outcome.Ids.Add(c.Key);
                return outcome;
            }
            catch (AwsServiceException e) { callError = e; }
            // EC2 answered with an error: the call changed nothing (it is atomic), whatever the rules look like now.
            if (!callError.OutcomeUnknown) return FailedBy(outcome, callError, plan);
            var now = ReadNow(plan, callError, outcome);
            if (now == null) return outcome;
            foreach (var c in changes)
                if (now.ById(c.Key) is SecurityGroupRuleInfo rule && rule.Identity is RuleIdentity id && id.Equals(c.Value.Identity)
                    && string.Equals(rule.Description ?? "", c.Value.Description ?? "", StringComparison.Ordinal)) outcome.Ids.Add(c.Key);
            return outcome.Ids.Count < changes.Count ? FailedBy(outcome, callError, plan) : outcome;
        }

        /// <summary>CreateTags on rules, at most 1000 ids a call. Throws AwsServiceException.</summary>
        public void Tag(IReadOnlyList<string> ruleIds, IReadOnlyDictionary<string, string> tags, string why)
        {
            foreach (var chunk in Paging.Chunk(ruleIds, MaxTaggedPerCall))
            {
                Say($"CreateTags {chunk.Count} rule(s): {string.Join(", ", tags.Select(t => t.Key + "=" + t.Value))} ({why})");
                Api.TagRules(chunk, tags);
            }
        }

        /// <summary>
        /// The one loop of a verified call: call; where the reply proves nothing, or EC2 refused, read the group and
        /// settle what happened; try again what is still to do, at most <see cref="MaxRounds"/> calls. An error other
        /// than the one a retry expects (Duplicate after a grant, NotFound after a revoke) ends it with that error.
        /// </summary>
        private T Rounds<T>(GroupPlan plan, T outcome, string state, string action, Func<int> remaining, Action call,
            Action<LiveGroup, AwsServiceException?> settle, Func<AwsServiceException, bool> expected) where T : Outcome
        {
            for (int round = 1; round <= MaxRounds && remaining() > 0; round++)
            {
                AwsServiceException? error = null;
                try
                {
                    call();
                    if (remaining() == 0) break;
                }
                catch (AwsServiceException e) when (IsGroupNotFound(e))
                {
                    return GroupGone(outcome, plan, e);
                }
                catch (AwsServiceException e) { error = e; }

                var now = ReadNow(plan, error, outcome);
                if (now == null) return outcome;
                if (!now.Exists) return GroupGone(outcome, plan, null);
                settle(now, error);
                if (remaining() > 0 && error != null && !expected(error)) return FailedBy(outcome, error, plan);
            }
            if (remaining() > 0)
                outcome.Failure = new FailureInfo("ChangeNotVerified", FailureKind.ServiceError,
                    $"{remaining()} rule(s) of {plan.GroupId} in {plan.Region} were still {state} after {MaxRounds} {action} calls; another change to the group may be under way. Run again.");
            return outcome;
        }

        private static T GroupGone<T>(T outcome, GroupPlan plan, Exception? error) where T : Outcome
        {
            outcome.GroupGone = true;
            outcome.Failure = new FailureInfo("SecurityGroupNotFound", FailureKind.NotFound, $"Security group {plan.GroupId} no longer exists in {plan.Region}.");
            outcome.Exception = error;
            return outcome;
        }

        /// <summary>The call's own error is why the outcome falls short.</summary>
        private T FailedBy<T>(T outcome, AwsServiceException error, GroupPlan plan) where T : Outcome
        {
            outcome.Failure = Explain(error, plan);
            outcome.Exception = error;
            return outcome;
        }

        public FailureInfo Explain(AwsServiceException e, GroupPlan plan) => AwsErrors.Explain(e, $"security group {plan.GroupId} in {plan.Region}");

        /// <summary>The group as it is now, after a call whose reply proves nothing; null (and why, in the outcome) when it cannot be read.</summary>
        private LiveGroup? ReadNow(GroupPlan plan, AwsServiceException? callError, Outcome outcome)
        {
            try { return LiveState.ReadOne(Api, plan.GroupId, verbose); }
            catch (AwsServiceException e)
            {
                var d = Explain(e, plan);
                var call = callError == null ? "" : $" The change call had failed too ({callError.ErrorCode}).";
                outcome.Failure = new FailureInfo(d.ErrorId, d.Kind,
                    $"What happened to {plan.GroupId} in {plan.Region} could not be checked, so it is reported as failed: the rule may or may not have changed; run Get-OpenIngressRule to see.{call} {d.Message}");
                outcome.Exception = callError ?? e;
                return null;
            }
        }

        private static bool IsGroupNotFound(AwsServiceException e) => e.ErrorCode == "InvalidGroup.NotFound" || e.ErrorCode == "InvalidGroupId.NotFound";
        private static bool IsRuleNotFound(AwsServiceException e) => e.ErrorCode == "InvalidPermission.NotFound" || e.ErrorCode == "InvalidSecurityGroupRuleId.NotFound";
        private static bool IsDuplicate(AwsServiceException e) => e.ErrorCode == "InvalidPermission.Duplicate";
    }
}
