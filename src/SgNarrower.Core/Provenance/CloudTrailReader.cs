using System.IO;
using SgNarrower.Json;
using SgNarrower.Rules;

namespace SgNarrower.Provenance
{
    /// <summary>
    /// Reads a trail's log file ({"Records": [...]}, as CloudTrail delivers it, gzip taken off by the caller) record by
    /// record with the one JSON reader, and keeps only the calls that opened or changed ingress rules and succeeded.
    /// Records are read one at a time, so a file of any size is read in little memory.
    /// </summary>
    public static class CloudTrailReader
    {
        private static readonly JsonNames Root = new JsonNames(new[] { "Records" });

        public static IEnumerable<RuleEvent> Read(Stream utf8, string name)
        {
            var json = new JsonTokenReader(utf8);
            if (!json.BeginObject(0)) yield break;
            do
            {
                if (json.ReadName(Root) != 0) { json.Skip(1); continue; }
                if (json.SkipNull() || !json.BeginArray(1)) continue;
                do
                {
                    if (JsonParser.ReadValue(json) is JsonObject record && Event(record, name) is RuleEvent e) yield return e;
                } while (json.NextItem());
            } while (json.NextMember());
            json.End();
        }

        /// <summary>The rule event a record holds, or null for any other record (another call, a failed one, egress only).</summary>
        public static RuleEvent? Event(JsonObject record, string source)
        {
            var name = record.GetString("eventName");
            if (name != "AuthorizeSecurityGroupIngress" && name != "ModifySecurityGroupRules") return null;
            if (record.GetString("errorCode") != null) return null;
            if (!DateTimeOffset.TryParse(record.GetString("eventTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return null;
            var identity = record.TryGetValue("userIdentity", out var u) ? u as JsonObject : null;
            var issuer = (identity?.TryGetValue("sessionContext", out var c) == true ? c as JsonObject : null) is JsonObject context
                && context.TryGetValue("sessionIssuer", out var i) && i is JsonObject si ? si.GetString("arn") : null;
            var request = record.TryGetValue("requestParameters", out var rq) ? rq as JsonObject : null;
            var response = record.TryGetValue("responseElements", out var rs) ? rs as JsonObject : null;
            var (group, rules) = name == "AuthorizeSecurityGroupIngress" ? Authorized(request, response) : Modified(request);
            if (rules.Count == 0) return null;
            return new RuleEvent
            {
                EventName = name!, EventTime = time, Account = record.GetString("recipientAccountId") ?? identity?.GetString("accountId"),
                Region = record.GetString("awsRegion"), GroupId = group,
                PrincipalArn = identity?.GetString("arn"), PrincipalType = identity?.GetString("type"), Issuer = issuer,
                InvokedBy = identity?.GetString("invokedBy"), SourceIp = record.GetString("sourceIPAddress"), UserAgent = record.GetString("userAgent"),
                Rules = rules, Source = source,
            };
        }

        /// <summary>
        /// The rules an authorize made: from its response (each with its id; the group is there even where the request
        /// named the group by name), else, in records from before EC2 answered with rules, from the request by what they allow.
        /// </summary>
        private static (string? Group, List<(string?, RuleIdentity?)> Rules) Authorized(JsonObject? request, JsonObject? response)
        {
            var rules = new List<(string?, RuleIdentity?)>();
            string? group = null;
            if (response?.TryGetValue("securityGroupRuleSet", out var set) == true && set is JsonObject s)
                foreach (var item in s.GetArray("items").OfType<JsonObject>())
                {
                    if (string.Equals(item.GetString("isEgress"), "true", StringComparison.OrdinalIgnoreCase)) continue;
                    group ??= item.GetString("groupId");
                    var referenced = item.TryGetValue("referencedGroupInfo", out var rg) && rg is JsonObject r ? r.GetString("groupId") : null;
                    rules.Add((item.GetString("securityGroupRuleId"), Identity(item.GetString("ipProtocol"), item.GetInt32("fromPort"), item.GetInt32("toPort"),
                        RuleSource.From(item.GetString("cidrIpv4"), item.GetString("cidrIpv6"), referenced, item.GetString("prefixListId")))));
                }
            if (rules.Count > 0 || request == null) return (group, rules);
            group = request.GetString("groupId");
            if (group == null) return (null, rules);
            var permissions = request.TryGetValue("ipPermissions", out var p) && p is JsonObject po ? po.GetArray("items") : Array.Empty<object?>();
            foreach (var perm in permissions.OfType<JsonObject>())
            {
                var (protocol, from, to) = (perm.GetString("ipProtocol"), perm.GetInt32("fromPort"), perm.GetInt32("toPort"));
                foreach (var (list, field) in new[] { ("ipRanges", "cidrIp"), ("ipv6Ranges", "cidrIpv6"), ("prefixListIds", "prefixListId"), ("groups", "groupId") })
                    if (perm.TryGetValue(list, out var l) && l is JsonObject lo)
                        foreach (var range in lo.GetArray("items").OfType<JsonObject>())
                        {
                            var value = range.GetString(field);
                            var source = field switch
                            {
                                "cidrIp" => RuleSource.From(value, null, null, null),
                                "cidrIpv6" => RuleSource.From(null, value, null, null),
                                "prefixListId" => RuleSource.From(null, null, null, value),
                                _ => RuleSource.From(null, null, value, null),
                            };
                            rules.Add((null, Identity(protocol, from, to, source)));
                        }
            }
            return (group, rules);
        }

        /// <summary>The rules a modify edited: each by its id, with what it allows now.</summary>
        private static (string? Group, List<(string?, RuleIdentity?)> Rules) Modified(JsonObject? request)
        {
            var rules = new List<(string?, RuleIdentity?)>();
            if (request?.TryGetValue("ModifySecurityGroupRulesRequest", out var m) != true || m is not JsonObject modify) return (null, rules);
            var edits = modify.TryGetValue("SecurityGroupRule", out var e) ? e switch { JsonObject one => new List<object?> { one }, List<object?> many => many, _ => new List<object?>() } : new List<object?>();
            foreach (var edit in edits.OfType<JsonObject>())
            {
                var rule = edit.TryGetValue("SecurityGroupRule", out var r) ? r as JsonObject : null;
                var source = rule == null ? null : RuleSource.From(rule.GetString("CidrIpv4"), rule.GetString("CidrIpv6"), rule.GetString("ReferencedGroupId"), rule.GetString("PrefixListId"));
                rules.Add((edit.GetString("SecurityGroupRuleId"), rule == null ? null : Identity(rule.GetString("IpProtocol"), rule.GetInt32("FromPort"), rule.GetInt32("ToPort"), source)));
            }
            return (modify.GetString("GroupId"), rules);
        }

        private static RuleIdentity? Identity(string? protocol, int? from, int? to, RuleSource? source)
        {
            if (source == null || !Protocols.IsValid(protocol)) return null;
            try { return RuleIdentity.FromAws(protocol!, from ?? -1, to ?? -1, source.Value); }
            catch (FormatException) { return null; }
        }
    }
}
