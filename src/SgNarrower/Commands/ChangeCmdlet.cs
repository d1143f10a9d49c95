using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Changes;
using SgNarrower.Completers;

namespace SgNarrower.Commands
{
    /// <summary>
    /// What Revoke-OpenIngressRule and Restore-IngressRule share: each rule's region and account settled, plans made
    /// against the live groups in batches (every account and region at once, ahead of the changes), a prompt per rule
    /// on the pipeline thread, one batch of calls per group, results and errors written as each group finishes.
    /// </summary>
    public abstract class ChangeCmdlet : Ec2Cmdlet, IDisposable
    {
        /// <summary>The region for rules that do not name one. A rule's own Region always wins.</summary>
        [Parameter, ArgumentCompleter(typeof(RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        /// <summary>The account for rules that do not name one (OwnerId). A rule's own OwnerId always wins.</summary>
        [Parameter, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? AccountId { get; set; }

        /// <summary>
        /// Inbound rules a group may hold per address family: EC2's default of 60, or the account's raised quota
        /// (Service Quotas L-0EA8095F). A change that would take a group past it is refused before anything is granted.
        /// </summary>
        [Parameter, ValidateRange(1, Changes.RuleQuota.Most)]
        public int RuleQuota { get; set; } = Changes.RuleQuota.Default;

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
                    requests.Add(new ChangeRequest(rule, e.Identity, RegionFromRule: true, e.Status) { Replacements = e.Replacements });
                    continue;
                }
                fallback ??= ResolveRegion(session, Region);
                requests.Add(new ChangeRequest(rule with { Region = fallback }, e.Identity, RegionFromRule: false, e.Status) { Replacements = e.Replacements });
            }
            return requests;
        }

        private ChangeStream? _stream;
        private readonly HashSet<string> _writtenErrors = new HashSet<string>(StringComparer.Ordinal);
        private int _doneGroups, _changedRules;

        /// <summary>
        /// The change stream of this command: every (account, region) scope at once, planned in batches of up to 200
        /// groups ahead of the changes, which go out as soon as a batch is confirmed and recorded.
        /// </summary>
        protected ChangeStream OpenStream(AccountSessions accounts, PlanOptions options) =>
            _stream ??= new ChangeStream(scope => accounts.For(scope.Account, scope.Region).Ec2(scope.Region), options, ThrottleLimit, accounts.CheckCaller, StopToken);

        protected ChangeStream? Stream => _stream;

        /// <summary>
        /// Handles what the stream reports, on the pipeline thread: a batch of plans is confirmed (declined and -WhatIf
        /// rules are Skipped), recorded by <paramref name="record"/> (which stops the command if it cannot), then
        /// released; each group's results and errors are written as it finishes. <paramref name="wait"/>: until the
        /// stream has finished, else only what is there now.
        /// </summary>
        protected void Pump(bool wait, Func<PlanItem, string> action, Func<IReadOnlyList<PlanItem>, string?>? record, string activity)
        {
            if (_stream == null) return;
            try
            {
                _stream.Drain(wait, new ChangeHandlers
                {
                    // Asks about every rule that still needs a change; a declined or -WhatIf rule is Skipped.
                    Confirm = item => Approve(item.PromptText(), action(item)) ? null : IsWhatIf ? "-WhatIf: nothing was changed." : "Declined at the prompt.",
                    Record = items => record?.Invoke(items),
                    Outcome = outcome => Write(outcome, activity),
                    Verbose = WriteVerbose,
                    Error = (scope, e) => WriteError(ScopeError(scope, e)),
                });
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                // Stopped (Ctrl+C): the lanes finish the call in hand and make no new one.
            }
            if (wait) WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }

        private void Write(GroupOutcome outcome, string activity)
        {
            // A failure of a whole scope (it could not be read, or answered for another scope) fails every group
            // in it: it is one error, however many groups it stopped. Each rule's result still carries it.
            foreach (var e in outcome.Errors)
                if (_writtenErrors.Add(e.ErrorId + "|" + e.Message))
                    WriteError(Errors.Record(e.ErrorId, Errors.Category(e.Kind), e.Message, e.Target, e.Exception));
            foreach (var c in outcome.Changes)
            {
                if (c.Status != ChangeStatus.Skipped && c.Status != ChangeStatus.Failed && c.Status != ChangeStatus.AlreadyAbsent && c.Status != ChangeStatus.AlreadyPresent) _changedRules++;
                WriteObject(c);
            }
            _doneGroups++;
            int planned = Math.Max(_doneGroups, _stream?.PlannedGroups ?? 0);
            WriteProgress(new ProgressRecord(2, activity, $"{_doneGroups} of {planned} group(s) planned so far, {_changedRules} rule(s) changed")
            {
                PercentComplete = _doneGroups * 100 / Math.Max(1, planned),
            });
        }

        public void Dispose()
        {
            _stream?.Dispose();
            _stream = null;
            DisposeSession();
        }

        /// <summary>The session a change command keeps open while its stream runs.</summary>
        protected virtual void DisposeSession() { }
    }
}
