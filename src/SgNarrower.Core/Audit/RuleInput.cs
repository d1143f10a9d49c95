using System.Collections;
using System.Text.RegularExpressions;
using SgNarrower.Json;
using SgNarrower.Rules;

namespace SgNarrower.Audit
{
    /// <summary>
    /// Builds a rule from loosely typed properties: our own objects, Import-Csv rows (all strings, empty for none),
    /// ConvertFrom-Json objects, Import-Clixml objects and audit records. Input is complete or refused: a missing or
    /// out-of-range field is a FormatException that says which, never a default. The getter returns a property's
    /// value or null.
    /// </summary>
    public static class RuleInput
    {
        private static readonly Regex GroupIdPattern = new Regex("^sg-[0-9a-zA-Z]+$", RegexOptions.CultureInvariant);
        private static readonly Regex RuleIdPattern = new Regex("^sgr-[0-9a-zA-Z]+$", RegexOptions.CultureInvariant);
        private static readonly Regex PrefixListPattern = new Regex("^pl-[0-9a-zA-Z]+$", RegexOptions.CultureInvariant);

        /// <summary>EC2's limit for a rule's description.</summary>
        public const int MaxDescriptionLength = 255;

        private const string StrictForm = " (IPv4 as four decimal octets without leading zeros, like 203.0.113.0/24; IPv6 in RFC 4291 text; a decimal prefix length). It is not reinterpreted";

