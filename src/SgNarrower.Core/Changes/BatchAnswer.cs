namespace SgNarrower.Changes
{
    /// <summary>
    /// What the pipeline thread answers for a batch of plans: the items not confirmed (and why) and where the others
    /// were recorded. It is handed back to the lane that planned the batch, which alone changes its items: nothing a
    /// worker handed over is changed on another thread.
    /// </summary>
    public sealed record BatchAnswer(IReadOnlyDictionary<PlanItem, string?> Declined, IReadOnlyDictionary<PlanItem, string> RecordedAt)
    {
        /// <summary>Applies the answer to the batch's items (on the lane's own thread, before anything of it is executed).</summary>
        internal void ApplyTo(IEnumerable<GroupPlan> plans)
        {
            foreach (var item in plans.SelectMany(p => p.Items))
            {
                if (Declined.TryGetValue(item, out var reason)) item.Skip(reason);
                else if (RecordedAt.TryGetValue(item, out var where)) item.Recorded(where);
            }
        }
    }
}
