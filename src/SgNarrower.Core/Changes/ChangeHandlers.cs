using SgNarrower.Concurrency;

namespace SgNarrower.Changes
{
    /// <summary>
    /// What the caller of a change stream does with what it reports, on the caller's thread: confirm each planned
    /// change, record a batch before its changes go out, and, as for scans and evidence, show results (each group's
    /// outcome), notes and failures. The stream knows nothing of who asks or writes (a cmdlet, a test).
    /// </summary>
    public sealed class ChangeHandlers : WorkerHandlers<GroupOutcome>
    {
        /// <summary>Asks about one planned change: null to go ahead, or why it is skipped (declined, -WhatIf).</summary>
        public Func<PlanItem, string?> Confirm { get; set; } = _ => null;

        /// <summary>
        /// Records the confirmed changes of a batch that no record holds as they are now (<see cref="PlanItem.NeedsRecord"/>)
        /// durably, before any change of the batch goes out, and says where (null: not recorded, as with -SkipAudit);
        /// throws when it cannot, and then nothing of the batch changes.
        /// </summary>
        public Func<IReadOnlyList<PlanItem>, string?> Record { get; set; } = _ => null;
    }
}