        public static AuditEntry Read(Func<string, object?> get)
        {
            var groupId = Text(get("GroupId")) ?? throw new FormatException("it has no GroupId");
            if (!GroupIdPattern.IsMatch(groupId)) throw new FormatException($"GroupId '{groupId}' is not a security group id (sg-...)");
            var region = Text(get("Region"));
            if (region != null && !AwsApi.AwsNames.Region.IsMatch(region)) throw new FormatException($"Region '{region}' is not an AWS region name (like us-east-1)");
            var owner = Text(get("OwnerId"));
            if (owner != null && !AwsApi.AwsNames.AccountId.IsMatch(owner)) throw new FormatException($"OwnerId '{owner}' is not a 12-digit AWS account id");
            var ruleId = Text(get("SecurityGroupRuleId"));
            if (ruleId != null && !RuleIdPattern.IsMatch(ruleId)) throw new FormatException($"SecurityGroupRuleId '{ruleId}' is not a rule id (sgr-...)");

            var v4 = Text(get("CidrIpv4"));
            var v6 = Text(get("CidrIpv6"));
            var pl = Text(get("PrefixListId"));
            if ((v4 != null ? 1 : 0) + (v6 != null ? 1 : 0) + (pl != null ? 1 : 0) > 1) throw new FormatException("it has more than one of CidrIpv4, CidrIpv6 and PrefixListId; a rule has one source");
            if (v4 == null && v6 == null && pl == null) throw new FormatException("it has no source: neither CidrIpv4, CidrIpv6 nor PrefixListId");
            RuleSource source;
            if (pl != null)
            {
                if (!PrefixListPattern.IsMatch(pl)) throw new FormatException($"PrefixListId '{pl}' is not a prefix list id (pl-...)");
                source = RuleSource.PrefixList(pl);
            }
            else
            {
                if (!Cidr.TryParse(v4 ?? v6, out var cidr)) throw new FormatException($"{(v4 != null ? "CidrIpv4" : "CidrIpv6")} '{v4 ?? v6}' is not a CIDR block as AWS writes it{StrictForm}");
                if (v4 != null && cidr.IsIpv6) throw new FormatException($"CidrIpv4 '{v4}' is an IPv6 block; it belongs in CidrIpv6");
                if (v6 != null && !cidr.IsIpv6) throw new FormatException($"CidrIpv6 '{v6}' is an IPv4 block; it belongs in CidrIpv4");
                source = RuleSource.FromCidr(cidr);
            }

            var protocol = Text(get("IpProtocol"));
            var from = Port(get("FromPort"), "FromPort");
            var to = Port(get("ToPort"), "ToPort");
            var identity = RuleIdentity.Parse(protocol, from, to, source);

            var openEntry = Text(get("OpenEntry"));
            if (openEntry != null && !Cidr.TryParse(openEntry, out _))
                throw new FormatException($"OpenEntry '{openEntry}' is not a CIDR block as AWS writes it{StrictForm}");
            var description = RawText(get("Description"));
            if (description != null && description.Length > MaxDescriptionLength)
                throw new FormatException($"its Description has {description.Length} characters; EC2 holds at most {MaxDescriptionLength}, so no rule can have it");

            var rule = new OpenIngressRule
            {
                Region = region,
                OwnerId = owner,
                VpcId = Text(get("VpcId")),
                GroupId = groupId,
                GroupName = RawText(get("GroupName")),
                SecurityGroupRuleId = ruleId,
                IpProtocol = protocol!,
                // As EC2 reports them: -1 where the protocol carries none.
                FromPort = identity.FromPort,
                ToPort = identity.ToPort,
                CidrIpv4 = v4,
                CidrIpv6 = v6,
                PrefixListId = pl,
                OpenEntry = openEntry,
                Description = description,
                Tags = Tags(get("Tags"), "Tags"),
                GroupTags = Tags(get("GroupTags"), "GroupTags"),
                AuditUri = Text(get("AuditUri")),
                AuditRunId = Text(get("AuditRunId")) ?? Text(get("RunId")),
            };
            var recommendation = Recommendation(get("Recommendation"));
            var replaceWith = Sources(get("ReplaceWith"));
            if (recommendation != null)
                rule = rule with { Recommendation = recommendation, RecommendationReason = RawText(get("RecommendationReason")), ReplaceWith = replaceWith };
            if (recommendation != null)
                rule = rule with
                {
                    FlowRecordCount = Count(get("FlowRecordCount"), "FlowRecordCount"),
                    ObservedSourceCount = (int?)Count(get("ObservedSourceCount"), "ObservedSourceCount", int.MaxValue),
                    ObservedSources = ObservedSources(get("ObservedSources")),
                    ObservedSourcesLeftOut = (int?)Count(get("ObservedSourcesLeftOut"), "ObservedSourcesLeftOut", int.MaxValue),
                    EvidenceSince = Time(get("EvidenceSince"), "EvidenceSince"),
                    EvidenceUntil = Time(get("EvidenceUntil"), "EvidenceUntil"),
                };
            var exposure = Exposure(get("Exposure"));
            if (exposure != null)
                rule = rule with
                {
                    Exposure = exposure,
                    NetworkInterfaceCount = (int?)Count(get("NetworkInterfaceCount"), "NetworkInterfaceCount", int.MaxValue),
                    AttachedTo = Sources(get("AttachedTo")),
                };
            var entry = new AuditEntry(rule, identity, Status(get("Status")), RawText(get("Error")))
            {
                Note = RawText(get("Note")),
                ReplacedWith = ReplacedWith(get("ReplacedWith")),
                Replacements = replaceWith != null && replaceWith.Count > 0 ? ReplacementSet.Parse(replaceWith) : null,
            };
            return entry;
        }

        /// <summary>Checks one of our own rule objects the same way (a hand-made one may be incomplete); keeps what it carries.</summary>
        public static AuditEntry FromRule(OpenIngressRule rule)
        {
            var checkedEntry = ReadOwn(rule);
            var kept = rule with { FromPort = checkedEntry.Rule.FromPort, ToPort = checkedEntry.Rule.ToPort };
            return new AuditEntry(kept, checkedEntry.Identity, checkedEntry.Status, checkedEntry.Error) { Replacements = checkedEntry.Replacements };
        }

        /// <summary>Our own rule, read field by field through the one table of a rule's fields.</summary>
        private static AuditEntry ReadOwn(OpenIngressRule rule) => Read(name => RuleFields.OwnValue(rule, name));

        private static Recommendation? Recommendation(object? value) => EnumValue<Recommendation>(value, "Recommendation", numberAsText: true);

