using System.Collections;
using System.Text.RegularExpressions;
using SgNarrower.Json;
using SgNarrower.Rules;

namespace SgNarrower.Audit
{
    /// <summary>
    /// How one field's value is read from loosely typed input (our own objects, Import-Csv cells, ConvertFrom-Json and
    /// Import-Clixml values, record members): checked, typed, or null where it is missing. A value that is there but
    /// wrong is a FormatException that names the field, never a default.
    /// </summary>
    internal static class FieldValues
    {
        internal const string StrictForm = " (IPv4 as four decimal octets without leading zeros, like 203.0.113.0/24; IPv6 in RFC 4291 text; a decimal prefix length). It is not reinterpreted";

        /// <summary>An id or name that must have AWS's shape.</summary>
        internal static string? Id(object? v, string name, Regex shape, string what)
        {
            var s = Text(v);
            if (s != null && !shape.IsMatch(s)) throw new FormatException($"{name} '{s}' is not {what}");
            return s;
        }

        /// <summary>A run id: what rules' tags name a record by, so whole and without spaces (SgNarrower writes 29 characters).</summary>
        internal static string? RunId(object? v, string name)
        {
            var s = Text(v);
            if (s != null && (s.Length > Changes.RuleTags.MaxRunIdLength || s.Any(char.IsWhiteSpace)))
                throw new FormatException($"{name} '{s}' is not a run id SgNarrower writes (1-{Changes.RuleTags.MaxRunIdLength} characters, no spaces)");
            return s;
        }

        /// <summary>A rule's CIDR source, as AWS writes it and of its field's family.</summary>
        internal static string? CidrSource(object? v, string name, bool ipv6)
        {
            var s = Text(v);
            if (s == null) return null;
            if (!Cidr.TryParse(s, out var cidr)) throw new FormatException($"{name} '{s}' is not a CIDR block as AWS writes it{StrictForm}");
            if (cidr.IsIpv6 != ipv6) throw new FormatException(ipv6 ? $"CidrIpv6 '{s}' is an IPv4 block; it belongs in CidrIpv4" : $"CidrIpv4 '{s}' is an IPv6 block; it belongs in CidrIpv6");
            return s;
        }

        internal static string? CidrText(object? v, string name)
        {
            var s = Text(v);
            if (s != null && !Cidr.TryParse(s, out _)) throw new FormatException($"{name} '{s}' is not a CIDR block as AWS writes it{StrictForm}");
            return s;
        }

        internal static string? Description(object? v)
        {
            var s = RawText(v);
            if (s != null && s.Length > Ec2Names.MaxDescriptionLength)
                throw new FormatException($"its Description has {s.Length} characters; EC2 holds at most {Ec2Names.MaxDescriptionLength}, so no rule can have it");
            return s;
        }

        /// <summary>A rule's own replacement sources: a list, or text of them separated by commas (a CSV cell).</summary>
        internal static List<string>? Sources(object? value, string name)
        {
            switch (value)
            {
                case null: return null;
                case string s:
                    var t = s.Trim();
                    if (t.StartsWith("[", StringComparison.Ordinal))
                    {
                        try { return ((List<object?>)JsonParser.Parse(t)!).Select(x => x?.ToString() ?? "").ToList(); }
                        catch (Exception e) when (e is JsonParseException || e is InvalidCastException) { throw new FormatException($"{name} '{s}' is not a list of sources"); }
                    }
                    return t.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();
                case System.Collections.IEnumerable list:
                    return list.Cast<object?>().Select(x => x?.ToString() ?? "").Where(x => x.Length > 0).ToList();
                default:
                    return new List<string> { value.ToString() ?? "" };
            }
        }

        /// <summary>
        /// An enum as our objects hold it, as ConvertTo-Json and Import-Clixml leave it (a number), or by name in any case;
        /// a number only where the enum defines it. <paramref name="numberAsText"/>: a number written as text counts too.
        /// </summary>
        internal static T? EnumValue<T>(object? value, string name, bool numberAsText) where T : struct, Enum
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
        internal static IReadOnlyList<string>? ReplacedWith(object? value)
        {
            var items = Sources(value, "ReplacedWith");
            if (items == null || items.Count == 0) return null;
            foreach (var item in items)
                if (!Cidr.TryParse(item, out _) && !item.StartsWith("sg-", StringComparison.Ordinal))
                    throw new FormatException($"ReplacedWith '{item}' is neither a CIDR block as AWS writes it nor a security group id");
            return items;
        }

        /// <summary>A count as written (a whole number 0 or more), or null when it is missing.</summary>
        internal static long? Count(object? v, string name, long max = long.MaxValue)
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
        internal static DateTimeOffset? Time(object? v, string name)
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
        internal static IReadOnlyList<ObservedSource>? ObservedSources(object? value)
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
        internal static ChangeStatus? Status(object? value)
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

        /// <summary>Trimmed text, or null where there is none; a control or bidirectional character is refused, never read past.</summary>
        internal static string? Text(object? v)
        {
            var s = RawText(v);
            if (string.IsNullOrWhiteSpace(s)) return null;
            if (InputText.IndexOfForbidden(s) >= 0) throw new NotPlainTextException(s!);
            return s!.Trim();
        }

        internal static string? RawText(object? v) => v switch
        {
            null => null,
            string s => s.Length == 0 ? null : s,
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        };

        /// <summary>A port as given, or null when it is missing (an empty CSV cell is missing, not 0 and not -1).</summary>
        internal static int? Port(object? v, string name)
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

        internal static Dictionary<string, string> Tags(object? v, string name)
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
