namespace SgNarrower.Changes
{
    public enum ChangeMessageKind { Plans, Outcome, Verbose, Error }
}
