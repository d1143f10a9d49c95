using SgNarrower.AwsApi;
using SgNarrower.Rules;
using static SgNarrower.Audit.FieldValues;

namespace SgNarrower.Audit
{
    /// <summary>
    /// The one table of a rule's fields, in record order: how each is read from input and put into a rule, what our own
    /// rule objects give for it, and what a record writes. Pipeline input, records (columns, JSON members, formula
    /// escaping) and the reading of our own objects all come from it: a new field is one entry here (and its property).
    /// </summary>
    public static class RuleFields
    {
        /// <summary>A rule field, written as the rule holds it on every line.</summary>
        private static RuleField Rule<T>(string name, Func<OpenIngressRule, T?> get, Func<OpenIngressRule, T, OpenIngressRule> put, Func<object?, T?> read, bool plain = false)
            where T : class =>
            new RuleField(name, r => get(r), (e, _) => get(e.Rule), null, plain) { Read = read, Put = (r, v) => put(r, (T)v) };

        /// <summary>A rule field written only where the rule has it.</summary>
        private static RuleField Optional(string name, Func<OpenIngressRule, string?> get, Func<OpenIngressRule, string, OpenIngressRule> put, Func<object?, string?> read) =>
            Rule(name, get, put, read) with { WrittenWhen = (e, _) => get(e.Rule) != null };

        /// <summary>A field of the evidence Measure-OpenIngressRule found: read and written with a recommendation only.</summary>
        private static RuleField Evidence(string name, Func<OpenIngressRule, object?> written, Func<object?, object?> read, Func<OpenIngressRule, object, OpenIngressRule> put, bool plain = false) =>
            new RuleField(name, null, (e, _) => written(e.Rule), Measured, plain) { Read = read, Put = put, ReadWith = "Recommendation" };

        /// <summary>A field of what the rule exposed: read and written with an exposure only.</summary>
        private static RuleField Exposed(string name, Func<OpenIngressRule, object?> written, Func<object?, object?> read, Func<OpenIngressRule, object, OpenIngressRule> put, bool plain = false) =>
            new RuleField(name, null, (e, _) => written(e.Rule), HasExposure, plain) { Read = read, Put = put, ReadWith = "Exposure" };

        /// <summary>A field of a change result, not of the rule.</summary>
        private static RuleField Result(string name, Func<IngressRuleChange, object?> result, Func<AuditEntry, object?> written, Func<AuditEntry, bool> when,
            Func<object?, object?> read, Func<AuditEntry, object, AuditEntry> put) =>
            new RuleField(name, null, (e, _) => written(e), (e, _) => when(e), false) { Result = result, Read = read, PutInEntry = put };

        /// <summary>A field of the exception that names the rule: read and written with its state only.</summary>
        private static RuleField Excepted(string name, Func<OpenIngressRule, object?> written, Func<object?, object?> read, Func<OpenIngressRule, object, OpenIngressRule> put) =>
            new RuleField(name, null, (e, _) => written(e.Rule), HasException, false) { Read = read, Put = put, ReadWith = "ExceptionState" };

        /// <summary>A field of where the rule came from (CloudTrail): read and written with its note only.</summary>
        private static RuleField Traced(string name, Func<OpenIngressRule, object?> written, Func<object?, object?> read, Func<OpenIngressRule, object, OpenIngressRule> put) =>
            new RuleField(name, null, (e, _) => written(e.Rule), Traced, false) { Read = read, Put = put, ReadWith = "ProvenanceNote" };

