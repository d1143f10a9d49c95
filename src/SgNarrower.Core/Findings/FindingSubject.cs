using SgNarrower.AwsApi;
using SgNarrower.Reporting;
using SgNarrower.Rules;

namespace SgNarrower.Findings
{
    /// <summary>
    /// One open rule as a finding: its stable id (the same for the rule's whole life, whatever its rule id, so that a
    /// later import updates the finding), its latest state from the input, and the words every format shows.
    /// </summary>
    public sealed class FindingSubject
    {
        public const string GeneratorId = "SgNarrower/open-ingress-rule";
        public const string FindingType = "Software and Configuration Checks/AWS Security Best Practices/Network Reachability";
        private const int MaxDescription = 1024, MaxTitle = 256, MaxRemediation = 512;

        private FindingSubject(ReportRow latest, DateTime createdAt, DateTime updatedAt, string account, string region)
        {
            Latest = latest;
            CreatedAt = createdAt;
            UpdatedAt = updatedAt;
            Account = account;
            Region = region;
            Partition = AwsNames.Partition(region);
            var identity = latest.Entry.Identity;
            GroupArn = $"arn:{Partition}:ec2:{region}:{account}:security-group/{latest.Rule.GroupId}";
            Id = $"{GroupArn}/ingress/{identity.Protocol}/{identity.FromPort.ToString(CultureInfo.InvariantCulture)}/{identity.ToPort.ToString(CultureInfo.InvariantCulture)}/{identity.Source.Value}";
        }

        /// <summary>The row that says where the rule stands now: the latest in time, then in input order.</summary>
        public ReportRow Latest { get; }
        public OpenIngressRule Rule => Latest.Rule;
        public RuleIdentity Identity => Latest.Entry.Identity;
        /// <summary>When the rule was first seen in the input (its earliest record), and when last.</summary>
        public DateTime CreatedAt { get; }
        public DateTime UpdatedAt { get; }
        public string Account { get; }
        public string Region { get; }
        public string Partition { get; }
        public string GroupArn { get; }
        /// <summary>The group's ARN, then the rule's protocol, ports and source: stable while the rule is the rule it is.</summary>
        public string Id { get; }

        public bool IsOpen => RuleRisk.IsOpen(Latest.Entry.Status);
        public FindingSeverity Severity => Latest.Severity;
        public string? Control => Latest.Control;

        /// <summary>PASSED once the open rule is gone; FAILED while it fails a control; WARNING while open on TCP 80 or 443 only.</summary>
        public string ComplianceStatus => !IsOpen ? "PASSED" : Control == null ? "WARNING" : "FAILED";

        /// <summary>The Security Hub control the rule fails while open (aws-foundational-security-best-practices/v/1.0.0/EC2.19), or null.</summary>
        public string? Requirement => RuleRisk.Control(Identity) is string control ? StandardPath + control : null;

        public const string StandardPath = "aws-foundational-security-best-practices/v/1.0.0/";

        /// <summary>
        /// One subject per rule (by account, region, group and identity). Rows without an account or region cannot be
        /// findings (a finding lives in its account and region): they throw FormatException naming the first.
        /// </summary>
        public static List<FindingSubject> Of(IReadOnlyList<ReportRow> rows, DateTime now)
        {
            var missing = rows.Where(r => r.Account.Length == 0 || r.Region.Length == 0).ToList();
            if (missing.Count > 0)
                throw new FormatException($"{missing.Count} rule(s) have no account (OwnerId) or region, starting with {missing[0].Rule}; a finding lives in its account and region. Scan with Get-OpenIngressRule (which sets both), or give records that carry them.");
            DateTime TimeOf(ReportRow r) => r.Run?.RecordedAt ?? now;
            return rows
                .GroupBy(r => (r.Account, r.Region, r.Rule.GroupId, r.Entry.Identity))
                .Select(g =>
                {
                    var latest = g.OrderBy(TimeOf).ThenBy(r => r.Order).Last();
                    return new FindingSubject(latest, g.Min(TimeOf), g.Max(TimeOf), g.Key.Account, g.Key.Region);
                })
                .OrderBy(s => s.Account, StringComparer.Ordinal).ThenBy(s => s.Region, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal)
                .ToList();
        }

        public string Title => Limit($"Security group {Rule.GroupId} allows {Identity.Permission} from {SourceText}", MaxTitle);

        private string SourceText => Rule.PrefixListId != null
            ? $"prefix list {Rule.PrefixListId}{(Rule.OpenEntry != null ? " (" + Rule.OpenEntry + ")" : "")}"
            : Identity.Source.Value;

