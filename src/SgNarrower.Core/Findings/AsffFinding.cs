using SgNarrower.Rules;

namespace SgNarrower.Findings
{
    /// <summary>
    /// An open rule as an AWS Security Finding Format finding (AwsSecurityFinding, schema 2018-10-08) for Security
    /// Hub's BatchImportFindings: the group as an AwsEc2SecurityGroup resource with the rule's permission, severity
    /// from <see cref="Reporting.RuleRisk"/>, the control the rule fails in Compliance.RelatedRequirements, and the
    /// state: FAILED/NEW/ACTIVE while open (WARNING for TCP 80 or 443, which EC2.18 authorizes), PASSED/RESOLVED/ARCHIVED
    /// once revoked, narrowed or found gone. Severity and Types go in FindingProviderFields too, where Security Hub
    /// takes a provider's updates to them.
    /// </summary>
    public static class AsffFinding
    {
        public const string SchemaVersion = "2018-10-08";

        public static string ProductArn(string partition, string region, string account) =>
            $"arn:{partition}:securityhub:{region}:{account}:product/{account}/default";

        public static List<KeyValuePair<string, object?>> Build(FindingSubject s)
        {
            var severity = s.Severity.ToString().ToUpperInvariant();
            var types = new List<string> { FindingSubject.FindingType };
            var f = new List<KeyValuePair<string, object?>>();
            void Add(string key, object? value) => f.Add(new KeyValuePair<string, object?>(key, value));
            Add("SchemaVersion", SchemaVersion);
            Add("Id", s.Id);
            Add("ProductArn", ProductArn(s.Partition, s.Region, s.Account));
            Add("GeneratorId", FindingSubject.GeneratorId);
            Add("AwsAccountId", s.Account);
            Add("Types", types);
            Add("CreatedAt", FindingSubject.Timestamp(s.CreatedAt));
            Add("UpdatedAt", FindingSubject.Timestamp(s.UpdatedAt));
            Add("Severity", Obj(("Label", severity), ("Original", severity)));
            Add("Title", s.Title);
            Add("Description", s.Description);
            Add("Remediation", Obj(("Recommendation", Obj(("Text", s.Remediation)))));
            var facts = s.Facts();
            if (facts.Count > 0) Add("ProductFields", facts);
            Add("Resources", new List<object?> { Resource(s) });
            var compliance = Obj(("Status", s.ComplianceStatus));
            if (s.Requirement != null) compliance.Add(new KeyValuePair<string, object?>("RelatedRequirements", new List<string> { s.Requirement }));
            Add("Compliance", compliance);
            // An open rule under a live exception is SUPPRESSED with its note (whose, why, until when); when the exception
            // has ended the finding is NEW again, and the note says whose ended when.
            var workflow = Obj(("Status", s.Suppressed ? "SUPPRESSED" : s.IsOpen ? "NEW" : "RESOLVED"));
            Add("Workflow", workflow);
            if (s.ExceptionNote != null)
                Add("Note", Obj(("Text", s.ExceptionNote), ("UpdatedBy", "SgNarrower"), ("UpdatedAt", FindingSubject.Timestamp(s.UpdatedAt))));
            Add("RecordState", s.IsOpen ? "ACTIVE" : "ARCHIVED");
            Add("FindingProviderFields", Obj(("Severity", Obj(("Label", severity), ("Original", severity))), ("Types", types)));
            return f;
        }

        private static List<KeyValuePair<string, object?>> Resource(FindingSubject s)
        {
            var rule = s.Rule;
            var group = new List<KeyValuePair<string, object?>>();
            void Add(string key, object? value) { if (value != null) group.Add(new KeyValuePair<string, object?>(key, value)); }
            Add("GroupName", string.IsNullOrWhiteSpace(rule.GroupName) ? null : rule.GroupName);
            Add("GroupId", rule.GroupId);
            Add("OwnerId", s.Account);
            Add("VpcId", string.IsNullOrWhiteSpace(rule.VpcId) ? null : rule.VpcId);
            Add("IpPermissions", new List<object?> { Permission(s.Identity) });

            var resource = new List<KeyValuePair<string, object?>>
            {
                new KeyValuePair<string, object?>("Type", "AwsEc2SecurityGroup"),
                new KeyValuePair<string, object?>("Id", s.GroupArn),
                new KeyValuePair<string, object?>("Partition", s.Partition),
                new KeyValuePair<string, object?>("Region", s.Region),
            };
            // Security Hub takes at most 50 tags, none empty.
            var tags = (rule.GroupTags ?? new Dictionary<string, string>())
                .Where(t => !string.IsNullOrWhiteSpace(t.Key) && !string.IsNullOrWhiteSpace(t.Value)).Take(50).ToList();
            if (tags.Count > 0) resource.Add(new KeyValuePair<string, object?>("Tags", tags));
            resource.Add(new KeyValuePair<string, object?>("Details", Obj(("AwsEc2SecurityGroup", group))));
            return resource;
        }

        /// <summary>The rule as EC2 writes a permission: ports only where the protocol has them (ICMP: type and code).</summary>
        private static List<KeyValuePair<string, object?>> Permission(RuleIdentity identity)
        {
            var p = new List<KeyValuePair<string, object?>> { new KeyValuePair<string, object?>("IpProtocol", identity.Protocol) };
            var kind = identity.Kind;
            if (kind == ProtocolKind.Tcp || kind == ProtocolKind.Udp || kind == ProtocolKind.Icmp || kind == ProtocolKind.Icmpv6)
            {
                p.Add(new KeyValuePair<string, object?>("FromPort", identity.FromPort));
                p.Add(new KeyValuePair<string, object?>("ToPort", identity.ToPort));
            }
            var source = identity.Source;
            switch (source.Kind)
            {
                case SourceKind.Ipv4Cidr: p.Add(new KeyValuePair<string, object?>("IpRanges", new List<object?> { Obj(("CidrIp", source.Value)) })); break;
                case SourceKind.Ipv6Cidr: p.Add(new KeyValuePair<string, object?>("Ipv6Ranges", new List<object?> { Obj(("CidrIpv6", source.Value)) })); break;
                case SourceKind.PrefixList: p.Add(new KeyValuePair<string, object?>("PrefixListIds", new List<object?> { Obj(("PrefixListId", source.Value)) })); break;
            }
            return p;
        }

        internal static List<KeyValuePair<string, object?>> Obj(params (string Key, object? Value)[] members) =>
            members.Select(m => new KeyValuePair<string, object?>(m.Key, m.Value)).ToList();
    }
}
