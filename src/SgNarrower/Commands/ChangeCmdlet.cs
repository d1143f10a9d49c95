using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SgNarrower.Aws;
using SgNarrower.Changes;
using SgNarrower.Completers;

namespace SgNarrower.Commands
{
    /// <summary>What Revoke-OpenIngressRule and Restore-IngressRule share: prompts per rule, one batch per group, results.</summary>
    public abstract class ChangeCmdlet : AwsCmdlet
    {
        /// <summary>The region for rules that do not name one.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? Region { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected bool IsWhatIf =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter s && s.IsPresent;

        /// <summary>Asks once per rule (unless -Force); -WhatIf always wins and never changes anything.</summary>
        protected bool Approve(string target, string action) => (Force && !IsWhatIf) || ShouldProcess(target, action);

        /// <summary>Gives every rule its region once: its own, else -Region, else the default chain's.</summary>
        protected void AssignRegions(IEnumerable<OpenIngressRule> rules, IAwsSession session)
        {
            foreach (var rule in rules)
                if (string.IsNullOrWhiteSpace(rule.Region)) rule.Region = ResolveRegion(session, Region);
        }

        /// <summary>Runs a change group by group (one batch per group and region), writing results and per-group errors.
        /// The rules' regions are assigned already (<see cref="AssignRegions"/>).</summary>
        protected void RunByGroup(IAwsSession session, IReadOnlyList<OpenIngressRule> rules, string activity,
            Func<GroupChanges, string, List<OpenIngressRule>, GroupOutcome> change)
        {
            var groups = rules.GroupBy(r => (Region: r.Region!, r.GroupId)).ToList();
            for (int i = 0; i < groups.Count; i++)
            {
                var g = groups[i];
                WriteProgress(new ProgressRecord(2, activity, $"{g.Key.Region} {g.Key.GroupId}: {g.Count()} rule(s)")
                {
                    PercentComplete = i * 100 / groups.Count,
                    CurrentOperation = $"Group {i + 1} of {groups.Count}",
                });
                IEc2Api api;
                try { api = session.Ec2(g.Key.Region); }
                catch (AwsSetupException e)
                {
                    ThrowSetup(e);
                    return;
                }
                var outcome = change(new GroupChanges(api, WriteVerbose), g.Key.GroupId, g.ToList());
                if (outcome.Failure != null)
                    WriteError(Errors.Record(outcome.Failure.ErrorId, Errors.Category(outcome.Failure.Kind), outcome.Failure.Message,
                        outcome.Changes.FirstOrDefault(c => c.Status == ChangeStatus.Failed), outcome.Exception));
                foreach (var c in outcome.Changes) WriteObject(c);
            }
            WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
