using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>What to plan: revoke (with or without narrowing) or restore, and under which run id.</summary>
    public sealed class PlanOptions
    {
        public PlanOptions(PlanKind kind, string runId)
        {
            Kind = kind;
            RunId = runId;
        }
        public PlanKind Kind { get; }
        public string RunId { get; }
        public ReplacementSet Replacements { get; set; } = ReplacementSet.None;
        public bool KeepReplacements { get; set; }
        /// <summary>Inbound rules a group may hold per address family: EC2's default, or the account's raised quota (-RuleQuota).</summary>
        public int RuleQuota { get; set; } = Changes.RuleQuota.Default;
    }
}