        /// <summary>A rule's own replacement sources: a list, or text of them separated by commas (a CSV cell).</summary>
        private static List<string>? Sources(object? value)
        {
            switch (value)
            {
                case null: return null;
                case string s:
                    var t = s.Trim();
                    if (t.StartsWith("[", StringComparison.Ordinal))
                    {
                        try { return ((List<object?>)JsonParser.Parse(t)!).Select(x => x?.ToString() ?? "").ToList(); }
                        catch (Exception e) when (e is JsonParseException || e is InvalidCastException) { throw new FormatException($"ReplaceWith '{s}' is not a list of sources"); }
                    }
                    return t.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
                case System.Collections.IEnumerable list:
                    return list.Cast<object?>().Select(x => x?.ToString() ?? "").Where(x => x.Length > 0).ToList();
                default:
                    return new List<string> { value.ToString() ?? "" };
            }
        }

        private static ExposureLevel? Exposure(object? value) => EnumValue<ExposureLevel>(value, "Exposure", numberAsText: false);

        /// <summary>
        /// An enum as our objects hold it, as ConvertTo-Json and Import-Clixml leave it (a number), or by name in any case;
        /// a number only where the enum defines it. <paramref name="numberAsText"/>: a number written as text counts too.
        /// </summary>
        private static T? EnumValue<T>(object? value, string name, bool numberAsText) where T : struct, Enum
        {
            int? number = value switch
            {
                T e => Convert.ToInt32(e, CultureInfo.InvariantCulture),
                int i => i,
                long l when l >= int.MinValue && l <= int.MaxValue => (int)l,
                JsonNumber n when n.TryGetInt32(out int j) => j,
                _ => null,
            };
            if (number != null && Enum.IsDefined(typeof(T), number.Value)) return (T)Enum.ToObject(typeof(T), number.Value);
            var text = Text(value);
            if (text == null) return null;
            if (numberAsText && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n2) && Enum.IsDefined(typeof(T), n2)) return (T)Enum.ToObject(typeof(T), n2);
            foreach (T e in Enum.GetValues(typeof(T)))
                if (string.Equals(e.ToString(), text, StringComparison.OrdinalIgnoreCase)) return e;
            var names = Enum.GetNames(typeof(T));
            throw new FormatException($"{name} '{text}' is not {string.Join(", ", names.Take(names.Length - 1))} or {names[names.Length - 1]}");
        }

        /// <summary>The sources a narrowing granted, each a CIDR block as AWS writes it or a group id.</summary>
        private static IReadOnlyList<string>? ReplacedWith(object? value)
        {
            var items = Sources(value);
            if (items == null || items.Count == 0) return null;
            foreach (var item in items)
                if (!Cidr.TryParse(item, out _) && !item.StartsWith("sg-", StringComparison.Ordinal))
                    throw new FormatException($"ReplacedWith '{item}' is neither a CIDR block as AWS writes it nor a security group id");
            return items;
        }

