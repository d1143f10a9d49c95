using System.Threading.Tasks;

namespace SgNarrower.Changes
{
    /// <summary>
    /// A result of a change stream's lane, as a <see cref="Concurrency.WorkerMessage{TResult}"/> carries it: a batch of
    /// plans, which the pipeline thread confirms and records and answers to the lane (<see cref="Approve"/>), or the
    /// outcome of one group's changes.
    /// </summary>
    public sealed class ChangeReport
    {
        private readonly TaskCompletionSource<BatchAnswer>? _answer;

        private ChangeReport(ChangeReportKind kind, IReadOnlyList<GroupPlan> plans, GroupOutcome? outcome, TaskCompletionSource<BatchAnswer>? answer)
        {
            Kind = kind;
            Plans = plans;
            Outcome = outcome;
            _answer = answer;
        }

        public ChangeReportKind Kind { get; }
        /// <summary>Plans: the batch's plans, one per group.</summary>
        public IReadOnlyList<GroupPlan> Plans { get; }
        /// <summary>Outcome: what was done to one group's rules.</summary>
        public GroupOutcome? Outcome { get; }

        internal static ChangeReport OfPlans(IReadOnlyList<GroupPlan> plans, TaskCompletionSource<BatchAnswer> answer) => new ChangeReport(ChangeReportKind.Plans, plans, null, answer);
        internal static ChangeReport OfOutcome(GroupOutcome outcome) => new ChangeReport(ChangeReportKind.Outcome, Array.Empty<GroupPlan>(), outcome, null);

        /// <summary>For a batch of plans: confirmed and recorded, with the answer; its changes may go out now.</summary>
        public void Approve(BatchAnswer answer) => _answer?.TrySetResult(answer);
    }
}
