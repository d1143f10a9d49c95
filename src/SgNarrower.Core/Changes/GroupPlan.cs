namespace SgNarrower.Changes
{
    /// <summary>The changes to one security group, planned against its live rules. A value: a later decision is a new plan (<see cref="With"/>).</summary>
    public sealed class GroupPlan(PlanKind kind, string? account, string region, string groupId, LiveGroup live, string runId, IReadOnlyList<PlanItem> items)
    {
        public PlanKind Kind { get; } = kind;
        /// <summary>The account the group lives in; null for the caller's own.</summary>
        public string? Account { get; } = account;
        public string Region { get; } = region;
        public Concurrency.Scope Scope => new Concurrency.Scope(Account, Region);
        public string GroupId { get; } = groupId;
        public LiveGroup Live { get; } = live;
        /// <summary>Revoke: the run id for rules that name no record. Restore: the run id restored rules are tagged with.</summary>
        public string RunId { get; } = runId;
        public IReadOnlyList<PlanItem> Items { get; } = items;

        /// <summary>This plan with its items decided further.</summary>
        internal GroupPlan With(IReadOnlyList<PlanItem> items) => new GroupPlan(Kind, Account, Region, GroupId, Live, RunId, items);

        /// <summary>This plan with each pending item replaced by what <paramref name="next"/> makes of it.</summary>
        internal GroupPlan WithPending(Func<PlanItem, PlanItem> next) => With(Items.Select(i => i.NeedsChange ? next(i) : i).ToList());

        public IEnumerable<PlanItem> Pending => Items.Where(i => i.NeedsChange);
    }
}
