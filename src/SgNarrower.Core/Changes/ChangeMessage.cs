using System.Threading;
using System.Threading.Tasks;
using SgNarrower.Concurrency;

namespace SgNarrower.Changes
{
    /// <summary>What a change stream hands to the pipeline thread, in the order each scope reports it.</summary>
    public sealed class ChangeMessage(ChangeMessageKind kind, Scope scope, object payload, TaskCompletionSource<BatchAnswer>? answer = null)
    {
        public ChangeMessageKind Kind { get; } = kind;
        public Scope Scope { get; } = scope;
        /// <summary>Plans: the batch's GroupPlans; Outcome: a GroupOutcome; Verbose: text; Error: the exception.</summary>
        public object Payload { get; } = payload;
        public IReadOnlyList<GroupPlan> Plans => (IReadOnlyList<GroupPlan>)Payload;
        public GroupOutcome Outcome => (GroupOutcome)Payload;

        /// <summary>For a batch of plans: confirmed and recorded, with the answer; its changes may go out now.</summary>
        public void Approve(BatchAnswer answer) => this.answer?.TrySetResult(answer);

        private readonly TaskCompletionSource<BatchAnswer>? answer = answer;
    }
}
