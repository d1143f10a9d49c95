using System.Collections.Generic;
using System.Threading;
using SgNarrower.Concurrency;

namespace SgNarrower.Changes
{
    /// <summary>What a change stream hands to the pipeline thread, in the order each scope reports it.</summary>
    public sealed class ChangeMessage
    {
        internal ChangeMessage(ChangeMessageKind kind, Scope scope, object payload, ManualResetEventSlim? approval = null)
        {
            Kind = kind;
            Scope = scope;
            Payload = payload;
            _approval = approval;
        }
        private readonly ManualResetEventSlim? _approval;
        public ChangeMessageKind Kind { get; }
        public Scope Scope { get; }
        /// <summary>Plans: the batch's GroupPlans; Outcome: a GroupOutcome; Verbose: text; Error: the exception.</summary>
        public object Payload { get; }
        public IReadOnlyList<GroupPlan> Plans => (IReadOnlyList<GroupPlan>)Payload;
        public GroupOutcome Outcome => (GroupOutcome)Payload;

        /// <summary>For a batch of plans: confirmed (items declined are Skipped) and recorded; its changes may go out now.</summary>
        public void Approve() => _approval?.Set();
    }
}
