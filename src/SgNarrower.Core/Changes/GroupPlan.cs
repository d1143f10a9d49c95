namespace SgNarrower.Changes
{
    /// <summary>The changes to one security group, planned against its live rules.</summary>
    public sealed class GroupPlan(PlanKind kind, string? account, string region, string groupId, LiveGroup live, string runId)
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
        public List<PlanItem> Items { get; } = new List<PlanItem>();

        public IEnumerable<PlanItem> Pending => Items.Where(i => i.NeedsChange);
    }
}
