using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using SgNarrower.Json;

namespace SgNarrower.Audit
{
    /// <summary>
    /// Builds a rule from loosely typed properties: our own objects, Import-Csv rows (all strings, empty for none),
    /// ConvertFrom-Json objects and audit records. The getter returns a property's value or null.
    /// </summary>
    public static class RuleInput
    {
        public static OpenIngressRule FromProperties(Func<string, object?> get)
        {
            var groupId = Text(get("GroupId"));
            if (groupId == null) throw new FormatException("it has no GroupId");
            var rule = new OpenIngressRule
            {
                Region = Text(get("Region")),
                OwnerId = Text(get("OwnerId")),
                VpcId = Text(get("VpcId")),
                GroupId = groupId,
                GroupName = Text(get("GroupName")),
                SecurityGroupRuleId = Text(get("SecurityGroupRuleId")),
                IpProtocol = Text(get("IpProtocol")) ?? "-1",
                FromPort = Port(get("FromPort"), "FromPort"),
                ToPort = Port(get("ToPort"), "ToPort"),
                CidrIpv4 = Text(get("CidrIpv4")),
                CidrIpv6 = Text(get("CidrIpv6")),
                Description = RawText(get("Description")),
                Tags = Tags(get("Tags"), "Tags"),
                GroupTags = Tags(get("GroupTags"), "GroupTags"),
                AuditUri = Text(get("AuditUri")),
                AuditRunId = Text(get("AuditRunId")) ?? Text(get("RunId")),
            };
            if (!Protocols.IsValid(rule.IpProtocol)) throw new FormatException($"'{rule.IpProtocol}' is not an IP protocol");
            if (rule.CidrIpv4 != null && rule.CidrIpv6 != null) throw new FormatException("it has both CidrIpv4 and CidrIpv6; a rule has one source");
            foreach (var cidr in new[] { rule.CidrIpv4, rule.CidrIpv6 })
                if (cidr != null && !Cidr.TryParse(cidr, out _)) throw new FormatException($"'{cidr}' is not a CIDR block");
            return rule;
        }

        /// <summary>What a change needs: the rule id, or the protocol, ports and a CIDR that identify the rule exactly.</summary>
        public static string? MissingForChange(OpenIngressRule rule)
        {
            if (rule.SecurityGroupRuleId != null) return null;
            if (rule.Cidr == null) return "it has neither a SecurityGroupRuleId nor a CidrIpv4/CidrIpv6";
            if (Protocols.HasPorts(Protocols.Classify(rule.IpProtocol)) && (rule.FromPort < 0 || rule.ToPort < 0))
                return $"a {rule.IpProtocol} rule needs FromPort and ToPort";
            return null;
        }

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

        private static int Port(object? v, string name)
        {
            switch (v)
            {
                case null: return -1;
                case int i: return i;
                case long l when l >= int.MinValue && l <= int.MaxValue: return (int)l;
                case JsonNumber n when n.TryGetInt32(out int j): return j;
                default:
                    var s = Text(v);
                    if (s == null) return -1;
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
