using System.IO;
using System.Runtime.CompilerServices;
using SgNarrower.Json;
using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Offline
{
    /// <summary>
    /// Reads a security-group export group by group from a stream, so that memory stays flat in the file's size. It
    /// reads the export's own shape directly into the model: the members SgNarrower uses are read, every other member
    /// (egress rules, anything new) is skipped without building anything. Takes the CLI's {"SecurityGroups":[...]},
    /// an array of groups (ConvertTo-Json of Get-EC2SecurityGroup), or one group. Errors name the line.
    /// </summary>
    public sealed class SecurityGroupStream
    {
        // Optimised at first call rather than after tiering (see JsonTokenReader).
        private const MethodImplOptions Hot = (MethodImplOptions)512;

        private readonly JsonTokenReader _json;
        private readonly Func<string, bool>? _keepRange;

        private SecurityGroupStream(JsonTokenReader json, Func<string, bool>? keepRange) { _json = json; _keepRange = keepRange; }

        /// <summary>
        /// The groups of the export, one at a time, read from its bytes; throws <see cref="SecurityGroupFileException"/>.
        /// <paramref name="keepRange"/>: which CIDR ranges a caller needs (a scan needs only those its policy counts as
        /// open); every other range is still checked to be a CIDR as AWS writes it, and then passed over with its
        /// description unread. Null keeps every range.
        /// </summary>
        public static IEnumerable<SecurityGroupSnapshot> Read(Stream utf8, Func<string, bool>? keepRange = null) =>
            new SecurityGroupStream(new JsonTokenReader(utf8), keepRange).Groups();

        /// <summary>The groups of an export held in memory as text.</summary>
        public static IEnumerable<SecurityGroupSnapshot> Read(string json) => new SecurityGroupStream(JsonTokenReader.OfText(json), null).Groups();

        private enum Member
        {
            SecurityGroups, GroupId, GroupName, OwnerId, VpcId, Description, Tags, IpPermissions,
            IpProtocol, FromPort, ToPort, IpRanges, Ipv4Ranges, Ipv6Ranges, UserIdGroupPairs, PrefixListIds,
            CidrIp, CidrIpv6, PrefixListId, Key, Value,
        }

        private const Member Other = (Member)(-1);

        // The names SgNarrower reads, matched against a name's bytes (ASCII, any case) without making a string of every name in the file.
        private static readonly JsonNames Names = new JsonNames(((Member[])Enum.GetValues(typeof(Member))).Select(m => m.ToString()).ToList());

        private Member Name() => (Member)_json.ReadName(Names);

        private IEnumerable<SecurityGroupSnapshot> Groups()
        {
            using var groups = GroupsOrFault().GetEnumerator();
            while (true)
            {
                try
                {
                    if (!groups.MoveNext()) yield break;
                }
                catch (JsonParseException e) { throw new SecurityGroupFileException($"The file is not valid JSON: {e.Message}.", e); }
                yield return groups.Current;
            }
        }

        private IEnumerable<SecurityGroupSnapshot> GroupsOrFault()
        {
            switch (_json.Kind())
            {
                case JsonKind.Array:
                    foreach (var g in GroupsOfList()) yield return g;
                    break;
                case JsonKind.Object:
                {
                    // The root object: SecurityGroups is streamed; otherwise the root may be one group.
                    var single = new SecurityGroupSnapshot();
                    bool sawGroups = false;
                    if (_json.BeginObject(0))
                        do
                        {
                            var name = Name();
                            if (name == Member.SecurityGroups)
                            {
                                if (_json.Kind() != JsonKind.Array)
                                    throw new SecurityGroupFileException($"'SecurityGroups' should be a list (line {_json.Line}). " + SecurityGroupJsonReader.ExpectedShapes);
                                sawGroups = true;
                                foreach (var g in GroupsOfList()) yield return g;
                            }
                            else GroupMember(single, name, 1);
                        } while (_json.NextMember());
                    if (!sawGroups)
                    {
                        if (string.IsNullOrWhiteSpace(single.GroupId))
                            throw new SecurityGroupFileException("The JSON is not a security-group export. " + SecurityGroupJsonReader.ExpectedShapes);
                        yield return single;
                    }
                    break;
                }
                case JsonKind.End:
                    throw new SecurityGroupFileException("The file is empty. " + SecurityGroupJsonReader.ExpectedShapes);
                default:
                    throw new SecurityGroupFileException("The JSON is not a security-group export. " + SecurityGroupJsonReader.ExpectedShapes);
            }
            _json.End();
        }

        private IEnumerable<SecurityGroupSnapshot> GroupsOfList()
        {
            if (!_json.BeginArray(1)) yield break;
            int index = 0;
            do yield return Group(++index); while (_json.NextItem());
        }

        [MethodImpl(Hot)]
        private SecurityGroupSnapshot Group(int index)
        {
            var kind = _json.Kind();
            if (kind != JsonKind.Object)
            {
                if (kind == JsonKind.End) throw _json.Error("Unexpected end of JSON");
                throw new SecurityGroupFileException($"Security group #{index}: is not a JSON object (line {_json.Line}). " + SecurityGroupJsonReader.ExpectedShapes);
            }
            var group = new SecurityGroupSnapshot();
            int seen = 0;
            if (_json.BeginObject(1))
                do
                {
                    var name = Name();
                    Once(ref seen, name, group);
                    try { GroupMember(group, name, 2); }
                    catch (FormatException e) when (!(e is SecurityGroupFileException) && !(e is JsonParseException))
                    {
                        throw new SecurityGroupFileException($"Security group #{index}: {WithoutLine(e.Message)} (line {_json.Line}).", e);
                    }
                } while (_json.NextMember());
            if (string.IsNullOrWhiteSpace(group.GroupId))
                throw new SecurityGroupFileException($"Security group #{index}: has no GroupId (line {_json.Line}). " + SecurityGroupJsonReader.ExpectedShapes);
            return group;
        }

        [MethodImpl(Hot)]
        private void GroupMember(SecurityGroupSnapshot group, Member name, int depth)
        {
            switch (name)
            {
                case Member.GroupId: group.GroupId = _json.ReadScalar() ?? ""; break;
                case Member.GroupName: group.GroupName = _json.ReadScalar(); break;
                case Member.OwnerId: group.OwnerId = _json.ReadScalar(); break;
                case Member.VpcId: group.VpcId = _json.ReadScalar(); break;
                case Member.Description: group.Description = _json.ReadScalar(); break;
                case Member.Tags:
                {
                    var list = OpenList(depth);
                    if (list != ListShape.None)
                        do
                        {
                            string? key = null, value = null;
                            int seen = 0;
                            if (OpenObject(depth + 1))
                                do
                                {
                                    var m = Name();
                                    Once(ref seen, m, group);
                                    if (m == Member.Key) key = _json.ReadScalar();
                                    else if (m == Member.Value) value = _json.ReadScalar();
                                    else _json.Skip(depth + 2);
                                } while (_json.NextMember());
                            if (key != null) group.Tags[key] = value ?? "";
                        } while (list == ListShape.List && _json.NextItem());
                    break;
                }
                case Member.IpPermissions:
                {
                    var list = OpenList(depth);
                    if (list != ListShape.None)
                        do
                        {
                            if (_json.Kind() == JsonKind.String)
                            {
                                var text = _json.ReadString();
                                throw new SecurityGroupFileException(
                                    $"{Label(group)}: an IpPermissions entry is '{text}', not an object. If the file came from ConvertTo-Json, run it again with -Depth 5.");
                            }
                            group.IpPermissions.Add(Permission(group, depth + 1));
                        } while (list == ListShape.List && _json.NextItem());
                    break;
                }
                default: _json.Skip(depth); break;
            }
        }

        private static string WithoutLine(string message) => message.EndsWith(")", StringComparison.Ordinal) && message.Contains("(line ") ? message.Substring(0, message.LastIndexOf(" (line ", StringComparison.Ordinal)) : message;

        private static string Label(SecurityGroupSnapshot g) => string.IsNullOrEmpty(g.GroupId) ? "a security group" : g.GroupId;

        [MethodImpl(Hot)]
        private IpPermissionSnapshot Permission(SecurityGroupSnapshot group, int depth)
        {
            var perm = new IpPermissionSnapshot { IpProtocol = "" };
            string? protocol = null;
            int seen = 0;
            if (OpenObject(depth))
                do
                {
                    var m = Name();
                    Once(ref seen, m, group);
                    switch (m)
                    {
                        case Member.IpProtocol: protocol = _json.ReadScalar(); break;
                        case Member.FromPort: perm.FromPort = Int("FromPort"); break;
                        case Member.ToPort: perm.ToPort = Int("ToPort"); break;
                        case Member.IpRanges:
                        case Member.Ipv4Ranges:
                        case Member.Ipv6Ranges:
                        {
                            bool v6 = m == Member.Ipv6Ranges;
                            var list = OpenList(depth + 1);
                            if (list != ListShape.None)
                                do
                                {
                                    var r = Range(v6 ? Member.CidrIpv6 : Member.CidrIp, group, depth + 2);
                                    if (r == null) continue;
                                    if (v6) { perm.Ipv6Ranges.Add(r); continue; }
                                    // AWS.Tools writes both Ipv4Ranges and a legacy IpRanges list of bare CIDRs: one
                                    // rule each, with Ipv4Ranges' description.
                                    int i = perm.Ipv4Ranges.FindIndex(x => string.Equals(x.Cidr, r.Cidr, StringComparison.OrdinalIgnoreCase));
                                    if (i < 0) perm.Ipv4Ranges.Add(r);
                                    else if (m == Member.Ipv4Ranges) perm.Ipv4Ranges[i] = r;
                                } while (list == ListShape.List && _json.NextItem());
                            break;
                        }
                        case Member.UserIdGroupPairs:
                        case Member.PrefixListIds:
                        {
                            var idMember = m == Member.UserIdGroupPairs ? Member.GroupId : Member.PrefixListId;
                            var target = m == Member.UserIdGroupPairs ? perm.ReferencedGroupIds : perm.PrefixListIds;
                            var list = OpenList(depth + 1);
                            if (list != ListShape.None)
                                do
                                {
                                    int seenInPair = 0;
                                    if (OpenObject(depth + 2))
                                        do
                                        {
                                            var name = Name();
                                            Once(ref seenInPair, name, group);
                                            if (name == idMember) { if (_json.ReadScalar() is string id) target.Add(id); }
                                            else _json.Skip(depth + 3);
                                        } while (_json.NextMember());
                                } while (list == ListShape.List && _json.NextItem());
                            break;
                        }
                        default: _json.Skip(depth + 1); break;
                    }
                } while (_json.NextMember());
            if (!Protocols.IsValid(protocol))
                throw new SecurityGroupFileException($"{Label(group)}: '{protocol}' is not an IP protocol (tcp, udp, icmp, icmpv6, -1 or a number 0-255) (line {_json.Line}).");
            perm.IpProtocol = protocol!;
            return perm;
        }

        /// <summary>
        /// A range: a CIDR string (AWS.Tools' legacy IpRanges) or an object with the CIDR and a description. Null for
        /// JSON null and for a range the caller does not keep (its description is not read once its CIDR is known).
        /// </summary>
        [MethodImpl(Hot)]
        private CidrSource? Range(Member cidrMember, SecurityGroupSnapshot group, int depth)
        {
            var kind = _json.Kind();
            if (kind == JsonKind.String)
            {
                var bare = Checked(_json.ReadString(), cidrMember, group);
                return Kept(bare) ? new CidrSource(bare) : null;
            }
            if (_json.SkipNull()) return null;
            if (kind != JsonKind.Object) throw new SecurityGroupFileException($"{Label(group)}: a range is neither a CIDR nor an object with {cidrMember} (line {_json.Line}).");
            string? cidr = null, description = null;
            bool kept = true;
            int seen = 0;
            if (_json.BeginObject(depth))
                do
                {
                    var m = Name();
                    Once(ref seen, m, group);
                    if (m == cidrMember)
                    {
                        cidr = _json.ReadScalar();
                        if (!string.IsNullOrWhiteSpace(cidr)) kept = Kept(Checked(cidr!, cidrMember, group));
                    }
                    else if (m == Member.Description && kept) description = _json.ReadScalar();
                    else _json.Skip(depth + 1);
                } while (_json.NextMember());
            if (string.IsNullOrWhiteSpace(cidr)) throw new SecurityGroupFileException($"{Label(group)}: a range has no {cidrMember} (line {_json.Line}).");
            return kept ? new CidrSource(cidr!, description) : null;
        }

        private bool Kept(string cidr) => _keepRange == null || _keepRange(cidr);

        /// <summary>A name SgNarrower reads, given twice in one object, refuses the file (the reader's one rule).</summary>
        [MethodImpl(Hot)]
        private void Once(ref int seen, Member m, SecurityGroupSnapshot group)
        {
            if (m == Other) return;
            int bit = 1 << (int)m;
            if ((seen & bit) != 0)
                throw new SecurityGroupFileException($"{Label(group)}: {_json.DuplicateKey(m.ToString()).Message}; nothing is read from this file.");
            seen |= bit;
        }

        /// <summary>A CIDR as AWS writes it, or the file is refused: a block read two ways (010.0.0.0/8) is never guessed at.</summary>
        private string Checked(string cidr, Member cidrMember, SecurityGroupSnapshot group) =>
            Cidr.IsWellFormed(cidr) ? cidr
            : throw new SecurityGroupFileException($"{Label(group)}: {cidrMember} '{cidr}' is not a CIDR block as AWS writes it (IPv4 as four decimal octets without leading zeros, IPv6 in RFC 4291 text), line {_json.Line}; it is not reinterpreted.");

        private int? Int(string name)
        {
            if (_json.TryReadSmallInt(out int small)) return small;
            var text = _json.ReadScalar();
            if (text == null) return null;
            if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int n)) return n;
            throw new FormatException($"{name} should be a whole number, not '{text}'");
        }

        private enum ListShape { None, Single, List }

        /// <summary>
        /// Opens a list: None for null or [], Single for one object where a list was expected (ConvertTo-Json writes a
        /// one-element collection so), List for a list with items; the reader is then at the first item.
        /// </summary>
        [MethodImpl(Hot)]
        private ListShape OpenList(int depth)
        {
            switch (_json.Kind())
            {
                case JsonKind.Null: _json.SkipNull(); return ListShape.None;
                case JsonKind.Object: return ListShape.Single;
                case JsonKind.Array: return _json.BeginArray(depth) ? ListShape.List : ListShape.None;
                default: throw new FormatException($"a list was expected (line {_json.Line})");
            }
        }

        /// <summary>Opens an object: false for null or {}, true when members follow (the reader is at the first name).</summary>
        [MethodImpl(Hot)]
        private bool OpenObject(int depth)
        {
            switch (_json.Kind())
            {
                case JsonKind.Null: _json.SkipNull(); return false;
                case JsonKind.Object: return _json.BeginObject(depth);
                default: throw new FormatException($"an object was expected (line {_json.Line})");
            }
        }
    }
}