        public string Description
        {
            get
            {
                var parts = new List<string>();
                var name = Rule.GroupName != null ? $" ({Rule.GroupName})" : "";
                var ruleId = Rule.SecurityGroupRuleId != null ? $" {Rule.SecurityGroupRuleId}" : "";
                parts.Add($"Ingress rule{ruleId} of security group {Rule.GroupId}{name} in account {Account}, {Region}, allows {Identity.Permission} from {SourceText}: open to the whole internet.");
                switch (Rule.Exposure)
                {
                    case ExposureLevel.Public: parts.Add($"An attached network interface is reachable from the internet ({ReportFields.AttachedTo(Latest)})."); break;
                    case ExposureLevel.Private: parts.Add($"Attached ({ReportFields.AttachedTo(Latest)}), but no interface is reachable from the internet."); break;
                    case ExposureLevel.Unattached: parts.Add("No network interface carries the group."); break;
                }
                if (Rule.Recommendation != null)
                {
                    var window = Rule.EvidenceSince != null && Rule.EvidenceUntil != null
                        ? $" from {Rule.EvidenceSince.Value.UtcDateTime:yyyy-MM-dd} to {Rule.EvidenceUntil.Value.UtcDateTime:yyyy-MM-dd}" : "";
                    parts.Add($"Flow logs{window}: {Rule.ObservedSourceCount ?? 0} source(s) reached it; recommendation {Rule.Recommendation}{(Rule.RecommendationReason != null ? ": " + Rule.RecommendationReason : "")}.");
                }
                parts.Add(StatusSentence);
                if (Latest.RecordUri != null) parts.Add($"Recorded in {Latest.RecordUri}.");
                return Limit(string.Join(" ", parts.Where(p => p.Length > 0)), MaxDescription);
            }
        }

        private string StatusSentence
        {
            get
            {
                var e = Latest.Entry;
                var outcome = string.IsNullOrEmpty(Latest.Outcome) ? "" : " " + Latest.Outcome;
                switch (e.Status)
                {
                    case null: return "";
                    case ChangeStatus.Revoked: return "SgNarrower revoked it." + outcome;
                    case ChangeStatus.Narrowed: return $"SgNarrower narrowed it{(e.ReplacedWith != null ? " to " + string.Join(", ", e.ReplacedWith) : "")}." + outcome;
                    case ChangeStatus.AlreadyAbsent: return "It was gone when SgNarrower checked." + outcome;
                    case ChangeStatus.Restored: return "SgNarrower put it back from its record." + outcome;
                    case ChangeStatus.AlreadyPresent: return "It was there when SgNarrower checked before putting it back." + outcome;
                    case ChangeStatus.Skipped: return "Not changed." + outcome;
                    case ChangeStatus.Incomplete: return "A change failed part-way and could not all be taken back: the rule is still open, and rules or tags were left for it." + outcome;
                    case ChangeStatus.Excepted: return "Not changed: an exception lets it stay open." + outcome;
                    default: return "A change failed, and the rule is as it was." + outcome;
                }
            }
        }

        /// <summary>Kept open under an exception that has not ended now: suppressed, with the note. Once it has ended, the finding is new again.</summary>
        public bool Suppressed => IsOpen && Rule.KeptOpenAt(DateTimeOffset.UtcNow);

        /// <summary>The exception's note as a workflow note takes it (at most 512 characters), where an exception names the rule.</summary>
        public string? ExceptionNote => Rule.ExceptionNote == null ? null : Limit(Rule.ExceptionNote, 512);

        public string Remediation
        {
            get
            {
                if (!IsOpen) return $"None needed: the open rule is {Latest.StatusName.ToLowerInvariant()}.";
                var text = Rule.Recommendation switch
                {
                    Recommendation.Narrow when Rule.ReplaceWith != null && Rule.ReplaceWith.Count > 0 =>
                        $"Narrow it to {string.Join(", ", Rule.ReplaceWith)}, which covers every source seen in flow logs (Measure-OpenIngressRule | Revoke-OpenIngressRule).",
                    Recommendation.Revoke => "Revoke it: flow logs show no use (Revoke-OpenIngressRule), after recording it (Export-IngressAudit).",
                    Recommendation.Keep => "It serves the internet widely; keep it only if that is meant, and say why in its description.",
                    _ => "Record it (Export-IngressAudit), then revoke it or narrow it to the sources that need it (Revoke-OpenIngressRule -ReplaceWith); Measure-OpenIngressRule shows who uses it.",
                };
                return Limit(text, MaxRemediation);
            }
        }

        /// <summary>Plain facts a SIEM can filter on: status, rule id, exposure, evidence and the record.</summary>
        public List<KeyValuePair<string, string>> Facts()
        {
            var facts = new List<KeyValuePair<string, string>>();
            void Add(string key, string? value) { if (!string.IsNullOrWhiteSpace(value)) facts.Add(new KeyValuePair<string, string>("SgNarrower/" + key, Limit(value!, 2048))); }
            Add("Status", Latest.StatusName);
            Add("SecurityGroupRuleId", Rule.SecurityGroupRuleId);
            Add("Rule", Rule.Rule);
            Add("Exposure", Rule.Exposure?.ToString());
            Add("Recommendation", Rule.Recommendation?.ToString());
            Add("ReplaceWith", Rule.ReplaceWith == null ? null : string.Join(",", Rule.ReplaceWith));
            Add("ObservedSourceCount", Rule.ObservedSourceCount?.ToString(CultureInfo.InvariantCulture));
            Add("ReplacedWith", Latest.Entry.ReplacedWith == null ? null : string.Join(",", Latest.Entry.ReplacedWith));
            Add("AuditUri", Latest.RecordUri);
            Add("RunId", Latest.RunId);
            return facts;
        }

        public static string Timestamp(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        private static string Limit(string text, int max) => text.Length <= max ? text : text.Substring(0, max - 1) + "…";
    }
}
