namespace SgNarrower.Changes
{
    /// <summary>
    /// What the pipeline thread answers for a batch of plans: the items not confirmed (and why) and where the others
    /// were recorded. It is handed back to the lane that planned the batch, which alone makes the answered plans from
    /// it (new values): nothing handed from one thread to another is changed.
    /// </summary>
    public sealed record BatchAnswer(IReadOnlyDictionary<PlanItem, string?> Declined, IReadOnlyDictionary<PlanItem, string> RecordedAt)
    {
        /// <summary>The batch's plans with the answer applied: declined items Skipped, recorded ones with where (on the lane's own thread, before anything of it is executed).</summary>
        internal List<GroupPlan> ApplyTo(IEnumerable<GroupPlan> plans) => plans.Select(plan => plan.With(plan.Items.Select(item =>
            Declined.TryGetValue(item, out var reason) ? item.Skip(reason)
            : RecordedAt.TryGetValue(item, out var where) ? item.Recorded(where)
            : item).ToList())).ToList();
    }
}
