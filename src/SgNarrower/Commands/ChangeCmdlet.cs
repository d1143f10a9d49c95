using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SgNarrower.Audit;
using SgNarrower.Changes;
using SgNarrower.Completers;
using SgNarrower.Services;

namespace SgNarrower.Commands
{
    /// <summary>
    /// What Revoke-OpenIngressRule and Restore-IngressRule share: regions settled per rule, plans made against the
    /// live groups, a prompt per rule, one batch per group, results and per-group errors written from here.
    /// </summary>
    public abstract class ChangeCmdlet : AwsCmdlet
    {
        /// <summary>The region for rules that do not name one. A rule's own Region always wins.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Region { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected bool IsWhatIf =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter s && s.IsPresent;

        /// <summary>Asks once per rule (unless -Force); -WhatIf always wins and never changes anything.</summary>
        protected bool Approve(string target, string action) => (Force && !IsWhatIf) || ShouldProcess(target, action);

        /// <summary>Settles each rule's region: its own, else -Region, else the default chain's (and remembers which).</summary>
        protected List<ChangeRequest> ToRequests(IAwsSession session, IEnumerable<AuditEntry> entries)
        {
            var requests = new List<ChangeRequest>();
            string? fallback = null;
            foreach (var e in entries)
            {
                if (e.Rule.Region != null)
                {
                    requests.Add(new ChangeRequest(e.Rule, e.Identity, regionFromRule: true, e.Status));
                    continue;
                }
                fallback ??= ResolveRegion(session, Region);
                requests.Add(new ChangeRequest(e.Rule with { Region = fallback }, e.Identity, regionFromRule: false, e.Status));
            }
            return requests;
        }

        /// <summary>Asks about every rule that still needs a change; a declined or -WhatIf rule is Skipped.</summary>
        protected void Confirm(IEnumerable<GroupPlan> plans, Func<PlanItem, string> action)
        {
            foreach (var item in plans.SelectMany(p => p.Pending).ToList())
                if (!Approve(item.Describe(), action(item))) item.Skip(IsWhatIf ? "-WhatIf: nothing was changed." : "Declined at the prompt.");
        }

        /// <summary>Runs the plans group by group, writing each group's results and errors as it finishes.</summary>
        protected void Execute(IAwsSession session, IReadOnlyList<GroupPlan> plans, string activity)
        {
            for (int i = 0; i < plans.Count; i++)
            {
                var plan = plans[i];
                WriteProgress(new ProgressRecord(2, activity, $"{plan.Region} {plan.GroupId}: {plan.Items.Count} rule(s)")
                {
                    PercentComplete = i * 100 / plans.Count,
                    CurrentOperation = $"Group {i + 1} of {plans.Count}",
                });
                IEc2Api api;
                try { api = session.Ec2(plan.Region); }
                catch (AwsSetupException e) { ThrowSetup(e); return; }
                // A plan with nothing left to do makes no call: its outcome was decided against the live group.
                var outcome = new PlanExecutor(api, WriteVerbose).Execute(plan);
                foreach (var e in outcome.Errors)
                    WriteError(Errors.Record(e.ErrorId, Errors.Category(e.Kind), e.Message, e.Target, e.Exception));
                foreach (var c in outcome.Changes) WriteObject(c);
            }
            WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