        /// <summary>A count as written (a whole number 0 or more), or null when it is missing.</summary>
        private static long? Count(object? v, string name, long max = long.MaxValue)
        {
            long? n = v switch
            {
                null => null,
                int i => i,
                long l => l,
                JsonNumber j when long.TryParse(j.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long k) => k,
                _ => Text(v) is string s
                    ? (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long m) ? m : throw new FormatException($"{name} '{s}' is not a whole number 0 or more"))
                    : (long?)null,
            };
            if (n < 0 || n > max) throw new FormatException($"{name} {n} is out of range (0-{max})");
            return n;
        }

        /// <summary>A UTC time as records write it (2026-01-31T00:00:00Z), or a date object.</summary>
        private static DateTimeOffset? Time(object? v, string name)
        {
            switch (v)
            {
                case null: return null;
                case DateTimeOffset d: return d;
                case DateTime t: return t.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(t, TimeSpan.Zero) : new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero);
            }
            var s = Text(v);
            if (s == null) return null;
            if (s.EndsWith("Z", StringComparison.Ordinal) &&
                DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                return parsed;
            throw new FormatException($"{name} '{s}' is not a UTC time like 2026-01-31T00:00:00Z");
        }

        /// <summary>Observed sources as Measure-OpenIngressRule writes them: Address, Flows and Packets each.</summary>
        private static IReadOnlyList<ObservedSource>? ObservedSources(object? value)
        {
            switch (value)
            {
                case null: return null;
                case string s:
                    if (string.IsNullOrWhiteSpace(s)) return null;
                    try { return ObservedSources(JsonParser.Parse(s)); }
                    catch (JsonParseException e) { throw new FormatException($"ObservedSources is not a JSON list of sources: {e.Message}"); }
                case IEnumerable<ObservedSource> typed: return typed.ToList();
                case IEnumerable list:
                    var result = new List<ObservedSource>();
                    foreach (var item in list)
                    {
                        if (item is ObservedSource o) { result.Add(o); continue; }
                        if (!(item is IDictionary d)) throw new FormatException("ObservedSources should list objects with Address, Flows and Packets");
                        object? Field(string key) => d.Contains(key) ? d[key] : null;
                        var address = Text(Field("Address")) ?? throw new FormatException("an observed source has no Address");
                        if (!IpAddressText.TryParse(address, out _))
                            throw new FormatException($"observed source '{address}' is not an address as AWS writes it{StrictForm}");
                        result.Add(new ObservedSource(address, Count(Field("Flows"), "Flows") ?? 0, Count(Field("Packets"), "Packets") ?? 0));
                    }
                    return result;
                default:
                    throw new FormatException("ObservedSources should be a list of sources");
            }
        }

        /// <summary>A status by name (Revoked) or by number (1, as ConvertTo-Json and Import-Clixml leave an enum).</summary>
        public static ChangeStatus? Status(object? value)
        {
            switch (value)
            {
                case null: return null;
                case ChangeStatus s: return s;
                case int i: return ByNumber(i);
                case long l when l >= int.MinValue && l <= int.MaxValue: return ByNumber((int)l);
                case JsonNumber n when n.TryGetInt32(out int j): return ByNumber(j);
            }
            var text = Text(value);
            if (text == null) return null;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int k)) return ByNumber(k);
            foreach (ChangeStatus s in Enum.GetValues(typeof(ChangeStatus)))
                if (string.Equals(s.ToString(), text, StringComparison.OrdinalIgnoreCase)) return s;
            throw new FormatException($"Status '{text}' is not one SgNarrower writes ({string.Join(", ", Enum.GetNames(typeof(ChangeStatus)))})");
        }

        private static ChangeStatus ByNumber(int n) =>
            Enum.IsDefined(typeof(ChangeStatus), n) ? (ChangeStatus)n
                : throw new FormatException($"Status {n} is not one SgNarrower writes (0-{Enum.GetValues(typeof(ChangeStatus)).Length - 1})");

        private static string? Text(object? v)
        {
            var s = RawText(v);
            return string.IsNullOrWhiteSpace(s) ? null : s!.Trim();
        }

        private static string? RawText(object? v) => v switch
        {
            null => null,
            string s => s.Length == 0 ? null : s,
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        };

        /// <summary>A port as given, or null when it is missing (an empty CSV cell is missing, not 0 and not -1).</summary>
        private static int? Port(object? v, string name)
        {
            switch (v)
            {
                case null: return null;
                case int i: return i;
                case long l when l >= int.MinValue && l <= int.MaxValue: return (int)l;
                case JsonNumber n when n.TryGetInt32(out int j): return j;
                default:
                    var s = Text(v);
                    if (s == null) return null;
                    if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int p)) return p;
                    throw new FormatException($"{name} '{s}' is not a whole number");
            }
        }

        public static Dictionary<string, string> Tags(object? v, string name)
        {
            var result = new Dictionary<string, string>();
            switch (v)
            {
                case null: return result;
                case string s:
                    if (string.IsNullOrWhiteSpace(s)) return result;
                    object? parsed;
                    try { parsed = JsonParser.Parse(s); }
                    catch (JsonParseException e) { throw new FormatException($"{name} is not a JSON object of tags: {e.Message}"); }
                    return Tags(parsed, name);
                case IDictionary dict:
                    foreach (DictionaryEntry e in dict)
                        if (e.Key != null) result[e.Key.ToString()!] = e.Value?.ToString() ?? "";
                    return result;
                case IEnumerable<KeyValuePair<string, string>> pairs:
                    foreach (var kv in pairs) result[kv.Key] = kv.Value;
                    return result;
                default:
                    throw new FormatException($"{name} should be a set of tags");
            }
        }
    }
}