        private static bool Traced(AuditEntry e, AuditRunInfo _) => e.Rule.ProvenanceNote != null;
        private static bool Measured(AuditEntry e, AuditRunInfo _) => e.Rule.Recommendation != null;
        private static bool HasException(AuditEntry e, AuditRunInfo _) => e.Rule.ExceptionState != null;
        private static bool HasExposure(AuditEntry e, AuditRunInfo _) => e.Rule.Exposure != null;
        private static string? Utc(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        private static object? Box<T>(T? value) where T : struct => value.HasValue ? value.Value : null;
        private static int? Int(long? n) => (int?)n;

        public static readonly IReadOnlyList<RuleField> All = new[]
        {
            Rule("OwnerId", r => r.OwnerId, (r, v) => r with { OwnerId = v }, v => Id(v, "OwnerId", AwsNames.AccountId, "a 12-digit AWS account id")),
            Rule("Region", r => r.Region, (r, v) => r with { Region = v }, v => Id(v, "Region", AwsNames.Region, "an AWS region name (like us-east-1)")),
            Rule("VpcId", r => r.VpcId, (r, v) => r with { VpcId = v }, Text),
            Rule("GroupId", r => r.GroupId, (r, v) => r with { GroupId = v }, v => Id(v, "GroupId", Ec2Names.GroupId, "a security group id (sg-...)")) with { Required = true },
            Rule("GroupName", r => r.GroupName, (r, v) => r with { GroupName = v }, RawText),
            Rule("SecurityGroupRuleId", r => r.SecurityGroupRuleId, (r, v) => r with { SecurityGroupRuleId = v }, v => Id(v, "SecurityGroupRuleId", Ec2Names.RuleId, "a rule id (sgr-...)")),
            Rule("IpProtocol", r => r.IpProtocol, (r, v) => r with { IpProtocol = v }, Text, plain: true),
            // Ports are read as given (a missing one is not -1) and put in as the rule's identity has them.
            new RuleField("FromPort", r => r.FromPort, (e, _) => e.Rule.FromPort, null, true) { Read = v => Box(Port(v, "FromPort")) },
            new RuleField("ToPort", r => r.ToPort, (e, _) => e.Rule.ToPort, null, true) { Read = v => Box(Port(v, "ToPort")) },
            Rule("CidrIpv4", r => r.CidrIpv4, (r, v) => r with { CidrIpv4 = v }, v => CidrSource(v, "CidrIpv4", ipv6: false)),
            Rule("CidrIpv6", r => r.CidrIpv6, (r, v) => r with { CidrIpv6 = v }, v => CidrSource(v, "CidrIpv6", ipv6: true)),
            Optional("PrefixListId", r => r.PrefixListId, (r, v) => r with { PrefixListId = v }, v => Id(v, "PrefixListId", Ec2Names.PrefixListId, "a prefix list id (pl-...)")),
            // The list entry that opens a prefix-list rule: what a narrowing of it must stay within.
            Optional("OpenEntry", r => r.OpenEntry, (r, v) => r with { OpenEntry = v }, v => CidrText(v, "OpenEntry")),
            Rule("Description", r => r.Description, (r, v) => r with { Description = v }, Description),
            Rule<IReadOnlyDictionary<string, string>>("Tags", r => r.Tags, (r, v) => r with { Tags = v }, v => Tags(v, "Tags")),
            Rule<IReadOnlyDictionary<string, string>>("GroupTags", r => r.GroupTags, (r, v) => r with { GroupTags = v }, v => Tags(v, "GroupTags")),
            // What a change did, where the entry is a change result.
            Result("Status", c => c.Status, e => e.Status?.ToString(), e => e.Status != null, v => Box(Status(v)), (e, v) => e with { Status = (ChangeStatus)v }),
            Result("Error", c => c.Error, e => e.Error, e => e.Error != null, RawText, (e, v) => e with { Error = (string)v }),
            // The record a narrowing tagged its replacements with, where it is not this one (a journal of exported rules, results).
            Rule("AuditRunId", r => r.AuditRunId, (r, v) => r with { AuditRunId = v }, v => RunId(v, "AuditRunId"))
                with { WrittenWhen = (e, run) => e.Rule.AuditRunId != null && e.Rule.AuditRunId != run.RunId, Alias = "RunId" },
            // The evidence a narrowing rests on, so that an auditor sees why (Measure-OpenIngressRule).
            new RuleField("Recommendation", r => r.Recommendation, (e, _) => e.Rule.Recommendation?.ToString(), Measured, false)
                { Read = v => Box(EnumValue<Recommendation>(v, "Recommendation", numberAsText: true)), Put = (r, v) => r with { Recommendation = (Recommendation)v } },
            Evidence("RecommendationReason", r => r.RecommendationReason, RawText, (r, v) => r with { RecommendationReason = (string)v }) with { Own = r => r.RecommendationReason },
            // Read whatever the rule's recommendation: a rule's own ReplaceWith is what Revoke narrows it to.
            Evidence("ReplaceWith", r => (r.ReplaceWith ?? Array.Empty<string>()).ToList(), v => Sources(v, "ReplaceWith"),
                (r, v) => r.Recommendation == null ? r : r with { ReplaceWith = (List<string>)v }) with { Own = r => r.ReplaceWith, ReadWith = null },
            Evidence("FlowRecordCount", r => r.FlowRecordCount, v => Box(Count(v, "FlowRecordCount")), (r, v) => r with { FlowRecordCount = (long)v }, plain: true),
            Evidence("ObservedSourceCount", r => r.ObservedSourceCount, v => Box(Int(Count(v, "ObservedSourceCount", int.MaxValue))), (r, v) => r with { ObservedSourceCount = (int)v }, plain: true),
            Evidence("ObservedSources", r => (r.ObservedSources ?? Array.Empty<ObservedSource>())
                .Select(o => new List<KeyValuePair<string, object?>>
                {
                    new KeyValuePair<string, object?>("Address", o.Address), new KeyValuePair<string, object?>("Flows", o.Flows), new KeyValuePair<string, object?>("Packets", o.Packets),
                }).ToList(), ObservedSources, (r, v) => r with { ObservedSources = (IReadOnlyList<ObservedSource>)v }),
            // Every distinct source is listed up to FlowEvidence.MaxObservedSources; past that, how many are not.
            Evidence("ObservedSourcesLeftOut", r => r.ObservedSourcesLeftOut, v => Box(Int(Count(v, "ObservedSourcesLeftOut", int.MaxValue))), (r, v) => r with { ObservedSourcesLeftOut = (int)v }, plain: true)
                with { WrittenWhen = (e, run) => Measured(e, run) && e.Rule.ObservedSourcesLeftOut > 0 },
            Evidence("EvidenceSince", r => Utc(r.EvidenceSince), v => Box(Time(v, "EvidenceSince")), (r, v) => r with { EvidenceSince = (DateTimeOffset)v }),
            Evidence("EvidenceUntil", r => Utc(r.EvidenceUntil), v => Box(Time(v, "EvidenceUntil")), (r, v) => r with { EvidenceUntil = (DateTimeOffset)v }),
            // What the rule exposed when it was found (Get-OpenIngressRule -IncludeExposure), for reports and findings.
            new RuleField("Exposure", null, (e, _) => e.Rule.Exposure?.ToString(), HasExposure, false)
                { Read = v => Box(EnumValue<ExposureLevel>(v, "Exposure", numberAsText: false)), Put = (r, v) => r with { Exposure = (ExposureLevel)v } },
            Exposed("NetworkInterfaceCount", r => r.NetworkInterfaceCount, v => Box(Int(Count(v, "NetworkInterfaceCount", int.MaxValue))), (r, v) => r with { NetworkInterfaceCount = (int)v }, plain: true),
            Exposed("AttachedTo", r => (r.AttachedTo ?? Array.Empty<string>()).ToList(), v => Sources(v, "AttachedTo"), (r, v) => r with { AttachedTo = (List<string>)v }),
            // An exception that names the rule (-ExceptionPath): whose, why, until when, so that a record says why a rule
            // stayed open, or that it came back in scope when its exception ended.
            new RuleField("ExceptionState", null, (e, _) => e.Rule.ExceptionState?.ToString(), HasException, false)
                { Read = v => Box(EnumValue<ExceptionState>(v, "ExceptionState", numberAsText: false)), Put = (r, v) => r with { ExceptionState = (ExceptionState)v } },
            Excepted("ExceptionOwner", r => r.ExceptionOwner, RawText, (r, v) => r with { ExceptionOwner = (string)v }),
            Excepted("ExceptionReason", r => r.ExceptionReason, RawText, (r, v) => r with { ExceptionReason = (string)v }),
            Excepted("ExceptionTicket", r => r.ExceptionTicket, RawText, (r, v) => r with { ExceptionTicket = (string)v }),
            Excepted("ExceptionEnds", r => Utc(r.ExceptionEnds), v => Box(Time(v, "ExceptionEnds")), (r, v) => r with { ExceptionEnds = (DateTimeOffset)v }),
            Excepted("ExceptionNote", r => r.ExceptionNote, RawText, (r, v) => r with { ExceptionNote = (string)v }),
            // Who opened the rule, from CloudTrail (-CloudTrailUri, -CloudTrailPath), or that it was opened before the window read.
            Traced("ProvenanceNote", r => r.ProvenanceNote, RawText, (r, v) => r with { ProvenanceNote = (string)v }) with { ReadWith = null },
            Traced("OpenedBy", r => r.OpenedBy, RawText, (r, v) => r with { OpenedBy = (string)v }),
            Traced("OpenedByType", r => r.OpenedByType, RawText, (r, v) => r with { OpenedByType = (string)v }),
            Traced("OpenedByIssuer", r => r.OpenedByIssuer, RawText, (r, v) => r with { OpenedByIssuer = (string)v }),
            Traced("OpenedAt", r => Utc(r.OpenedAt), v => Box(Time(v, "OpenedAt")), (r, v) => r with { OpenedAt = (DateTimeOffset)v }),
            Traced("OpenedFrom", r => r.OpenedFrom, RawText, (r, v) => r with { OpenedFrom = (string)v }),
            Traced("OpenedWith", r => r.OpenedWith, RawText, (r, v) => r with { OpenedWith = (string)v }),
            Traced("LastChangedAt", r => Utc(r.LastChangedAt), v => Box(Time(v, "LastChangedAt")), (r, v) => r with { LastChangedAt = (DateTimeOffset)v }),
            // What a change granted in the open rule's place, and what a person should know about it.
            Result("ReplacedWith", c => c.ReplacedWith, e => e.ReplacedWith?.ToList(), e => e.ReplacedWith != null && e.ReplacedWith.Count > 0, ReplacedWith, (e, v) => e with { ReplacedWith = (IReadOnlyList<string>)v }),
            Result("Note", c => c.Note, e => e.Note, e => e.Note != null, RawText, (e, v) => e with { Note = (string)v }),
            // Where our own rule objects say they are recorded; records name themselves by where they are.
            new RuleField("AuditUri", r => r.AuditUri, null, null, false) { Read = Text, Put = (r, v) => r with { AuditUri = (string)v } },
        };

        private static readonly Dictionary<string, RuleField> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

        /// <summary>The value one of our own rules holds for a field, by name; null for any other name.</summary>
        public static object? OwnValue(OpenIngressRule rule, string name) =>
            ByName.TryGetValue(name, out var f) && f.Own != null ? f.Own(rule) : null;

        /// <summary>The value one of our own change results holds for a field, by name: its rule's, or its own; null for any other name.</summary>
        public static object? ResultValue(IngressRuleChange change, string name) =>
            !ByName.TryGetValue(name, out var f) ? null : f.Own != null ? f.Own(change.OpenRule) : f.Result?.Invoke(change);

        /// <summary>The record's fields, in column order.</summary>
        public static IEnumerable<RuleField> InRecord => All.Where(f => f.InRecord);
    }
}
