using System.Collections.Generic;
using System.Linq;

namespace SgNarrower.Changes
{
    /// <summary>The changes to one security group, planned against its live rules.</summary>
    public sealed class GroupPlan
    {
        internal GroupPlan(PlanKind kind, string? account, string region, string groupId, LiveGroup live, string runId)
        {
            Kind = kind;
            Account = account;
            Region = region;
            GroupId = groupId;
            Live = live;
            RunId = runId;
        }

        public PlanKind Kind { get; }
        /// <summary>The account the group lives in; null for the caller's own.</summary>
        public string? Account { get; }
        public string Region { get; }
        public Concurrency.Scope Scope => new Concurrency.Scope(Account, Region);
        public string GroupId { get; }
        public LiveGroup Live { get; }
        /// <summary>Revoke: the run id for rules that name no record. Restore: the run id restored rules are tagged with.</summary>
        public string RunId { get; }
        public List<PlanItem> Items { get; } = new List<PlanItem>();

        public IEnumerable<PlanItem> Pending => Items.Where(i => i.NeedsChange);
    }
}
