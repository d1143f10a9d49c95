using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Runs a group's plan through EC2 and reports what really happened: <see cref="RevokeExecution"/> or
    /// <see cref="RestoreExecution"/>, each call verified by <see cref="VerifiedCalls"/>, the outcomes turned into
    /// results by <see cref="OutcomeReport"/>.
    /// </summary>
    public sealed class PlanExecutor(IEc2Api api, Action<string>? verbose = null)
    {
        private readonly VerifiedCalls _calls = new VerifiedCalls(api, verbose);

        public GroupOutcome Execute(GroupPlan plan) => OutcomeReport.Of(plan, plan.Kind == PlanKind.Revoke
            ? new RevokeExecution(_calls).Run(plan)
            : new RestoreExecution(_calls).Run(plan), plan.Kind);
    }
}
