using SgNarrower.AwsApi;
using SgNarrower.Changes;

namespace SgNarrower.Commands
{
    /// <summary>
    /// The host side of a change stream, for Revoke-OpenIngressRule and Restore-IngressRule: on the pipeline thread, each
    /// batch of plans is confirmed (declined and -WhatIf rules are Skipped) and recorded before its changes go out, and
    /// each group's results and errors are written as it finishes, with progress. It writes through the delegates the
    /// cmdlet hands it, so that it holds no cmdlet.
    /// </summary>
    internal sealed class ChangePump : IDisposable
    {
        /// <summary>What the pump writes with and asks with: the cmdlet's own methods.</summary>
        public sealed class Host
        {
            public Func<string, string, bool> Approve { get; set; } = (_, _) => false;
            public Func<bool> IsWhatIf { get; set; } = () => false;
            public Action<object> WriteObject { get; set; } = _ => { };
            public Action<ErrorRecord> WriteError { get; set; } = _ => { };
            public Action<string> WriteVerbose { get; set; } = _ => { };
            public Action<string> WriteWarning { get; set; } = _ => { };
            public Action<ProgressRecord> WriteProgress { get; set; } = _ => { };
        }

        private readonly Host _host;
        private readonly System.Threading.CancellationToken _stop;
        private readonly HashSet<string> _writtenErrors = new HashSet<string>(StringComparer.Ordinal);
        private int _doneGroups, _changedRules;

        /// <summary>
        /// The change stream: every (account, region) scope at once (at most <paramref name="throttleLimit"/>), planned in
        /// batches of up to 200 groups ahead of the changes, which go out as soon as a batch is confirmed and recorded.
        /// </summary>
        public ChangePump(AccountSessions accounts, PlanOptions options, int throttleLimit, Host host, System.Threading.CancellationToken stop)
        {
            _host = host;
            _stop = stop;
            Stream = new ChangeStream(scope => accounts.For(scope.Account, scope.Region).Ec2(scope.Region), options, throttleLimit, accounts.CheckCaller, stop);
        }

        public ChangeStream Stream { get; }

        /// <summary>
        /// Handles what the stream reports: a batch of plans is confirmed, recorded by <paramref name="record"/> (which
        /// stops the command if it cannot), then released; each group's results and errors are written as it finishes.
        /// <paramref name="wait"/>: until the stream has finished, else only what is there now.
        /// </summary>
        public void Pump(bool wait, Func<PlanItem, string> action, Func<IReadOnlyList<PlanItem>, string?>? record, string activity)
        {
            try
            {
                Stream.Drain(wait, new ChangeHandlers
                {
                    // Asks about every rule that still needs a change; a declined or -WhatIf rule is Skipped.
                    Confirm = item => _host.Approve(item.PromptText(), action(item)) ? null : _host.IsWhatIf() ? "-WhatIf: nothing was changed." : "Declined at the prompt.",
                    Record = items => record?.Invoke(items),
                    Result = outcome => Write(outcome, activity),
                    Verbose = _host.WriteVerbose,
                    Warning = _host.WriteWarning,
                    Failure = f => _host.WriteError(Errors.Failure(f)),
                });
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped (Ctrl+C): the lanes finish the calls in hand and make no new one.
            }
            if (wait) _host.WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }

        private void Write(GroupOutcome outcome, string activity)
        {
            // A failure of a whole scope (it could not be read, or answered for another scope) fails every group
            // in it: it is one error, however many groups it stopped. Each rule's result still carries it.
            foreach (var e in outcome.Errors)
                if (_writtenErrors.Add(e.ErrorId + "|" + e.Message))
                    _host.WriteError(Errors.Record(e.ErrorId, Errors.Category(e.Kind), e.Message, e.Target, e.Exception));
            foreach (var c in outcome.Changes)
            {
                if (c.Status != ChangeStatus.Skipped && c.Status != ChangeStatus.Failed && c.Status != ChangeStatus.AlreadyAbsent && c.Status != ChangeStatus.AlreadyPresent) _changedRules++;
                _host.WriteObject(c);
            }
            _doneGroups++;
            int planned = Math.Max(_doneGroups, Stream.PlannedGroups);
            _host.WriteProgress(new ProgressRecord(2, activity, $"{_doneGroups} of {planned} group(s) planned so far, {_changedRules} rule(s) changed")
            {
                PercentComplete = _doneGroups * 100 / Math.Max(1, planned),
            });
        }

        public void Dispose() => Stream.Dispose();
    }
}
