namespace SgNarrower.Changes
{
    /// <summary>What a change stream's result is: a batch of plans to confirm and record, or a group's outcome.</summary>
    public enum ChangeReportKind { Plans, Outcome }
}
