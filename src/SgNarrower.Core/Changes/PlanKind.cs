namespace SgNarrower.Changes
{
    public enum PlanKind { Revoke, Restore }
}
