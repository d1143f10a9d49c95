using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>A security group's ingress rules as EC2 holds them now, looked up by rule id and by identity.</summary>
    public sealed class LiveGroup
    {
        private readonly Dictionary<string, SecurityGroupRuleInfo> _byId = new Dictionary<string, SecurityGroupRuleInfo>(StringComparer.Ordinal);
        private readonly Dictionary<RuleIdentity, SecurityGroupRuleInfo> _byIdentity = new Dictionary<RuleIdentity, SecurityGroupRuleInfo>();

        public LiveGroup(string groupId, bool exists, IEnumerable<SecurityGroupRuleInfo> rules)
        {
            GroupId = groupId;
            Exists = exists;
            Ingress = rules.Where(r => !r.IsEgress).ToList();
            foreach (var r in Ingress)
            {
                _byId[r.SecurityGroupRuleId] = r;
                if (r.Identity is RuleIdentity id) _byIdentity[id] = r;
            }
        }

        public string GroupId { get; }
        /// <summary>False when EC2 does not know the group in this region (deleted, or another region or account).</summary>
        public bool Exists { get; }
        public IReadOnlyList<SecurityGroupRuleInfo> Ingress { get; }

        public SecurityGroupRuleInfo? ById(string? ruleId) => ruleId != null && _byId.TryGetValue(ruleId, out var r) ? r : null;
        public SecurityGroupRuleInfo? ByIdentity(RuleIdentity identity) => _byIdentity.TryGetValue(identity, out var r) ? r : null;

        public static LiveGroup Missing(string groupId) => new LiveGroup(groupId, false, Array.Empty<SecurityGroupRuleInfo>());
    }
}
