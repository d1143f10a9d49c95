using System;
using System.Collections.Generic;
using System.Linq;
using SgNarrower.Json;

namespace SgNarrower.Offline
{
    /// <summary>A file that is not a security-group export; the message says what is wrong and where.</summary>
    public sealed class SecurityGroupFileException : FormatException
    {
        public SecurityGroupFileException(string message, Exception? inner = null) : base(message, inner) { }
    }

    /// <summary>
    /// Reads security groups from the JSON that <c>aws ec2 describe-security-groups</c> prints
    /// (<c>{"SecurityGroups":[...]}</c>) and from <c>Get-EC2SecurityGroup | ConvertTo-Json -Depth 5</c>
    /// (an array of groups, or one group, with AWS.Tools' property names such as Ipv4Ranges).
    /// </summary>
    public static class SecurityGroupJsonReader
    {
        private const string ExpectedShapes =
            "Expected the output of 'aws ec2 describe-security-groups' (an object with a SecurityGroups list) " +
            "or of 'Get-EC2SecurityGroup | ConvertTo-Json -Depth 5' (a list of security groups).";

        public static List<SecurityGroupSnapshot> Read(string json)
        {
            object? root;
            try { root = JsonParser.Parse(json); }
            catch (JsonParseException e) { throw new SecurityGroupFileException("The file is not valid JSON: " + e.Message, e); }

            IReadOnlyList<object?> groups;
            switch (root)
            {
                case JsonObject o when o.ContainsKey("SecurityGroups"):
                    if (!(o["SecurityGroups"] is List<object?> list))
                        throw new SecurityGroupFileException("'SecurityGroups' should be a list. " + ExpectedShapes);
                    groups = list;
                    break;
                case JsonObject o when o.ContainsKey("GroupId"):
                    groups = new object?[] { o };
                    break;
                case List<object?> array:
                    groups = array;
                    break;
                default:
                    throw new SecurityGroupFileException("The JSON is not a security-group export. " + ExpectedShapes);
            }

            var result = new List<SecurityGroupSnapshot>(groups.Count);
            for (int i = 0; i < groups.Count; i++)
            {
                try { result.Add(ReadGroup(groups[i])); }
                catch (FormatException e) when (!(e is SecurityGroupFileException))
                {
                    throw new SecurityGroupFileException($"Security group #{i + 1}: {e.Message}", e);
                }
                catch (SecurityGroupFileException e)
                {
                    throw new SecurityGroupFileException($"Security group #{i + 1}: {e.Message}", e);
                }
            }
            return result;
        }

        private static SecurityGroupSnapshot ReadGroup(object? item)
        {
            if (!(item is JsonObject g))
                throw new SecurityGroupFileException("is not a JSON object. " + ExpectedShapes);
            var groupId = g.GetString("GroupId");
            if (string.IsNullOrWhiteSpace(groupId)) throw new SecurityGroupFileException("has no GroupId. " + ExpectedShapes);

            var group = new SecurityGroupSnapshot
            {
                GroupId = groupId!,
                GroupName = g.GetString("GroupName"),
                OwnerId = g.GetString("OwnerId"),
                VpcId = g.GetString("VpcId"),
                Description = g.GetString("Description"),
                Tags = ReadTags(g.GetArray("Tags")),
            };
            foreach (var p in g.GetArray("IpPermissions"))
            {
                if (!(p is JsonObject perm))
                    throw new SecurityGroupFileException(
                        $"{groupId}: an IpPermissions entry is '{p}', not an object. If the file came from ConvertTo-Json, run it again with -Depth 5.");
                group.IpPermissions.Add(ReadPermission(perm, groupId!));
            }
            return group;
        }

        private static IpPermissionSnapshot ReadPermission(JsonObject p, string groupId)
        {
            var protocol = p.GetString("IpProtocol");
            if (!Protocols.IsValid(protocol))
                throw new SecurityGroupFileException($"{groupId}: '{protocol}' is not an IP protocol (tcp, udp, icmp, icmpv6, -1 or a number 0-255).");
            var perm = new IpPermissionSnapshot { IpProtocol = protocol!, FromPort = p.GetInt32("FromPort"), ToPort = p.GetInt32("ToPort") };

            // The CLI's IpRanges holds objects; AWS.Tools has Ipv4Ranges objects and a legacy IpRanges list of strings.
            var v4 = new List<CidrSource>();
            foreach (var r in p.GetArray("Ipv4Ranges").Concat(p.GetArray("IpRanges")))
            {
                var source = ReadRange(r, "CidrIp", groupId);
                if (source != null && !v4.Any(x => string.Equals(x.Cidr, source.Cidr, StringComparison.OrdinalIgnoreCase))) v4.Add(source);
            }
            perm.Ipv4Ranges = v4;
            foreach (var r in p.GetArray("Ipv6Ranges"))
            {
                var source = ReadRange(r, "CidrIpv6", groupId);
                if (source != null) perm.Ipv6Ranges.Add(source);
            }
            foreach (var u in p.GetArray("UserIdGroupPairs"))
                if (u is JsonObject pair && pair.GetString("GroupId") is string gid) perm.ReferencedGroupIds.Add(gid);
            foreach (var pl in p.GetArray("PrefixListIds"))
                if (pl is JsonObject entry && entry.GetString("PrefixListId") is string plid) perm.PrefixListIds.Add(plid);
            return perm;
        }

        private static CidrSource? ReadRange(object? r, string cidrProperty, string groupId)
        {
            switch (r)
            {
                case null: return null;
                case string s: return new CidrSource(s);
                case JsonObject o:
                    var cidr = o.GetString(cidrProperty);
                    if (string.IsNullOrWhiteSpace(cidr)) throw new SecurityGroupFileException($"{groupId}: a range has no {cidrProperty}.");
                    return new CidrSource(cidr!, o.GetString("Description"));
                default:
                    throw new SecurityGroupFileException($"{groupId}: a range is neither a CIDR nor an object with {cidrProperty}.");
            }
        }

        private static Dictionary<string, string> ReadTags(IReadOnlyList<object?> tags)
        {
            var result = new Dictionary<string, string>();
            foreach (var t in tags)
                if (t is JsonObject tag && tag.GetString("Key") is string key) result[key] = tag.GetString("Value") ?? "";
            return result;
        }
    }
}
