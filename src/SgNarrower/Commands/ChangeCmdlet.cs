using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SgNarrower.Audit;
using SgNarrower.Changes;
using SgNarrower.Completers;
using SgNarrower.Concurrency;
using SgNarrower.Services;

namespace SgNarrower.Commands
{
    /// <summary>
    /// What Revoke-OpenIngressRule and Restore-IngressRule share: each rule's region and account settled, plans made
    /// against the live groups (every account and region at once), a prompt per rule on the pipeline thread, one batch
    /// per group, results and errors written as each group finishes.
    /// </summary>
    public abstract class ChangeCmdlet : Ec2Cmdlet
    {
        /// <summary>The region for rules that do not name one. A rule's own Region always wins.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        /// <summary>The account for rules that do not name one (OwnerId). A rule's own OwnerId always wins.</summary>
        [Parameter]
        [ValidatePattern("^[0-9]{12}$")]
        public string? AccountId { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected bool IsWhatIf =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter s && s.IsPresent;

        /// <summary>Asks once per rule (unless -Force); -WhatIf always wins and never changes anything.</summary>
        protected bool Approve(string target, string action) => (Force && !IsWhatIf) || ShouldProcess(target, action);

        /// <summary>Settles each rule's region (its own, else -Region, else the default chain's) and account (its own, else -AccountId).</summary>
        protected List<ChangeRequest> ToRequests(IAwsSession session, IEnumerable<AuditEntry> entries)
        {
            var requests = new List<ChangeRequest>();
            string? fallback = null;
            foreach (var e in entries)
            {
                var rule = e.Rule.OwnerId == null && AccountId != null ? e.Rule with { OwnerId = AccountId } : e.Rule;
                if (rule.Region != null)
                {
                    requests.Add(new ChangeRequest(rule, e.Identity, regionFromRule: true, e.Status) { Replacements = e.Replacements });
                    continue;
                }
                fallback ??= ResolveRegion(session, Region);
                requests.Add(new ChangeRequest(rule with { Region = fallback }, e.Identity, regionFromRule: false, e.Status) { Replacements = e.Replacements });
            }
            return requests;
        }

        /// <summary>Plans every (account, region) scope at once; the plans come back in input order of their groups.</summary>
        protected List<GroupPlan> Plan(AccountSessions accounts, IReadOnlyList<ChangeRequest> requests, PlanOptions options)
        {
            var byScope = requests.GroupBy(r => r.Scope).ToDictionary(g => g.Key, g => (IReadOnlyList<ChangeRequest>)g.ToList());
            var plans = new List<GroupPlan>();
            RunScopes(byScope.Keys.ToList(), (scope, sink) =>
            {
                foreach (var plan in ChangePlanning.PlanScope(scope, () => accounts.For(scope.Account, scope.Region).Ec2(scope.Region),
                             byScope[scope], options, sink.Verbose, accounts.CheckCaller))
                    sink.Write(plan);
            }, o => plans.Add((GroupPlan)o), ScopeError);
            var order = requests.Select((r, i) => (r, i)).GroupBy(x => (x.r.Scope, x.r.GroupId.ToLowerInvariant())).ToDictionary(g => g.Key, g => g.Min(x => x.i));
            return plans.OrderBy(p => order.TryGetValue((p.Scope, p.GroupId.ToLowerInvariant()), out var i) ? i : int.MaxValue).ToList();
        }

        /// <summary>Asks about every rule that still needs a change; a declined or -WhatIf rule is Skipped.</summary>
        protected void Confirm(IEnumerable<GroupPlan> plans, Func<PlanItem, string> action)
        {
            foreach (var item in plans.SelectMany(p => p.Pending).ToList())
                if (!Approve(item.Describe(), action(item))) item.Skip(IsWhatIf ? "-WhatIf: nothing was changed." : "Declined at the prompt.");
        }

        /// <summary>
        /// Runs the plans, every (account, region) scope at once and the groups of one scope one after another (paced
        /// to that scope's buckets), writing each group's results and errors as it finishes.
        /// </summary>
        protected void Execute(AccountSessions accounts, IReadOnlyList<GroupPlan> plans, string activity)
        {
            var byScope = plans.GroupBy(p => p.Scope).ToDictionary(g => g.Key, g => g.ToList());
            int done = 0, changed = 0;
            var written = new HashSet<string>(StringComparer.Ordinal);
            RunScopes(byScope.Keys.ToList(), (scope, sink) =>
            {
                IEc2Api? api = null;
                foreach (var plan in byScope[scope])
                {
                    // A plan with nothing left to do makes no call: its outcome was decided against the live group.
                    if (plan.Pending.Any()) api ??= accounts.For(scope.Account, scope.Region).Ec2(scope.Region);
                    sink.Write(new PlanExecutor(api ?? Idle.Instance, sink.Verbose).Execute(plan));
                }
            },
            o =>
            {
                var outcome = (GroupOutcome)o;
                // A failure of a whole scope (it could not be read, or answered for another scope) fails every group
                // in it: it is one error, however many groups it stopped. Each rule's result still carries it.
                foreach (var e in outcome.Errors)
                    if (written.Add(e.ErrorId + "|" + e.Message))
                        WriteError(Errors.Record(e.ErrorId, Errors.Category(e.Kind), e.Message, e.Target, e.Exception));
                foreach (var c in outcome.Changes)
                {
                    if (c.Status != ChangeStatus.Skipped && c.Status != ChangeStatus.Failed && c.Status != ChangeStatus.AlreadyAbsent && c.Status != ChangeStatus.AlreadyPresent) changed++;
                    WriteObject(c);
                }
                done++;
                WriteProgress(new ProgressRecord(2, activity, $"{done} of {plans.Count} group(s) in {byScope.Count} account-region scope(s), {changed} rule(s) changed")
                {
                    PercentComplete = done * 100 / Math.Max(1, plans.Count),
                });
            }, ScopeError);
            WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }

        /// <summary>Stands in for EC2 where every outcome was decided in planning: a plan with nothing pending calls nothing.</summary>
        private sealed class Idle : IEc2Api
        {
            public static readonly Idle Instance = new Idle();
            public string Region => "";
            private static Exception Never() => new InvalidOperationException("A plan with nothing pending made an EC2 call.");
            public Page<SecurityGroupSnapshot> DescribeSecurityGroups(GroupQuery query, string? nextToken) => throw Never();
            public Page<SecurityGroupRuleInfo> DescribeSecurityGroupRules(IReadOnlyList<string> groupIds, int pageSize, string? nextToken) => throw Never();
            public IReadOnlyList<string> RevokeIngress(string groupId, IReadOnlyList<string> ruleIds) => throw Never();
            public IReadOnlyList<SecurityGroupRuleInfo> AuthorizeIngress(string groupId, IReadOnlyList<RuleGrant> grants, IReadOnlyDictionary<string, string>? tags) => throw Never();
            public void TagRules(IReadOnlyList<string> ruleIds, IReadOnlyDictionary<string, string> tags) => throw Never();
            public void ModifyIngress(string groupId, IReadOnlyList<KeyValuePair<string, RuleGrant>> changes) => throw Never();
            public Page<NetworkInterfaceInfo> DescribeNetworkInterfaces(IReadOnlyList<string> groupIds, string? nextToken) => throw Never();
            public Page<RouteTableInfo> DescribeRouteTables(IReadOnlyList<string> vpcIds, string? nextToken) => throw Never();
            public IReadOnlyList<PrefixListInfo> DescribeManagedPrefixLists(IReadOnlyList<string> prefixListIds) => throw Never();
            public Page<string> GetManagedPrefixListEntries(string prefixListId, string? nextToken) => throw Never();
            public IReadOnlyList<string> DescribeRegions() => throw Never();
        }
    }
}
