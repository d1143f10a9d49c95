namespace SgNarrower.Changes
{
    /// <summary>What happened to one group's rules: one result per input rule, in input order, and the errors to report.</summary>
    public sealed class GroupOutcome
    {
        public List<IngressRuleChange> Changes { get; } = new List<IngressRuleChange>();
        public List<ChangeError> Errors { get; } = new List<ChangeError>();
    }
}
