using SgNarrower.Rules;

namespace SgNarrower.AwsApi
{
    /// <summary>One ingress rule to grant: what it allows, and its description.</summary>
    public sealed class RuleGrant
    {
        public RuleGrant(RuleIdentity identity, string? description)
        {
            Identity = identity;
            Description = description;
        }
        public RuleIdentity Identity { get; }
        public string? Description { get; }
        public override string ToString() => Identity.ToString();
    }
}
