using System.Runtime.CompilerServices;
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
        private const int MaxDepth = 256;
        // Optimised at first call rather than after tiering: an export is one long loop through these few methods.
        // (MethodImplOptions.AggressiveOptimization, .NET Core 3 and later; Windows PowerShell's runtime ignores it.)
        private const MethodImplOptions OptimizeAtFirstCall = (MethodImplOptions)512;

        private readonly TextReader _reader;
        private readonly char[] _buffer = new char[1 << 16];
        private int _length, _pos;
        private int _line = 1;

        private SecurityGroupStream(TextReader reader) { _reader = reader; }

        /// <summary>The groups of the export, one at a time; throws <see cref="SecurityGroupFileException"/>.</summary>
        public static IEnumerable<SecurityGroupSnapshot> Read(TextReader reader) => new SecurityGroupStream(reader).Groups();

        private enum Member
        {
            Other, SecurityGroups, GroupId, GroupName, OwnerId, VpcId, Description, Tags, IpPermissions,
            IpProtocol, FromPort, ToPort, IpRanges, Ipv4Ranges, Ipv6Ranges, UserIdGroupPairs, PrefixListIds,
            CidrIp, CidrIpv6, PrefixListId, Key, Value,
        }

        // The names SgNarrower reads, matched against the characters of a name as read (ASCII, any case), without
        // making a string of every name in the file.
        private static readonly string[] Names = BuildNames();

        private static string[] BuildNames()
        {
            var values = (Member[])Enum.GetValues(typeof(Member));
            var names = new string[values.Length];
            foreach (var m in values) names[(int)m] = m == Member.Other ? "" : m.ToString();
            return names;
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private Member Match(char[] name, int length)
        {
            for (int i = 1; i < Names.Length; i++)
            {
                var candidate = Names[i];
                if (candidate.Length != length) continue;
                int k = 0;
                for (; k < length; k++)
                {
                    char a = name[k], b = candidate[k];
                    if (a != b && (a | 0x20) != (b | 0x20)) break;
                }
                if (k == length) return (Member)i;
            }
            return Member.Other;
        }

        private char[] _chars = new char[256];
        private int _count;

        [MethodImpl(OptimizeAtFirstCall)]
        private void Append(char c)
        {
            if (_count == _chars.Length) Array.Resize(ref _chars, _chars.Length * 2);
            _chars[_count++] = c;
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private void Append(char[] source, int start, int length)
        {
            if (_count + length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _count + length));
            Array.Copy(source, start, _chars, _count, length);
            _count += length;
        }

        private IEnumerable<SecurityGroupSnapshot> Groups()
        {
            if (Peek() == '\uFEFF') Next();
            SkipWhitespace();
            int index = 0;
            switch (Peek())
            {
                case '[':
                    foreach (var g in GroupsOfList()) yield return g;
                    break;
                case '{':
                {
                    // The root object: SecurityGroups is streamed; otherwise the root may be one group.
                    Next();
                    var single = new SecurityGroupSnapshot();
                    bool sawGroups = false;
                    SkipWhitespace();
                    if (Peek() == '}') { Next(); }
                    else
                    {
                        while (true)
                        {
                            var name = ReadName();
                            if (name == Member.SecurityGroups)
                            {
                                if (Peek() != '[')
                                    throw new SecurityGroupFileException($"'SecurityGroups' should be a list (line {_line}). " + SecurityGroupJsonReader.ExpectedShapes);
                                sawGroups = true;
                                foreach (var g in GroupsOfList()) { index++; yield return g; }
                            }
                            else GroupMember(single, name, 1);
                            if (EndOfMembers('}')) break;
                        }
                    }
                    if (!sawGroups)
                    {
                        if (string.IsNullOrWhiteSpace(single.GroupId))
                            throw new SecurityGroupFileException("The JSON is not a security-group export. " + SecurityGroupJsonReader.ExpectedShapes);
                        yield return single;
                    }
                    break;
                }
                default:
                    if (Peek() == '\0') throw new SecurityGroupFileException("The file is empty. " + SecurityGroupJsonReader.ExpectedShapes);
                    throw new SecurityGroupFileException("The JSON is not a security-group export. " + SecurityGroupJsonReader.ExpectedShapes);
            }
            SkipWhitespace();
            if (Peek() != '\0') throw Error("Unexpected text after the JSON value");
        }

        private IEnumerable<SecurityGroupSnapshot> GroupsOfList()
        {
            Next(); // [
            SkipWhitespace();
            if (Peek() == ']') { Next(); yield break; }
            int index = 0;
            while (true)
            {
                SkipWhitespace();
                yield return Group(++index);
                if (EndOfItems()) yield break;
            }
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private SecurityGroupSnapshot Group(int index)
        {
            if (Peek() == '\0') throw Error("Unexpected end of JSON");
            if (Peek() != '{')
                throw new SecurityGroupFileException($"Security group #{index}: is not a JSON object (line {_line}). " + SecurityGroupJsonReader.ExpectedShapes);
            var group = new SecurityGroupSnapshot();
            int seen = 0;
            if (OpenObject(1))
                do
                {
                    var name = ReadName();
                    Once(ref seen, name, group);
                    try { GroupMember(group, name, 2); }
                    catch (FormatException e) when (!(e is SecurityGroupFileException))
                    {
                        throw new SecurityGroupFileException($"Security group #{index}: {WithoutLine(e.Message)} (line {_line}).", e);
                    }
                } while (!EndOfMembers('}'));
            if (string.IsNullOrWhiteSpace(group.GroupId))
                throw new SecurityGroupFileException($"Security group #{index}: has no GroupId (line {_line}). " + SecurityGroupJsonReader.ExpectedShapes);
            return group;
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private void GroupMember(SecurityGroupSnapshot group, Member name, int depth)
        {
            switch (name)
            {
                case Member.GroupId: group.GroupId = Scalar() ?? ""; break;
                case Member.GroupName: group.GroupName = Scalar(); break;
                case Member.OwnerId: group.OwnerId = Scalar(); break;
                case Member.VpcId: group.VpcId = Scalar(); break;
                case Member.Description: group.Description = Scalar(); break;
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
                                    var m = ReadName();
                                    Once(ref seen, m, group);
                                    if (m == Member.Key) key = Scalar();
                                    else if (m == Member.Value) value = Scalar();
                                    else Skip(depth + 2);
                                } while (!EndOfMembers('}'));
                            if (key != null) group.Tags[key] = value ?? "";
                        } while (list == ListShape.List && !EndOfItems());
                    break;
                }
                case Member.IpPermissions:
                {
                    var list = OpenList(depth);
                    if (list != ListShape.None)
                        do
                        {
                            if (Peek() == '"')
                            {
                                var text = ReadString();
                                throw new SecurityGroupFileException(
                                    $"{Label(group)}: an IpPermissions entry is '{text}', not an object. If the file came from ConvertTo-Json, run it again with -Depth 5.");
                            }
                            group.IpPermissions.Add(Permission(group, depth + 1));
                        } while (list == ListShape.List && !EndOfItems());
                    break;
                }
                default: Skip(depth); break;
            }
        }

        private static string WithoutLine(string message) => message.EndsWith(")", StringComparison.Ordinal) && message.Contains("(line ") ? message.Substring(0, message.LastIndexOf(" (line ", StringComparison.Ordinal)) : message;

        private static string Label(SecurityGroupSnapshot g) => string.IsNullOrEmpty(g.GroupId) ? "a security group" : g.GroupId;

        [MethodImpl(OptimizeAtFirstCall)]
        private IpPermissionSnapshot Permission(SecurityGroupSnapshot group, int depth)
        {
            var perm = new IpPermissionSnapshot { IpProtocol = "" };
            string? protocol = null;
            int seen = 0;
            if (OpenObject(depth))
                do
                {
                    var m = ReadName();
                    Once(ref seen, m, group);
                    switch (m)
                    {
                        case Member.IpProtocol: protocol = Scalar(); break;
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
                                } while (list == ListShape.List && !EndOfItems());
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
                                            var name = ReadName();
                                            Once(ref seenInPair, name, group);
                                            if (name == idMember) { if (Scalar() is string id) target.Add(id); }
                                            else Skip(depth + 3);
                                        } while (!EndOfMembers('}'));
                                } while (list == ListShape.List && !EndOfItems());
                            break;
                        }
                        default: Skip(depth + 1); break;
                    }
                } while (!EndOfMembers('}'));
            if (!Protocols.IsValid(protocol))
                throw new SecurityGroupFileException($"{Label(group)}: '{protocol}' is not an IP protocol (tcp, udp, icmp, icmpv6, -1 or a number 0-255) (line {_line}).");
            perm.IpProtocol = protocol!;
            return perm;
        }

        /// <summary>A range: a CIDR string (AWS.Tools' legacy IpRanges) or an object with the CIDR and a description.</summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private CidrSource? Range(Member cidrMember, SecurityGroupSnapshot group, int depth)
        {
            char c = Peek();
            if (c == '"') return new CidrSource(Checked(ReadString(), cidrMember, group));
            if (c == 'n') { Expect("null"); return null; }
            if (c != '{') throw new SecurityGroupFileException($"{Label(group)}: a range is neither a CIDR nor an object with {cidrMember} (line {_line}).");
            string? cidr = null, description = null;
            int seen = 0;
            if (OpenObject(depth))
                do
                {
                    var m = ReadName();
                    Once(ref seen, m, group);
                    if (m == cidrMember) cidr = Scalar();
                    else if (m == Member.Description) description = Scalar();
                    else Skip(depth + 1);
                } while (!EndOfMembers('}'));
            if (string.IsNullOrWhiteSpace(cidr)) throw new SecurityGroupFileException($"{Label(group)}: a range has no {cidrMember} (line {_line}).");
            return new CidrSource(Checked(cidr!, cidrMember, group), description);
        }

        /// <summary>A name SgNarrower reads, given twice in one object, refuses the file: readers disagree about which one counts.</summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private void Once(ref int seen, Member m, SecurityGroupSnapshot group)
        {
            if (m == Member.Other) return;
            int bit = 1 << (int)m;
            if ((seen & bit) != 0)
                throw new SecurityGroupFileException($"{Label(group)}: the key {m} is given twice in one object (line {_line}); readers disagree about which one counts, so nothing is read from this file.");
            seen |= bit;
        }

        /// <summary>A CIDR as AWS writes it, or the file is refused: a block read two ways (010.0.0.0/8) is never guessed at.</summary>
        private string Checked(string cidr, Member cidrMember, SecurityGroupSnapshot group) =>
            Cidr.IsWellFormed(cidr) ? cidr
            : throw new SecurityGroupFileException($"{Label(group)}: {cidrMember} '{cidr}' is not a CIDR block as AWS writes it (IPv4 as four decimal octets without leading zeros, IPv6 in RFC 4291 text), line {_line}; it is not reinterpreted.");

        // ------------------------------------------------------------------ structure

        private enum ListShape { None, Single, List }

        /// <summary>
        /// Opens a list: None for null or [], Single for one object where a list was expected (ConvertTo-Json writes a
        /// one-element collection so), List for a list with items; the reader is then at the first item.
        /// </summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private ListShape OpenList(int depth)
        {
            if (depth > MaxDepth) throw Error("JSON nested too deeply");
            char c = Peek();
            if (c == 'n') { Expect("null"); return ListShape.None; }
            if (c == '{') return ListShape.Single;
            if (c != '[') throw new FormatException($"a list was expected (line {_line})");
            Next();
            SkipWhitespace();
            if (Peek() == ']') { Next(); return ListShape.None; }
            return ListShape.List;
        }

        /// <summary>Opens an object: false for null or {}, true when members follow (the reader is at the first name).</summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private bool OpenObject(int depth)
        {
            if (depth > MaxDepth) throw Error("JSON nested too deeply");
            char c = Peek();
            if (c == 'n') { Expect("null"); return false; }
            if (c != '{') throw new FormatException($"an object was expected (line {_line})");
            Next();
            SkipWhitespace();
            if (Peek() == '}') { Next(); return false; }
            return true;
        }

        /// <summary>Reads a property name and its colon; leaves the reader at the value.</summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private Member ReadName()
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("Expected a property name in double quotes");
            ReadChars();
            var m = Match(_chars, _count);
            SkipWhitespace();
            if (Next() != ':') throw Error("Expected ':' after a property name");
            SkipWhitespace();
            return m;
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private bool EndOfMembers(char close)
        {
            SkipWhitespace();
            char c = Next();
            if (c == ',') return false;
            if (c == close) return true;
            throw Error($"Expected ',' or '{close}' in an object");
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private bool EndOfItems()
        {
            SkipWhitespace();
            char c = Next();
            if (c == ',') { SkipWhitespace(); return false; }
            if (c == ']') return true;
            throw Error("Expected ',' or ']' in a list");
        }

        /// <summary>A string, number or literal as text; null for JSON null. An object or list here is an error.</summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private string? Scalar()
        {
            char c = Peek();
            switch (c)
            {
                case '"': return ReadString();
                case 'n': Expect("null"); return null;
                case 't': Expect("true"); return "true";
                case 'f': Expect("false"); return "false";
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                    if (c == '{' || c == '[') throw new FormatException($"a value should be a string (line {_line})");
                    if (c == '\0') throw Error("Unexpected end of JSON");
                    throw Error($"Unexpected character '{c}'");
            }
        }

        private int? Int(string name)
        {
            var text = Scalar();
            if (text == null) return null;
            if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int n)) return n;
            throw new FormatException($"{name} should be a whole number, not '{text}'");
        }

        /// <summary>Passes the opening bracket: false (and the closing one passed too) where nothing is between them.</summary>
        private bool OpensNonEmpty(char close)
        {
            Next();
            SkipWhitespace();
            if (Peek() != close) return true;
            Next();
            return false;
        }

        /// <summary>Passes over one value of any shape, checking it is JSON, building nothing.</summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private void Skip(int depth)
        {
            if (depth > MaxDepth) throw Error("JSON nested too deeply");
            char c = Peek();
            switch (c)
            {
                case '"': SkipString(); return;
                case '{':
                    if (!OpensNonEmpty('}')) return;
                    while (true)
                    {
                        SkipWhitespace();
                        if (Peek() != '"') throw Error("Expected a property name in double quotes");
                        SkipString();
                        SkipWhitespace();
                        if (Next() != ':') throw Error("Expected ':' after a property name");
                        SkipWhitespace();
                        Skip(depth + 1);
                        if (EndOfMembers('}')) return;
                    }
                case '[':
                    if (!OpensNonEmpty(']')) return;
                    while (true)
                    {
                        SkipWhitespace();
                        Skip(depth + 1);
                        if (EndOfItems()) return;
                    }
                case 't': Expect("true"); return;
                case 'f': Expect("false"); return;
                case 'n': Expect("null"); return;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) { ReadNumber(); return; }
                    if (c == '\0') throw Error("Unexpected end of JSON");
                    throw Error($"Unexpected character '{c}'");
            }
        }

        // ------------------------------------------------------------------ tokens

        [MethodImpl(OptimizeAtFirstCall)]
        private string ReadString()
        {
            ReadChars();
            return new string(_chars, 0, _count);
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private void SkipString()
        {
            Next(); // opening quote
            while (true)
            {
                while (_pos < _length)
                {
                    char p = _buffer[_pos];
                    if (p == '"' || p == '\\' || p < ' ') break;
                    _pos++;
                }
                char c = Next();
                if (c == '"') return;
                if (c == '\\') { Next(); continue; }
                if (c == '\0') throw Error("A string is not closed");
                if (c < ' ') throw Error(c == '\n' ? "A string runs over the end of a line" : "Control character in a string");
            }
        }

        /// <summary>Reads a string's characters, escapes resolved, into the scratch buffer (<see cref="_chars"/>, <see cref="_count"/>).</summary>
        [MethodImpl(OptimizeAtFirstCall)]
        private void ReadChars()
        {
            _count = 0;
            Next(); // opening quote
            while (true)
            {
                // The common case: a run of plain characters inside the buffer, copied at once.
                int start = _pos;
                while (_pos < _length)
                {
                    char p = _buffer[_pos];
                    if (p == '"' || p == '\\' || p < ' ') break;
                    _pos++;
                }
                if (_pos > start) Append(_buffer, start, _pos - start);
                char c = Next();
                if (c == '"') return;
                if (c == '\0') throw Error("A string is not closed");
                if (c == '\\')
                {
                    char e = Next();
                    switch (e)
                    {
                        case '"': Append('"'); break;
                        case '\\': Append('\\'); break;
                        case '/': Append('/'); break;
                        case 'b': Append('\b'); break;
                        case 'f': Append('\f'); break;
                        case 'n': Append('\n'); break;
                        case 'r': Append('\r'); break;
                        case 't': Append('\t'); break;
                        case 'u':
                            int code = 0;
                            for (int i = 0; i < 4; i++)
                            {
                                char h = Next();
                                int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                                if (v < 0) throw Error("Bad \\u escape");
                                code = code * 16 + v;
                            }
                            Append((char)code);
                            break;
                        default: throw Error($"Bad escape '\\{e}'");
                    }
                }
                else if (c < ' ') throw Error(c == '\n' ? "A string runs over the end of a line" : "Control character in a string");
                else Append(c);
            }
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private string ReadNumber()
        {
            _count = 0;
            if (Peek() == '-') Append(Next());
            if (!IsDigit(Peek())) throw Error("Bad number");
            if (Peek() == '0') Append(Next());
            else while (IsDigit(Peek())) Append(Next());
            if (Peek() == '.')
            {
                Append(Next());
                if (!IsDigit(Peek())) throw Error("Bad number");
                while (IsDigit(Peek())) Append(Next());
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                Append(Next());
                if (Peek() == '+' || Peek() == '-') Append(Next());
                if (!IsDigit(Peek())) throw Error("Bad number");
                while (IsDigit(Peek())) Append(Next());
            }
            return new string(_chars, 0, _count);
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private void Expect(string word)
        {
            foreach (char w in word)
                if (Next() != w) throw Error("Unexpected word");
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private char Peek()
        {
            if (_pos < _length) return _buffer[_pos];
            _length = _reader.Read(_buffer, 0, _buffer.Length);
            _pos = 0;
            return _length <= 0 ? '\0' : _buffer[0];
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private char Next()
        {
            char c = Peek();
            if (c != '\0') _pos++;
            if (c == '\n') _line++;
            return c;
        }

        [MethodImpl(OptimizeAtFirstCall)]
        private void SkipWhitespace()
        {
            while (true)
            {
                while (_pos < _length)
                {
                    char p = _buffer[_pos];
                    if (p == ' ' || p == '\t' || p == '\r') _pos++;
                    else if (p == '\n') { _pos++; _line++; }
                    else return;
                }
                if (Peek() == '\0') return;
            }
        }

        private SecurityGroupFileException Error(string what) =>
            new SecurityGroupFileException($"The file is not valid JSON: {what} (line {_line}).");
    }
}
